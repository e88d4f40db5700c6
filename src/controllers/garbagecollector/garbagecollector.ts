// The garbage collector (upstream pkg/controller/garbagecollector). Informers on every
// resource feed a dependency graph built from ownerReferences; two queues act on it:
// - attemptToDelete: an object whose owners may be gone. Its references are classified
//   (solid: owner exists; dangling: owner absent or has another uid; waiting: owner is being
//   deleted in the foreground) and the object is deleted, or its bad references dropped.
//   An owner in foreground deletion is also processed here: its blocking dependents are
//   deleted, and once none remains its `foregroundDeletion` finalizer is removed.
// - attemptToOrphan: an owner deleted with propagationPolicy=Orphan. Its reference is removed
//   from every dependent, then its `orphan` finalizer.

import type { Clock } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { RESOURCES, groupVersion, resourceForKind, type ResourceInfo } from '../../api/resources.js';
import { Informer, unwrapTombstone } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import type { ApiClient, DeleteOptions, KubeObject, OwnerReference, ResourceRef } from '../../client/types.js';
import {
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  GraphNode,
  deleteOwnerRefPatch,
  unblockOwnerRefsPatch,
  type ObjectIdentity,
} from './graph.js';

export interface GarbageCollectorOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  /** resources to watch; default: every stored resource but events */
  resources?: ResourceInfo[];
  /** workers per queue (upstream --concurrent-gc-syncs, default 20) */
  workers?: number;
  /** called with errors of workers (default: ignored, the item is retried) */
  onError?: (err: unknown) => void;
}

/** resources the collector watches by default: all stored ones except events */
export function defaultGcResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !r.virtual && r.kind !== 'Event' && r.verbs.includes('watch'));
}

