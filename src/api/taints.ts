// Taints and tolerations as upstream's component-helpers (scheduling/corev1) define them: the
// one place the DaemonSet controller, the scheduler and taint eviction ask "is this tolerated?".

import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** v1.Toleration.ToleratesTaint: empty effect/key match anything; operator '' means Equal */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** does any toleration tolerate the taint? */
export function tolerated(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** FindMatchingUntoleratedTaint: the first taint passing the filter that no toleration tolerates */
export function findUntoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (t: Taint) => boolean = () => true,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (filter(taint) && !tolerated(tolerations, taint)) return taint;
  }
  return undefined;
}
