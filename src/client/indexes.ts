// Index functions more than one user of a shared pod informer registers: the same function
// under the same name, so registering twice is a no-op rather than a conflict.

import type { KubeObject } from './types.js';

/** pods by spec.nodeName (bound pods only) */
export const POD_NODE_INDEX = 'spec.nodeName';
export function podNodeIndex(p: KubeObject): string[] {
  const node = (p.spec as { nodeName?: string } | undefined)?.nodeName;
  return node ? [node] : [];
}

/** objects by `<namespace>/<controller uid>`; `<namespace>/` for objects without a controller */
export const CONTROLLER_UID_INDEX = 'metadata.controllerUID';
export function controllerUidIndex(o: KubeObject): string[] {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
  return [`${o.metadata.namespace ?? ''}/${ref?.uid ?? ''}`];
}
