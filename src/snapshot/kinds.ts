// What a snapshot holds: the objects that decide placement and rollouts, in the order they are
// loaded (owners before what they own). Secrets and ConfigMaps are never part of one.

export interface SnapshotKind {
  apiVersion: string;
  kind: string;
  /** the list path on an API server */
  path: string;
  namespaced: boolean;
}

const api = (kind: string, plural: string, namespaced = true): SnapshotKind => ({ apiVersion: 'v1', kind, path: `/api/v1/${plural}`, namespaced });
const apis = (gv: string, kind: string, plural: string, namespaced = true): SnapshotKind => ({ apiVersion: gv, kind, path: `/apis/${gv}/${plural}`, namespaced });

/** load order: namespaces and priority classes, nodes, then owners before their dependents */
export const SNAPSHOT_KINDS: SnapshotKind[] = [
  api('Namespace', 'namespaces', false),
  apis('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false),
  api('Node', 'nodes', false),
  apis('apps/v1', 'Deployment', 'deployments'),
  apis('apps/v1', 'ReplicaSet', 'replicasets'),
  apis('apps/v1', 'StatefulSet', 'statefulsets'),
  apis('apps/v1', 'DaemonSet', 'daemonsets'),
  apis('apps/v1', 'ControllerRevision', 'controllerrevisions'),
  apis('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  api('Pod', 'pods'),
];

export const NEVER_EXPORTED = new Set(['Secret', 'ConfigMap']);

export function snapshotKind(apiVersion: string | undefined, kind: string | undefined): SnapshotKind | undefined {
  return SNAPSHOT_KINDS.find((k) => k.kind === kind && k.apiVersion === apiVersion);
}

/** "Pod default/web-1", "Node worker-3" */
export function describe(obj: { kind?: string; metadata?: { namespace?: string; name?: string } }): string {
  const m = obj.metadata ?? {};
  return `${obj.kind ?? 'object'} ${m.namespace ? `${m.namespace}/` : ''}${m.name ?? '(no name)'}`;
}