const isNotFound = (err: unknown) => err instanceof ApiError && err.code === 404;
const isConflict = (err: unknown) => err instanceof ApiError && err.code === 409;
const hasFinalizer = (o: KubeObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const refKey = (r: OwnerReference) => `${r.uid}|${r.blockOwnerDeletion === true}`;

function toRef(info: ResourceInfo): ResourceRef {
  return { group: info.group, version: info.version, plural: info.plural };
}

/** upstream's absentOwnerCache: owners known not to exist (uids are never reused) */
class AbsentOwners {
  private readonly keys = new Set<string>();
  constructor(private readonly max = 500) {}
  private key(r: OwnerReference, namespace: string) {
    return `${r.apiVersion}|${r.kind}|${namespace}|${r.name}|${r.uid}`;
  }
  has(r: OwnerReference, namespace: string): boolean {
    return this.keys.has(this.key(r, namespace));
  }
  add(r: OwnerReference, namespace: string): void {
    const k = this.key(r, namespace);
    this.keys.delete(k);
    this.keys.add(k);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }
}

export class GarbageCollector {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly watching: Informer<KubeObject>[] = [];
  private readonly watched = new Set<string>();
  private readonly attemptToDelete: WorkQueue<string>;
  private readonly attemptToOrphan: WorkQueue<string>;
  private readonly absent = new AbsentOwners();
  private readonly resources: ResourceInfo[];
  private readonly workers: number;
  private running: Promise<void>[] = [];
  /** informers on custom resources, by group/plural (they come and go with their CRDs) */
  private readonly customInformers = new Map<string, Informer<KubeObject>>();
  private unsubscribe: (() => void) | undefined;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.attemptToDelete = new WorkQueue(clock);
    this.attemptToOrphan = new WorkQueue(clock);
    this.resources = opts.resources ?? defaultGcResources();
    this.workers = opts.workers ?? 20;
  }

  /** the informer of one resource with the collector's handlers (shared: built-ins; private: custom resources) */
  private informerFor(info: ResourceInfo, shared: boolean): Informer<KubeObject> {
    const inf = shared ? this.informers.informerFor<KubeObject>(toRef(info)) : new Informer<KubeObject>(this.client, toRef(info), { clock: this.clock });
    inf.addEventHandler({
      onAdd: (o) => this.observe(info, undefined, o),
      onUpdate: (a, b) => this.observe(info, a, b),
      onDelete: (o) => this.removed(unwrapTombstone(o)),
    });
    this.watched.add(`${groupVersion(info)}/${info.kind}`);
    return inf;
  }

  /** watch the custom resources the server serves now, stop watching those gone (upstream's monitor resync) */
  private syncCustomResources(): void {
    const table = this.client.resources;
    if (!table) return;
    const served = new Map<string, ResourceInfo>();
    for (const info of table.all()) if (info.custom && !served.has(`${info.group}/${info.plural}`)) served.set(`${info.group}/${info.plural}`, info);
    for (const [key, inf] of this.customInformers) {
      if (served.has(key)) continue;
      inf.stop();
      this.customInformers.delete(key);
    }
    for (const [key, info] of served) {
      if (this.customInformers.has(key)) continue;
      const inf = this.informerFor(info, false);
      this.customInformers.set(key, inf);
      inf.start().catch((e) => this.opts.onError?.(e));
    }
  }

  async start(): Promise<void> {
    for (const info of this.resources) this.watching.push(this.informerFor(info, true));
    // a resource the server does not serve must not stop the collector
    await Promise.all(this.watching.map((i) => i.start().catch((e) => this.opts.onError?.(e))));
    if (!this.opts.resources && this.client.resources) {
      this.unsubscribe = this.client.resources.onChange(() => this.syncCustomResources());
      this.syncCustomResources();
    }
    const onError = (_k: string, err: unknown) => this.opts.onError?.(err);
    this.running = [
      runWorkers(this.attemptToDelete, this.workers, (uid) => this.attemptToDeleteWorker(uid), onError),
      runWorkers(this.attemptToOrphan, Math.max(1, Math.floor(this.workers / 2)), (uid) => this.attemptToOrphanWorker(uid), onError),
    ];
  }

  stop(): void {
    this.unsubscribe?.();
    for (const i of [...this.watching, ...this.customInformers.values()]) i.stop();
    this.attemptToDelete.shutdown();
    this.attemptToOrphan.shutdown();
  }

  /** the graph node of a uid (tests and debugging) */
  graphNode(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  // ---- building the graph (upstream processGraphChanges) ----

  private observe(info: ResourceInfo, oldObj: KubeObject | undefined, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const identity: ObjectIdentity = {
      apiVersion: groupVersion(info),
      kind: info.kind,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      uid,
    };
    const newOwners = obj.metadata.ownerReferences ?? [];
    let node = this.nodes.get(uid);
    if (!node) {
      node = new GraphNode(identity, false);
      this.nodes.set(uid, node);
      node.owners = newOwners;
      for (const ref of newOwners) this.addToOwner(node, ref);
    } else {
      if (node.virtual) {
        // an owner we only knew by reference is now observed
        node.virtual = false;
        node.identity = identity;
      }
      const before = new Map(node.owners.map((r) => [r.uid, r]));
      const after = new Map(newOwners.map((r) => [r.uid, r]));
      node.owners = newOwners;
      for (const [ownerUid, r] of before) {
        const a = after.get(ownerUid);
        const owner = this.nodes.get(ownerUid);
        if (!a) {
          owner?.dependents.delete(node);
          this.dropVirtualIfUnused(owner);
        }
        // a dependent that stopped blocking may let a foreground deletion finish
        if (owner?.deletingDependents && (!a || refKey(a) !== refKey(r))) this.attemptToDelete.add(ownerUid);
      }
      for (const [ownerUid, r] of after) if (!before.has(ownerUid)) this.addToOwner(node, r);
    }
    node.beingDeleted = !!obj.metadata.deletionTimestamp;
    node.deletingDependents = node.beingDeleted && hasFinalizer(obj, FINALIZER_FOREGROUND);
    this.processTransitions(oldObj, obj, node);
  }

  /** deletion with a finalizer starts now (or the object was first seen in that state) */
  private startsDeletionWith(oldObj: KubeObject | undefined, obj: KubeObject, finalizer: string): boolean {
    if (!obj.metadata.deletionTimestamp || !hasFinalizer(obj, finalizer)) return false;
    if (!oldObj) return true;
    return !(oldObj.metadata.deletionTimestamp && hasFinalizer(oldObj, finalizer));
  }

  private processTransitions(oldObj: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    if (this.startsDeletionWith(oldObj, obj, FINALIZER_ORPHAN)) this.attemptToOrphan.add(node.identity.uid);
    if (this.startsDeletionWith(oldObj, obj, FINALIZER_FOREGROUND)) {
      for (const dep of node.dependents) this.attemptToDelete.add(dep.identity.uid);
      this.attemptToDelete.add(node.identity.uid);
    }
  }

  private addToOwner(node: GraphNode, ref: OwnerReference): void {
    let owner = this.nodes.get(ref.uid);
    if (!owner) {
      // an owner not observed (yet): check with the API whether it exists
      owner = new GraphNode(
        { apiVersion: ref.apiVersion, kind: ref.kind, namespace: node.identity.namespace, name: ref.name, uid: ref.uid },
        true,
      );
      this.nodes.set(ref.uid, owner);
      this.attemptToDelete.add(ref.uid);
    }
    owner.dependents.add(node);
  }

  private dropVirtualIfUnused(owner: GraphNode | undefined): void {
    if (owner?.virtual && owner.dependents.size === 0) this.nodes.delete(owner.identity.uid);
  }

  /** an object is gone: forget it, and look again at its dependents and blocked owners */
  private removed(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    const node = uid ? this.nodes.get(uid) : undefined;
    if (node) this.removeNode(node);
  }

  private removeNode(node: GraphNode): void {
    const uid = node.identity.uid;
    if (this.nodes.get(uid) !== node) return;
    this.nodes.delete(uid);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      if (owner.deletingDependents) this.attemptToDelete.add(owner.identity.uid);
      this.dropVirtualIfUnused(owner);
    }
    for (const dep of node.dependents) this.attemptToDelete.add(dep.identity.uid);
  }

  // ---- attemptToDelete ----

  private async attemptToDeleteWorker(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const done = await this.attemptToDeleteItem(node);
    // a virtual node that exists stays queued until an informer shows it (upstream issue 56121)
    if (done && this.nodes.get(uid) === node && node.virtual) this.attemptToDelete.addAfter(uid, this.recheckDelay(node));
  }

  private recheckDelay(node: GraphNode): number {
    // a kind nobody watches will never be observed: look again rarely
    return this.watched.has(`${node.identity.apiVersion}/${node.identity.kind}`) ? 1000 : 60_000;
  }

  private resourceOf(id: { apiVersion: string; kind: string }): ResourceInfo | undefined {
    return this.client.resources?.forKind(id.apiVersion, id.kind) ?? resourceForKind(id.apiVersion, id.kind);
  }

  private async getObject(id: ObjectIdentity): Promise<KubeObject | undefined> {
    const info = this.resourceOf(id);
    if (!info) throw new Error(`unable to get REST mapping for ${id.apiVersion}/${id.kind}`);
    try {
      return await this.client.get(toRef(info), info.namespaced ? id.namespace : undefined, id.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** the object behind a node is gone: process it as a delete (upstream enqueueVirtualDeleteEvent) */
  private virtualDelete(node: GraphNode): void {
    this.removeNode(node);
  }

  /** returns true when the item was handled (false: it vanished and was removed) */
  private async attemptToDeleteItem(item: GraphNode): Promise<boolean> {
    // being deleted without waiting for dependents: wait for the final delete event
    if (item.beingDeleted && !item.deletingDependents) return true;
    const latest = await this.getObject(item.identity);
    if (!latest || latest.metadata.uid !== item.identity.uid) {
      this.virtualDelete(item);
      return false;
    }
    if (item.deletingDependents) {
      await this.processDeletingDependents(item);
      return true;
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return true;
    const { solid, dangling, waiting } = await this.classifyReferences(item, refs);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return true;
      // drop the references to absent owners and to owners waiting for their dependents
      const ownerUids = [...dangling, ...waiting].map((r) => r.uid);
      await this.patchObject(item.identity, deleteOwnerRefPatch(item.identity.uid, ownerUids));
      return true;
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      for (const dep of item.dependents) {
        if (dep.deletingDependents) {
          // a possible cycle: stop blocking our owners before deleting ourselves in the foreground
          const blocking = item.owners.filter((r) => r.blockOwnerDeletion === true);
          if (blocking.length) await this.patchObject(item.identity, unblockOwnerRefsPatch(item.identity.uid, blocking));
          break;
        }
      }
      await this.deleteObject(item.identity, 'Foreground');
      return true;
    }
    // no solid owner left: collect it, keeping the deletion mode it already asked for
    const policy = hasFinalizer(latest, FINALIZER_ORPHAN) ? 'Orphan' : hasFinalizer(latest, FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
    await this.deleteObject(item.identity, policy);
    return true;
  }

  private async classifyReferences(item: GraphNode, refs: OwnerReference[]) {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await this.resolveOwner(ref, item);
      if (!owner) dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  /** the owner a reference points to, or undefined when it is dangling (upstream isDangling) */
  private async resolveOwner(ref: OwnerReference, item: GraphNode): Promise<KubeObject | undefined> {
    if (this.absent.has(ref, '') || this.absent.has(ref, item.identity.namespace)) return undefined;
    const info = this.resourceOf(ref);
    if (!info) throw new Error(`unable to get REST mapping for ${ref.apiVersion}/${ref.kind}`);
    // a cluster-scoped object cannot be owned by a namespaced one: such a reference is dangling
    if (info.namespaced && !item.identity.namespace) return undefined;
    const ns = info.namespaced ? item.identity.namespace : '';
    const owner = await this.getObject({ apiVersion: ref.apiVersion, kind: ref.kind, namespace: ns, name: ref.name, uid: ref.uid });
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.absent.add(ref, ns);
      return undefined;
    }
    return owner;
  }

  private async processDeletingDependents(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, FINALIZER_FOREGROUND);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep.identity.uid);
  }

  private async deleteObject(id: ObjectIdentity, policy: DeleteOptions['propagationPolicy']): Promise<void> {
    const info = this.resourceOf(id)!;
    try {
      await this.client.delete(toRef(info), info.namespaced ? id.namespace : undefined, id.name, {
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
    } catch (err) {
      // gone already, or replaced by another object of the same name: nothing to collect
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }

  private async patchObject(id: ObjectIdentity, patch: unknown): Promise<void> {
    const info = this.resourceOf(id)!;
    await this.client.patch(toRef(info), info.namespaced ? id.namespace : undefined, id.name, 'strategic', patch);
  }

  /** remove one finalizer with a merge patch guarded by resourceVersion; retried on conflict */
  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const info = this.resourceOf(node.identity);
    if (!info) return;
    for (let attempt = 0; ; attempt++) {
      const obj = await this.getObject(node.identity);
      if (!obj || obj.metadata.uid !== node.identity.uid) return;
      const finalizers = obj.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const rest = finalizers.filter((f) => f !== finalizer);
      try {
        await this.client.patch(toRef(info), info.namespaced ? node.identity.namespace : undefined, node.identity.name, 'merge', {
          metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: rest.length ? rest : null },
        });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err) && attempt < 5) continue;
        throw err;
      }
    }
  }

  // ---- attemptToOrphan ----

  private async attemptToOrphanWorker(uid: string): Promise<void> {
    const owner = this.nodes.get(uid);
    if (!owner) return;
    const errors: unknown[] = [];
    await Promise.all(
      [...owner.dependents].map(async (dep) => {
        try {
          await this.patchObject(dep.identity, deleteOwnerRefPatch(dep.identity.uid, [uid]));
        } catch (err) {
          // a dependent deleted meanwhile needs no orphaning
          if (!isNotFound(err)) errors.push(err);
        }
      }),
    );
    if (errors.length) throw errors[0];
    await this.removeFinalizer(owner, FINALIZER_ORPHAN);
  }
}
