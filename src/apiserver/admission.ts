// Admission for pods on create: Priority (priorityClassName -> priority, unknown class
// refused) and DefaultTolerationSeconds, in upstream's plugin order.

import type { KubeObject } from '../client/types.js';
import { R } from '../client/types.js';
import type { Registry } from './registry.js';
import { admitDefaultTolerationSeconds, admitPriority } from '../api/admission/index.js';

export async function admitPod(registry: Registry, pod: KubeObject, _name: string): Promise<void> {
  const classes = (await registry.list(R.priorityclasses, undefined)).items as Array<KubeObject & { value?: number; preemptionPolicy?: string; globalDefault?: boolean }>;
  const byName = new Map(classes.map((c) => [c.metadata.name ?? '', c]));
  const globalDefault = classes.find((c) => c.globalDefault);
  admitPriority(
    pod as any,
    (name: string) => {
      const c = byName.get(name);
      return c ? { value: c.value ?? 0, preemptionPolicy: c.preemptionPolicy } : undefined;
    },
    globalDefault ? { name: globalDefault.metadata.name ?? '', value: globalDefault.value ?? 0, preemptionPolicy: globalDefault.preemptionPolicy } : undefined,
  );
  admitDefaultTolerationSeconds(pod as any);
}
