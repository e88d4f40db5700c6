// The DaemonSet controller (pkg/controller/daemon): informers on daemonsets, pods, nodes and
// controllerrevisions feed a work queue of DaemonSet keys; syncDaemonSet(key) reads only the
// caches plus its expectations and creates/deletes pods, keeps ControllerRevisions, rolls
// updates out and writes status. See spec/daemonset.md §1–§3.

import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { R, type ApiClient, type KubeObject, type OwnerReference } from '../../client/types.js';
import { Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { CONTROLLER_UID_INDEX, controllerUidIndex } from '../../client/indexes.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { isEmptyLabelSelector } from '../../client/labels.js';
import {
  AggregateError,
  ControllerExpectations,
  claimObjects,
  controllerOf,
  errMsg,
  isAlreadyExists,
  isNamespaceTerminating,
  isNotFound,
  ownersSelecting,
  resolveControllerRef,
} from '../controllerutil.js';
import { Backoff } from './backoff.js';
import { getTargetNodeName, nodeShouldRunDaemonPod, replaceDaemonSetPodNodeNameNodeAffinity, type ShouldRun } from './predicates.js';
import { computeHash, matchRevision, revisionData } from './revision.js';
import {
  REVISION_HASH_LABEL,
  allowsSurge,
  comparePods,
  createPodTemplate,
  getTemplateGeneration,
  isPodAvailable,
  isPodReady,
  isPodTerminal,
  isPodUpdated,
  surgeCount,
  unavailableCount,
} from './util.js';

type K<T> = T & KubeObject;
type DS = K<DaemonSet>;
type PodT = K<Pod>;
type NodeT = K<Node>;
type CR = K<ControllerRevision>;

export const BURST_REPLICAS = 250;
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
export const STATUS_UPDATE_RETRIES = 1;
export const BACKOFF_GC_INTERVAL_MS = 60_000;
export const COMPONENT = 'daemonset-controller';

export const SelectingAllReason = 'SelectingAll';
export const FailedPlacementReason = 'FailedPlacement';
export const FailedDaemonPodReason = 'FailedDaemonPod';
export const SucceededDaemonPodReason = 'SucceededDaemonPod';

export interface DaemonSetControllerOptions {
  workers?: number;
  burstReplicas?: number;
  /** where events go (default: an EventRecorder writing core/v1 Events) */
  recorder?: Recorder;
  informers?: SharedInformerFactory;
}

/** the key of a failed-pod backoff entry: `<uid>/<observedGeneration>/<node>` */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata?.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/**
 * one sync's work shared by manage, rollingUpdate, status and history cleanup (upstream
 * computes each of them again): the claimed pods, reused while no pod event could have changed
 * them, and each node's verdict for this DaemonSet
 */
interface SyncMemo {
  podsEpoch: number;
  pods?: PodT[];
  shouldRun: Map<NodeT, ShouldRun>;
}

function newControllerRef(ds: DS): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** shouldIgnoreNodeUpdate: only resourceVersion, heartbeats or non-True condition details changed */
export function shouldIgnoreNodeUpdate(oldNode: Node, curNode: Node): boolean {
  const trueTypes = (n: Node) =>
    (n.status?.conditions ?? [])
      .filter((c) => c.status === 'True')
      .map((c) => c.type)
      .sort()
      .join(',');
  if (trueTypes(oldNode) !== trueTypes(curNode)) return false;
  const strip = (n: Node) => {
    const c = structuredClone(n) as { metadata?: { resourceVersion?: string }; status?: { conditions?: unknown } };
    if (c.metadata) delete c.metadata.resourceVersion;
    if (c.status) delete c.status.conditions;
    return JSON.stringify(c);
  };
  return strip(oldNode) === strip(curNode);
}

export class DaemonSetController {
  readonly dsInformer: Informer<DS>;
  readonly podInformer: Informer<PodT>;
  readonly nodeInformer: Informer<NodeT>;
  readonly historyInformer: Informer<CR>;
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  readonly failedPodsBackoff: Backoff;
  readonly recorder: Recorder;
  private readonly workers: number;
  private readonly burstReplicas: number;
  private gcTimer: Timer | undefined;
  private running: Promise<void> | undefined;
  /**
   * bumped on every pod event, by the pod's `<namespace>/<controller uid>` (or `<namespace>/`
   * for orphans): a DaemonSet's claimed pods can only have changed when its own or its
   * namespace's orphans' counter moved
   */
  private readonly podEpochs = new Map<string, number>();
  /** what one sync of a DaemonSet computed, by its key (alive for that sync only) */
  private readonly syncs = new Map<string, SyncMemo>();

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: DaemonSetControllerOptions = {},
  ) {
    this.workers = opts.workers ?? 2;
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.expectations = new ControllerExpectations(clock);
    this.failedPodsBackoff = new Backoff(clock);
    const informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.dsInformer = informers.informerFor<DS>(R.daemonsets);
    this.podInformer = informers.informerFor<PodT>(R.pods);
    this.nodeInformer = informers.informerFor<NodeT>(R.nodes);
    this.historyInformer = informers.informerFor<CR>(R.controllerrevisions);
    // claim() only looks at pods this DaemonSet controls and at orphans: index both
    this.podInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUidIndex);
    this.dsInformer.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => this.onDaemonSetUpdate(old, cur),
      onDelete: (ds) => this.deleteDaemonSet(ds),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (o, n) => this.updatePod(o, n),
      onDelete: (p) => this.deletePod(p),
    });
    this.nodeInformer.addEventHandler({
      onAdd: (n) => this.addNode(n),
      onUpdate: (o, n) => this.updateNode(o, n),
    });
    this.historyInformer.addEventHandler({
      onAdd: (h) => this.addHistory(h),
      onUpdate: (o, n) => this.updateHistory(o, n),
      onDelete: (h) => this.deleteHistory(h),
    });
  }

  /** fill the caches (list + watch); resolves when all four are synced */
  async startInformers(): Promise<void> {
    await Promise.all([this.dsInformer.start(), this.podInformer.start(), this.nodeInformer.start(), this.historyInformer.start()]);
  }

  async start(): Promise<void> {
    await this.startInformers();
    this.gcTimer = this.clock.setInterval(() => this.failedPodsBackoff.gc(), BACKOFF_GC_INTERVAL_MS);
    this.running = runWorkers(this.queue, this.workers, (key) => this.syncDaemonSet(key));
  }

  stop(): void {
    this.queue.shutdown();
    this.gcTimer?.cancel();
    for (const inf of [this.dsInformer, this.podInformer, this.nodeInformer, this.historyInformer]) inf.stop();
  }

  /** resolves when the workers have stopped (after stop()) */
  async done(): Promise<void> {
    await this.running;
  }

  // ---- event handlers (§1.1) ----

  enqueue(ds: DS): void {
    this.queue.add(objectKey(ds));
  }

  enqueueAfter(ds: DS, ms: number): void {
    this.queue.addAfter(objectKey(ds), ms);
  }

  private onDaemonSetUpdate(old: DS, cur: DS): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteDaemonSet(old);
    this.enqueue(cur);
  }

  /** exported for TestDeleteFinalStateUnknown: accepts a tombstone */
  deleteDaemonSet(obj: DS | DeletedFinalStateUnknown<DS>): void {
    const ds = unwrapTombstone(obj);
    const key = objectKey(ds);
    this.expectations.delete(key);
    this.queue.add(key);
  }

  /** the DaemonSet a controllerRef points at, if it is in the cache with that UID */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): DS | undefined {
    return resolveControllerRef(this.dsInformer, 'DaemonSet', namespace, ref);
  }

  /** DaemonSets in the object's namespace whose (non-empty) selector matches its labels */
  private matchingDaemonSets(o: KubeObject): DS[] {
    return ownersSelecting(this.dsInformer.listNamespace(o.metadata.namespace ?? ''), o.metadata.labels);
  }

  private touchPods(pod: PodT): void {
    for (const k of controllerUidIndex(pod)) this.podEpochs.set(k, (this.podEpochs.get(k) ?? 0) + 1);
  }

  /** the sum of the counters a DaemonSet's claim depends on (both only grow: any change moves it) */
  private podsEpoch(ds: DS): number {
    const ns = ds.metadata.namespace ?? '';
    return (this.podEpochs.get(`${ns}/${ds.metadata.uid ?? ''}`) ?? 0) + (this.podEpochs.get(`${ns}/`) ?? 0);
  }

  /** nodeShouldRunDaemonPod, once per node and sync */
  private shouldRun(node: NodeT, ds: DS): ShouldRun {
    const memo = this.syncs.get(objectKey(ds))?.shouldRun;
    let r = memo?.get(node);
    if (!r) {
      r = nodeShouldRunDaemonPod(node, ds);
      memo?.set(node, r);
    }
    return r;
  }

  addPod(pod: PodT): void {
    this.touchPods(pod);
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(objectKey(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.matchingDaemonSets(pod)) this.enqueue(ds);
  }

  updatePod(old: PodT, cur: PodT): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    this.touchPods(old);
    this.touchPods(cur);
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = ds.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(ds, minReady * 1000 + 1000);
      return;
    }
    const dss = this.matchingDaemonSets(cur);
    const labelsChanged = JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of dss) this.enqueue(ds);
  }

  deletePod(obj: PodT | DeletedFinalStateUnknown<PodT>): void {
    const pod = unwrapTombstone(obj);
    this.touchPods(pod);
    const ref = controllerOf(pod);
    if (!ref) return; // nobody waits for orphans to go
    const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!ds) return;
    this.expectations.deletionObserved(objectKey(ds));
    this.enqueue(ds);
  }

  addNode(node: NodeT): void {
    for (const ds of this.dsInformer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
  }

  updateNode(old: NodeT, cur: NodeT): void {
    if (shouldIgnoreNodeUpdate(old, cur)) return;
    for (const ds of this.dsInformer.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  addHistory(h: CR): void {
    if (h.metadata.deletionTimestamp) {
      this.deleteHistory(h);
      return;
    }
    const ref = controllerOf(h);
    if (ref) return; // an owned revision being added needs nothing (upstream only logs it)
    for (const ds of this.matchingDaemonSets(h)) this.enqueue(ds);
  }

  updateHistory(old: CR, cur: CR): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (ds) this.enqueue(ds);
      return;
    }
    const labelsChanged = JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of this.matchingDaemonSets(cur)) this.enqueue(ds);
  }

  deleteHistory(obj: CR | DeletedFinalStateUnknown<CR>): void {
    const h = unwrapTombstone(obj);
    const ref = controllerOf(h);
    if (!ref) return;
    const ds = this.resolveControllerRef(h.metadata.namespace, ref);
    if (ds) this.enqueue(ds);
  }

  // ---- adoption (§1.9) ----

  /** controller.RecheckDeletionTimestamp with an uncached GET, run once per claim */
  private canAdopt(ds: DS): () => Promise<void> {
    let result: Promise<void> | undefined;
    return () => {
      result ??= (async () => {
        const fresh = await this.client.get<DS>(R.daemonsets, ds.metadata.namespace, ds.metadata.name!);
        if (fresh.metadata.uid !== ds.metadata.uid) {
          throw new Error(`original DaemonSet ${ds.metadata.namespace}/${ds.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`);
        }
        if (fresh.metadata.deletionTimestamp) {
          throw new Error(`${ds.metadata.namespace}/${ds.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
        }
      })();
      return result;
    };
  }

  /** ClaimObject for each candidate: keep, release, adopt; errors aggregated */
  private async claim<T extends KubeObject>(
    ds: DS,
    candidates: T[],
    res: typeof R.pods | typeof R.controllerrevisions,
    kind: string,
    canAdopt: () => Promise<void>,
  ): Promise<{ claimed: T[]; error?: Error }> {
    return claimObjects(this.client, ds, newControllerRef(ds), ds.spec?.selector, candidates, res, kind, canAdopt);
  }

  /**
   * getDaemonPods: claim the pods of the namespace. Pods another controller owns are skipped
   * by claim() anyway, so only this DaemonSet's pods and the orphans are looked at (an index).
   */
  private async getDaemonPods(ds: DS): Promise<PodT[]> {
    const ns = ds.metadata.namespace ?? '';
    let pods: PodT[];
    if (ds.metadata.uid) {
      pods = this.podInformer.byIndex(CONTROLLER_UID_INDEX, `${ns}/${ds.metadata.uid}`);
      for (const o of this.podInformer.byIndex(CONTROLLER_UID_INDEX, `${ns}/`)) pods.push(o);
    } else pods = this.podInformer.listNamespace(ns);
    const { claimed, error } = await this.claim(ds, pods, R.pods, 'Pod', this.canAdopt(ds));
    if (error) throw error;
    return claimed;
  }

  /** getNodesToDaemonPods: claimed pods by target node (deleted terminal pods left out unless asked) */
  async getNodesToDaemonPods(ds: DS, includeDeletedTerminal: boolean): Promise<Map<string, PodT[]>> {
    let pods: PodT[];
    try {
      const memo = this.syncs.get(objectKey(ds));
      const epoch = this.podsEpoch(ds);
      if (memo?.pods && memo.podsEpoch === epoch) pods = memo.pods;
      else {
        pods = await this.getDaemonPods(ds);
        if (memo) Object.assign(memo, { pods, podsEpoch: epoch });
      }
    } catch (e) {
      throw new Error(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${errMsg(e)}`);
    }
    const out = new Map<string, PodT[]>();
    for (const pod of pods) {
      if (!includeDeletedTerminal && isPodTerminal(pod) && pod.metadata.deletionTimestamp) continue;
      const node = getTargetNodeName(pod);
      if (node === undefined) continue;
      const list = out.get(node);
      if (list) list.push(pod);
      else out.set(node, [pod]);
    }
    return out;
  }

  // ---- sync (§1.2) ----

  async syncDaemonSet(key: string): Promise<void> {
    this.syncs.set(key, { podsEpoch: -1, shouldRun: new Map() });
    try {
      await this.sync(key);
    } finally {
      this.syncs.delete(key);
    }
  }

  private async sync(key: string): Promise<void> {
    const ds = this.dsInformer.get(key);
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const nodes = this.nodeInformer.list();
    if (isEmptyLabelSelector(ds.spec?.selector)) {
      this.recorder.event(ds, 'Warning', SelectingAllReason, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    let cur: CR;
    let old: CR[];
    try {
      ({ cur, old } = await this.constructHistory(ds));
    } catch (e) {
      throw new Error(`failed to construct revisions of DaemonSet: ${errMsg(e)}`);
    }
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    if (!this.expectations.satisfied(key)) {
      await this.updateDaemonSetStatus(ds, nodes, hash, false);
      return;
    }
    let err: unknown;
    try {
      await this.updateDaemonSet(ds, nodes, hash, key, old);
    } catch (e) {
      err = e;
    }
    let statusErr: unknown;
    try {
      await this.updateDaemonSetStatus(ds, nodes, hash, true);
    } catch (e) {
      statusErr = e;
    }
    if (err) throw err;
    if (statusErr) throw statusErr;
  }

  private async updateDaemonSet(ds: DS, nodes: NodeT[], hash: string, key: string, old: CR[]): Promise<void> {
    await this.manage(ds, nodes, hash);
    // roll out only once manage's own writes have been observed (the cache is trusted)
    if (this.expectations.satisfied(key)) {
      if (ds.spec?.updateStrategy?.type === 'RollingUpdate') await this.rollingUpdate(ds, nodes, hash);
    }
    try {
      await this.cleanupHistory(ds, old);
    } catch (e) {
      throw new Error(`failed to clean up revisions of DaemonSet: ${errMsg(e)}`);
    }
  }

  // ---- manage (§1.5, §1.8) ----

  /** returns how many create/delete calls were planned */
  async manage(ds: DS, nodes: NodeT[], hash: string): Promise<number> {
    const nodeToPods = await this.getNodesToDaemonPods(ds, false);
    const needing: string[] = [];
    const toDelete: string[] = [];
    for (const node of nodes) {
      const r = this.podsShouldBeOnNode(node, nodeToPods, ds, hash);
      needing.push(...r.needing);
      toDelete.push(...r.toDelete);
    }
    // unscheduled pods aimed at nodes that no longer exist would never be cleaned up by PodGC
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const [nodeName, pods] of nodeToPods) {
      if (names.has(nodeName)) continue;
      for (const p of pods) if (!p.spec?.nodeName) toDelete.push(p.metadata.name!);
    }
    await this.syncNodes(ds, toDelete, needing, hash);
    return needing.length + toDelete.length;
  }

  private podsShouldBeOnNode(node: NodeT, nodeToPods: Map<string, PodT[]>, ds: DS, hash: string): { needing: string[]; toDelete: string[] } {
    const nodeName = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = this.shouldRun(node, ds);
    const pods = nodeToPods.get(nodeName);
    const needing: string[] = [];
    const toDelete: string[] = [];
    if (shouldRun && !pods) {
      needing.push(nodeName);
    } else if (shouldContinueRunning) {
      const running: PodT[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp) continue;
        if (pod.status?.phase === 'Failed') {
          const bk = failedPodsBackoffKey(ds, nodeName);
          const now = this.clock.now();
          if (this.failedPodsBackoff.isInBackOffSinceUpdate(bk, now)) {
            this.enqueueAfter(ds, this.failedPodsBackoff.get(bk));
            continue;
          }
          this.failedPodsBackoff.next(bk, now);
          this.recorder.event(ds, 'Warning', FailedDaemonPodReason, `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`);
          toDelete.push(pod.metadata.name!);
        } else if (pod.status?.phase === 'Succeeded') {
          this.recorder.event(ds, 'Normal', SucceededDaemonPodReason, `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to delete it`);
          toDelete.push(pod.metadata.name!);
        } else running.push(pod);
      }
      if (!allowsSurge(ds)) {
        if (running.length > 1) {
          running.sort(comparePods);
          for (let i = 1; i < running.length; i++) toDelete.push(running[i].metadata.name!);
        }
      } else if (running.length <= 1) {
        if (running.length === 0 && shouldRun) needing.push(nodeName);
      } else {
        // surge: keep the oldest new-hash pod and the oldest other one; delete the rest
        running.sort(comparePods);
        let oldestNew: PodT | undefined;
        let oldestOld: PodT | undefined;
        for (const pod of running) {
          if (pod.metadata.labels?.[REVISION_HASH_LABEL] === hash) {
            if (!oldestNew) {
              oldestNew = pod;
              continue;
            }
          } else if (!oldestOld) {
            oldestOld = pod;
            continue;
          }
          toDelete.push(pod.metadata.name!);
        }
        if (oldestNew && oldestOld) {
          if (!isPodReady(oldestOld)) toDelete.push(oldestOld.metadata.name!);
          else if (isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, this.clock.now())) toDelete.push(oldestOld.metadata.name!);
        }
      }
    } else if (pods) {
      for (const pod of pods) if (!pod.metadata.deletionTimestamp) toDelete.push(pod.metadata.name!);
    }
    return { needing, toDelete };
  }

  /** the pod podControl.CreatePods builds from a template */
  private podFromTemplate(ds: DS, template: ReturnType<typeof createPodTemplate>): PodT {
    const labels = { ...(template.metadata?.labels ?? {}) };
    if (Object.keys(labels).length === 0) throw new Error('unable to create pods, no labels');
    const name = ds.metadata.name!;
    // "<ds>-" unless that is not a valid name prefix
    const masked = `${name}a`; // ValidatePodName(prefix, true) masks the trailing dash
    const validPrefix = masked.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(masked);
    const prefix = validPrefix ? `${name}-` : name;
    const meta: PodT['metadata'] = { generateName: prefix, labels, ownerReferences: [newControllerRef(ds)] };
    if (template.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
    if (template.metadata?.finalizers) meta.finalizers = [...template.metadata.finalizers];
    return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(template.spec) } as PodT;
  }

  private async createPod(ds: DS, template: ReturnType<typeof createPodTemplate>): Promise<void> {
    const pod = this.podFromTemplate(ds, template);
    try {
      const created = await this.client.create<PodT>(R.pods, ds.metadata.namespace, pod);
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
    } catch (e) {
      if (!isNamespaceTerminating(e)) this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errMsg(e)}`);
      throw e;
    }
  }

  private async deletePodCall(ds: DS, name: string): Promise<void> {
    try {
      await this.client.delete(R.pods, ds.metadata.namespace, name);
      this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (e) {
      if (isNotFound(e)) throw e;
      this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${errMsg(e)}`);
      throw new Error(`unable to delete pods: ${errMsg(e)}`);
    }
  }

  /** syncNodes: expectations first, creates in slow-start batches, then deletes in parallel */
  async syncNodes(ds: DS, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const key = objectKey(ds);
    const createDiff = Math.min(nodesNeeding.length, this.burstReplicas);
    const deleteDiff = Math.min(podsToDelete.length, this.burstReplicas);
    this.expectations.set(key, createDiff, deleteDiff);
    const errs: unknown[] = [];
    const template = createPodTemplate(ds.spec?.template, getTemplateGeneration(ds), hash);
    let batch = Math.min(createDiff, SLOW_START_INITIAL_BATCH_SIZE);
    for (let pos = 0; createDiff > pos; ) {
      const errorCount = errs.length;
      const jobs: Promise<void>[] = [];
      for (let i = pos; i < pos + batch; i++) {
        const t = structuredClone(template);
        t.spec!.affinity = replaceDaemonSetPodNodeNameNodeAffinity(t.spec!.affinity, nodesNeeding[i]);
        jobs.push(
          this.createPod(ds, t).catch((e) => {
            if (isNamespaceTerminating(e)) return;
            this.expectations.creationObserved(key);
            errs.push(e);
          }),
        );
      }
      await Promise.all(jobs);
      const skipped = createDiff - (batch + pos);
      if (errorCount < errs.length && skipped > 0) {
        this.expectations.lower(key, skipped, 0);
        break;
      }
      pos += batch;
      batch = Math.min(2 * batch, createDiff - pos);
    }
    await Promise.all(
      podsToDelete.slice(0, deleteDiff).map((name) =>
        this.deletePodCall(ds, name).catch((e) => {
          this.expectations.deletionObserved(key);
          if (!isNotFound(e)) errs.push(e);
        }),
      ),
    );
    if (errs.length) throw new AggregateError(errs);
  }

  // ---- rolling update (§3.5–3.7) ----

  /** updatedDesiredNodeCounts; adds an empty entry for every shouldRun node without pods */
  updatedDesiredNodeCounts(ds: DS, nodes: NodeT[], nodeToPods: Map<string, PodT[]>): { maxSurge: number; maxUnavailable: number; desired: number } {
    let desired = 0;
    for (const node of nodes) {
      if (!this.shouldRun(node, ds).shouldRun) continue;
      desired++;
      if (!nodeToPods.has(node.metadata.name!)) nodeToPods.set(node.metadata.name!, []);
    }
    let maxUnavailable = unavailableCount(ds, desired);
    const maxSurge = surgeCount(ds, desired);
    if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    return { maxSurge, maxUnavailable, desired };
  }

  /** findUpdatedPodsOnNode: at most one new and one old live pod, else ok=false */
  private findUpdatedPodsOnNode(ds: DS, pods: PodT[], hash: string): { newPod?: PodT; oldPod?: PodT; ok: boolean } {
    let newPod: PodT | undefined;
    let oldPod: PodT | undefined;
    const gen = getTemplateGeneration(ds);
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      if (isPodUpdated(pod, hash, gen)) {
        if (newPod) return { ok: false };
        newPod = pod;
      } else {
        if (oldPod) return { ok: false };
        oldPod = pod;
      }
    }
    return { newPod, oldPod, ok: true };
  }

  async rollingUpdate(ds: DS, nodes: NodeT[], hash: string): Promise<void> {
    const nodeToPods = await this.getNodesToDaemonPods(ds, false);
    const { maxSurge, maxUnavailable, desired } = this.updatedDesiredNodeCounts(ds, nodes, nodeToPods);
    const now = this.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const available = (p: PodT) => isPodAvailable(p, minReady, now);
    if (maxSurge === 0) {
      let numUnavailable = 0;
      const allowedReplacement: string[] = [];
      const candidates: string[] = [];
      for (const [, pods] of nodeToPods) {
        const { newPod, oldPod, ok } = this.findUpdatedPodsOnNode(ds, pods, hash);
        if (!ok) {
          numUnavailable++; // manage() prunes the extras
          continue;
        }
        if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
        else if (newPod) {
          if (!available(newPod)) numUnavailable++;
        } else if (oldPod) {
          if (!available(oldPod)) {
            allowedReplacement.push(oldPod.metadata.name!);
            numUnavailable++;
          } else if (numUnavailable >= maxUnavailable) continue;
          else candidates.push(oldPod.metadata.name!);
        }
      }
      const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
      await this.syncNodes(ds, [...allowedReplacement, ...candidates.slice(0, remaining)], [], hash);
      return;
    }
    let numSurge = 0;
    let numAvailable = 0;
    const shouldNotRunToDelete: string[] = [];
    const oldToDelete: string[] = [];
    const allowedNew: string[] = [];
    const candidateNew: string[] = [];
    for (const [nodeName, pods] of nodeToPods) {
      const { newPod, oldPod, ok } = this.findUpdatedPodsOnNode(ds, pods, hash);
      if (!ok) {
        numSurge++;
        continue;
      }
      if (oldPod && available(oldPod)) numAvailable++;
      else if (newPod && available(newPod)) numAvailable++;
      if (!oldPod) continue; // manage() handles it
      if (!newPod) {
        const node = this.nodeInformer.get(nodeName);
        if (!node) throw new Error(`invalid node ${nodeName}`);
        const shouldRun = this.shouldRun(node, ds).shouldRun;
        if (!available(oldPod)) {
          if (!shouldRun) oldToDelete.push(oldPod.metadata.name!);
          else allowedNew.push(nodeName);
        } else if (!shouldRun) shouldNotRunToDelete.push(oldPod.metadata.name!);
        else if (numSurge < maxSurge) candidateNew.push(nodeName);
        continue;
      }
      if (!available(newPod)) {
        numSurge++;
        continue;
      }
      oldToDelete.push(oldPod.metadata.name!);
    }
    // keep availability while pods move between nodes: only drop what exceeds desired
    const extra = numAvailable - desired;
    if (extra > 0) oldToDelete.push(...shouldNotRunToDelete.slice(0, extra));
    const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length);
    await this.syncNodes(ds, oldToDelete, [...allowedNew, ...candidateNew.slice(0, remaining)], hash);
  }

  // ---- status (§2) ----

  async updateDaemonSetStatus(ds: DS, nodes: NodeT[], hash: string, updateObservedGen: boolean): Promise<void> {
    const nodeToPods = await this.getNodesToDaemonPods(ds, false);
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let updated = 0;
    let available = 0;
    const now = this.clock.now();
    const gen = getTemplateGeneration(ds);
    for (const node of nodes) {
      const { shouldRun } = this.shouldRun(node, ds);
      const pods = nodeToPods.get(node.metadata.name!) ?? [];
      const scheduled = pods.length > 0;
      if (shouldRun) {
        desired++;
        if (!scheduled) continue;
        current++;
        const pod = [...pods].sort(comparePods)[0];
        if (isPodReady(pod)) {
          ready++;
          if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) available++;
        }
        if (isPodUpdated(pod, hash, gen)) updated++;
      } else if (scheduled) misscheduled++;
    }
    const counts = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      numberReady: ready,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    try {
      await this.storeDaemonSetStatus(ds, counts, updateObservedGen);
    } catch (e) {
      throw new Error(`error storing status for daemon set "${ds.metadata.name}": ${errMsg(e)}`);
    }
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && ready !== available) this.enqueueAfter(ds, minReady * 1000);
  }

  /** storeDaemonSetStatus: skip when unchanged; UpdateStatus with one GET + retry */
  private async storeDaemonSetStatus(ds: DS, counts: Record<string, number>, updateObservedGen: boolean): Promise<void> {
    const st = (ds.status ?? {}) as Record<string, unknown>;
    const unchanged = Object.entries(counts).every(([k, v]) => ((st[k] as number | undefined) ?? 0) === v);
    if (unchanged && (ds.status?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)) return;
    let toUpdate: DS = structuredClone(ds);
    let updateErr: unknown;
    for (let i = 0; ; i++) {
      const status: Record<string, unknown> = { ...(toUpdate.status ?? {}) };
      if (updateObservedGen) status.observedGeneration = ds.metadata.generation;
      // zero-valued omitempty fields are left out, as Go serializes them
      for (const [k, v] of Object.entries(counts)) {
        if (v === 0 && (k === 'updatedNumberScheduled' || k === 'numberAvailable' || k === 'numberUnavailable')) delete status[k];
        else status[k] = v;
      }
      if (!status.observedGeneration) delete status.observedGeneration;
      (toUpdate as { status?: unknown }).status = status;
      try {
        await this.client.update<DS>(R.daemonsets, ds.metadata.namespace, toUpdate, undefined, 'status');
        return;
      } catch (e) {
        updateErr = e;
      }
      if (i >= STATUS_UPDATE_RETRIES) break;
      toUpdate = await this.client.get<DS>(R.daemonsets, ds.metadata.namespace, ds.metadata.name!);
    }
    throw updateErr;
  }

  // ---- history (§3.2–3.4) ----

  private async controlledHistories(ds: DS): Promise<CR[]> {
    const all = this.historyInformer.listNamespace(ds.metadata.namespace ?? '');
    const { claimed, error } = await this.claim(ds, all, R.controllerrevisions, 'ControllerRevision', this.canAdopt(ds));
    if (error) throw error;
    return claimed;
  }

  async constructHistory(ds: DS): Promise<{ cur: CR; old: CR[] }> {
    const histories = await this.controlledHistories(ds);
    const current: CR[] = [];
    const old: CR[] = [];
    for (let h of histories) {
      if (!h.metadata.labels?.[REVISION_HASH_LABEL]) {
        const toUpdate = structuredClone(h);
        toUpdate.metadata.labels = { ...(toUpdate.metadata.labels ?? {}), [REVISION_HASH_LABEL]: toUpdate.metadata.name! };
        h = await this.client.update<CR>(R.controllerrevisions, ds.metadata.namespace, toUpdate);
      }
      if (matchRevision(ds, h)) current.push(h);
      else old.push(h);
    }
    const currRevision = old.reduce((m, h) => Math.max(m, h.revision ?? 0), 0) + 1;
    let cur: CR;
    if (current.length === 0) {
      cur = await this.snapshot(ds, currRevision);
    } else {
      cur = await this.dedupCurHistories(ds, current);
      if ((cur.revision ?? 0) < currRevision) {
        const toUpdate = structuredClone(cur);
        toUpdate.revision = currRevision;
        cur = await this.client.update<CR>(R.controllerrevisions, ds.metadata.namespace, toUpdate);
      }
    }
    return { cur, old };
  }

  private async dedupCurHistories(ds: DS, current: CR[]): Promise<CR> {
    if (current.length === 1) return current[0];
    let keep = current[0];
    let max = -1;
    for (const c of current) {
      if ((c.revision ?? 0) >= max) {
        keep = c;
        max = c.revision ?? 0;
      }
    }
    const keepHash = keep.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    for (const c of current) {
      if (c.metadata.name === keep.metadata.name) continue;
      const pods = await this.getDaemonPods(ds);
      for (const pod of pods) {
        if (pod.metadata.labels?.[REVISION_HASH_LABEL] !== keepHash) {
          await this.client.patch(R.pods, ds.metadata.namespace, pod.metadata.name!, 'strategic', { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } });
        }
      }
      await this.client.delete(R.controllerrevisions, ds.metadata.namespace, c.metadata.name!);
    }
    return keep;
  }

  /** the ControllerRevision snapshot() would create for this DaemonSet */
  newRevision(ds: DS, revision: number): CR {
    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const meta: CR['metadata'] = {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(ds)],
    };
    // a copy of the DaemonSet's annotations (change-cause, generation, last-applied)
    if (ds.metadata.annotations) meta.annotations = { ...ds.metadata.annotations };
    return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, data: JSON.parse(revisionData(ds)), revision } as CR;
  }

  private async snapshot(ds: DS, revision: number): Promise<CR> {
    const cr = this.newRevision(ds, revision);
    const name = cr.metadata.name!;
    try {
      return await this.client.create<CR>(R.controllerrevisions, ds.metadata.namespace, cr);
    } catch (outer) {
      if (!isAlreadyExists(outer)) throw outer;
      const existing = await this.client.get<CR>(R.controllerrevisions, ds.metadata.namespace, name);
      if (matchRevision(ds, existing)) return existing;
      // a hash collision: bump collisionCount (from the live object) and retry later
      const currDS = await this.client.get<DS>(R.daemonsets, ds.metadata.namespace, ds.metadata.name!);
      if ((currDS.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
        throw new Error(
          `found a stale collision count (${ds.status?.collisionCount ?? 0}, expected ${currDS.status?.collisionCount ?? 0}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`,
        );
      }
      (currDS as { status?: unknown }).status = { ...(currDS.status ?? {}), collisionCount: (currDS.status?.collisionCount ?? 0) + 1 };
      await this.client.update<DS>(R.daemonsets, ds.metadata.namespace, currDS, undefined, 'status');
      throw outer;
    }
  }

  async cleanupHistory(ds: DS, old: CR[]): Promise<void> {
    const nodeToPods = await this.getNodesToDaemonPods(ds, true);
    const toKeep = ds.spec?.revisionHistoryLimit ?? 10;
    let toKill = old.length - toKeep;
    if (toKill <= 0) return;
    const live = new Set<string>();
    for (const pods of nodeToPods.values()) for (const p of pods) if (p.metadata.labels?.[REVISION_HASH_LABEL]) live.add(p.metadata.labels[REVISION_HASH_LABEL]);
    const sorted = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    for (const h of sorted) {
      if (toKill <= 0) break;
      if (live.has(h.metadata.labels?.[REVISION_HASH_LABEL] ?? '')) continue;
      await this.client.delete(R.controllerrevisions, ds.metadata.namespace, h.metadata.name!);
      toKill--;
    }
  }
}

export { AggregateError };
