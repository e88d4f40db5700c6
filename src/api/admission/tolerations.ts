// The DefaultTolerationSeconds admission plugin: on pod create, a pod that does not already
// tolerate the node not-ready / unreachable NoExecute taints gets them for 300 seconds, so it
// is evicted five minutes after its node goes away.

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

/** a toleration with an empty key or effect matches those taints too */
function tolerates(t: Obj, key: string): boolean {
  return (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect);
}

export function admitDefaultTolerationSeconds(pod: Obj, seconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = (pod.spec ??= {});
  const tolerations: Obj[] = spec.tolerations ?? [];
  const add: Obj[] = [];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!tolerations.some((t) => tolerates(t, key))) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  if (add.length > 0) spec.tolerations = [...tolerations, ...add];
}
