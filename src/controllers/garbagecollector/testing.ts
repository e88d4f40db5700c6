// Test helpers shared by the GC, namespace and node controllers' unit tests: a FakeClient
// that honours DeleteOptions as the API server does (Orphan/Foreground finalizers, uid
// preconditions already handled by FakeClient) and records the options of every delete.

import { FakeClient } from '../../client/fake.js';
import { conflict, OPTIMISTIC_LOCK_MESSAGE } from '../../api/errors.js';
import type { DeleteOptions, KubeObject, PatchType, ResourceRef, WriteOptions } from '../../client/types.js';

export interface DeleteCall {
  resource: string;
  namespace: string;
  name: string;
  opts: DeleteOptions;
}

export class PolicyFakeClient extends FakeClient {
  readonly deletes: DeleteCall[] = [];

  /** a resourceVersion in a patch body is a precondition, as in the API server */
  override async patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions,
    subresource?: string,
  ): Promise<T> {
    const rv = (patch as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
    const cur = this.peek(res, namespace, name);
    if (rv && cur && cur.metadata.resourceVersion !== rv) throw conflict({ group: res.group, resource: res.plural }, name, OPTIMISTIC_LOCK_MESSAGE);
    return super.patch<T>(res, namespace, name, type, patch, opts, subresource);
  }

  override async delete(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    this.deletes.push({ resource: res.plural, namespace: namespace ?? '', name, opts: structuredClone(opts) });
    const cur = this.peek(res, namespace, name);
    const policy = opts.propagationPolicy;
    if (cur && !cur.metadata.deletionTimestamp && (policy === 'Orphan' || policy === 'Foreground')) {
      if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) return super.delete(res, namespace, name, opts);
      const finalizer = policy === 'Orphan' ? 'orphan' : 'foregroundDeletion';
      const finalizers = [...(cur.metadata.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion'), finalizer];
      await this.patch(res, namespace, name, 'merge', { metadata: { finalizers } });
    }
    return super.delete(res, namespace, name, opts);
  }
}

/** let promise chains and queued work run (no clock time passes) */
export async function settle(rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

export function ownerRef(kind: string, name: string, uid: string, opts: { apiVersion?: string; controller?: boolean; block?: boolean } = {}) {
  return {
    apiVersion: opts.apiVersion ?? (kind === 'Pod' || kind === 'Node' ? 'v1' : 'apps/v1'),
    kind,
    name,
    uid,
    controller: opts.controller ?? true,
    blockOwnerDeletion: opts.block ?? true,
  };
}
