// The dependency graph the garbage collector keeps (upstream graph.go / graph_builder.go):
// one node per object uid, edges from ownerReferences. Owners that were referenced but not
// yet seen through an informer are "virtual" nodes: the collector must check with the API
// whether they exist.

import type { OwnerReference } from '../../client/types.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** where an object lives and what it is */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects */
  namespace: string;
  name: string;
  uid: string;
}

export class GraphNode {
  /** ownerReferences as last observed */
  owners: OwnerReference[] = [];
  readonly dependents = new Set<GraphNode>();
  /** has a deletionTimestamp */
  beingDeleted = false;
  /** has a deletionTimestamp and the foregroundDeletion finalizer */
  deletingDependents = false;

  constructor(
    public identity: ObjectIdentity,
    /** referenced as an owner but not observed through an informer */
    public virtual: boolean,
  ) {}

  /** dependents whose reference to this node has blockOwnerDeletion=true */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) => d.owners.some((r) => r.uid === this.identity.uid && r.blockOwnerDeletion === true));
  }
}

export function describe(id: ObjectIdentity): string {
  return `${id.apiVersion}/${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name} (${id.uid})`;
}

/** a strategic merge patch removing the owner references with these uids (uid is a precondition) */
export function deleteOwnerRefPatch(dependentUid: string, ownerUids: string[]): unknown {
  return { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: dependentUid } };
}

/** a strategic merge patch setting blockOwnerDeletion=false on the given references */
export function unblockOwnerRefsPatch(dependentUid: string, refs: OwnerReference[]): unknown {
  return { metadata: { ownerReferences: refs.map((r) => ({ ...r, blockOwnerDeletion: false })), uid: dependentUid } };
}
