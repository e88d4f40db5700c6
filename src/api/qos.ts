// A pod's QoS class (pkg/apis/core/helper/qos), set by the API server on create and shown by
// kubectl describe: Guaranteed when every container's cpu and memory requests equal its
// limits, BestEffort when none sets any, Burstable otherwise.

import type { Pod } from 'kubernetes-types/core/v1.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

export function qosClass(pod: Pod): QOSClass {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const q = req[r] ?? lim[r]; // requests default to limits
      if (lim[r] === undefined || String(q) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
