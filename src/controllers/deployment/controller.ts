// The Deployment controller (pkg/controller/deployment): informers on deployments,
// replicasets and pods feed a queue of Deployment keys; syncDeployment(key) claims
// ReplicaSets, finds or creates the new one (`<deployment>-<pod-template-hash>`), keeps the
// revision annotations, scales (proportionally when the size changes mid-rollout), rolls out
// (RollingUpdate surge first, or Recreate), cleans up old ReplicaSets past
// revisionHistoryLimit and writes status with the Progressing and Available conditions.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DeploymentCondition, DeploymentStatus } from 'kubernetes-types/apps/v1.js';
import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient, type KubeObject, type OwnerReference } from '../../client/types.js';
import { Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { isEmptyLabelSelector, labelSelectorAsSelector, matchesSelector } from '../../client/labels.js';
import { computeHash } from '../daemonset/revision.js';
import { claimObjects, controllerOf, errMsg, isAlreadyExists, isNamespaceTerminating, isNotFound, recheckDeletion } from '../replicaset/util.js';
import {
  DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
  FailedRSCreateReason,
  FoundNewRSReason,
  MinimumReplicasAvailable,
  MinimumReplicasUnavailable,
  NewRSAvailableReason,
  NewReplicaSetReason,
  PausedDeployReason,
  ReplicaSetUpdatedReason,
  ResumedDeployReason,
  TimedOutReason,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  getCondition,
  getDesiredReplicasAnnotation,
  getProportion,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  removeCondition,
  replicas,
  replicasAnnotationsNeedUpdate,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumActual,
  sumAvailable,
  sumReady,
  sumReplicas,
  type DeployT,
  type RST,
} from './util.js';

type PodT = Pod & KubeObject;
type Mut<T> = { -readonly [K in keyof T]: T[K] };

export const COMPONENT = 'deployment-controller';

export interface DeploymentControllerOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  workers?: number;
  recorder?: Recorder;
}

function newControllerRef(d: DeployT): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** calculateStatus (sync.go) */
export function calculateStatus(allRSs: (RST | undefined)[], newRS: RST | undefined, d: DeployT, now: number): DeploymentStatus {
  const available = sumAvailable(allRSs);
  const total = sumReplicas(allRSs);
  const status: Mut<DeploymentStatus> = {
    observedGeneration: d.metadata.generation,
    replicas: sumActual(allRSs),
    updatedReplicas: sumActual([newRS]),
    readyReplicas: sumReady(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  status.conditions = [...(d.status?.conditions ?? [])];
  if (available >= replicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** deep equality of statuses as reflect.DeepEqual sees the Go structs (zero values = absent) */
function sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) => {
    const o: Record<string, unknown> = {};
    for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const) {
      o[k] = s?.[k] ?? (k === 'collisionCount' ? null : 0);
    }
    o.conditions = (s?.conditions ?? []).length ? s!.conditions : [];
    return JSON.stringify(o);
  };
  return norm(a) === norm(b);
}

export class DeploymentController {
  readonly dInformer: Informer<DeployT>;
  readonly rsInformer: Informer<RST>;
  readonly podInformer: Informer<PodT>;
  readonly queue: WorkQueue<string>;
  readonly recorder: Recorder;
  private readonly workers: number;
  private running: Promise<void> | undefined;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: DeploymentControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.workers = opts.workers ?? 2;
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.dInformer = this.informers.informerFor<DeployT>(R.deployments);
    this.rsInformer = this.informers.informerFor<RST>(R.replicasets);
    this.podInformer = this.informers.informerFor<PodT>(R.pods);
    this.dInformer.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_o, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(unwrapTombstone(d)),
    });
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (o, n) => this.updateReplicaSet(o, n),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    this.podInformer.addEventHandler({ onDelete: (p) => this.deletePod(p) });
  }

  async startInformers(): Promise<void> {
    await Promise.all([this.dInformer.start(), this.rsInformer.start(), this.podInformer.start()]);
  }

  async start(): Promise<void> {
    await this.startInformers();
    this.running = runWorkers(this.queue, this.workers, (key) => this.syncDeployment(key));
  }

  stop(): void {
    this.queue.shutdown();
    for (const i of [this.dInformer, this.rsInformer, this.podInformer]) i.stop();
  }

  async done(): Promise<void> {
    await this.running;
  }

  // ---- event handlers ----

  enqueue(d: DeployT): void {
    this.queue.add(objectKey(d));
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): DeployT | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.get(`${namespace}/${ref.name}`);
    if (!d || d.metadata.uid !== ref.uid) return undefined;
    return d;
  }

  /** getDeploymentsForReplicaSet */
  private matchingDeployments(rs: RST): DeployT[] {
    const out: DeployT[] = [];
    for (const d of this.dInformer.listNamespace(rs.metadata.namespace ?? '')) {
      let sel;
      try {
        sel = labelSelectorAsSelector(d.spec?.selector);
      } catch {
        continue;
      }
      if (!sel || sel.length === 0) continue;
      if (matchesSelector(sel, rs.metadata.labels)) out.push(d);
    }
    return out;
  }

  private addReplicaSet(rs: RST): void {
    if (rs.metadata.deletionTimestamp) return this.deleteReplicaSet(rs);
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.matchingDeployments(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: RST, cur: RST): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged = JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.matchingDeployments(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(obj: RST | DeletedFinalStateUnknown<RST>): void {
    const rs = unwrapTombstone(obj);
    const ref = controllerOf(rs);
    if (!ref) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, ref);
    if (d) this.enqueue(d);
  }

  /** deletePod: a Recreate deployment waits for its old pods to be gone */
  private deletePod(obj: PodT | DeletedFinalStateUnknown<PodT>): void {
    const pod = unwrapTombstone(obj);
    const rsRef = controllerOf(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.get(`${pod.metadata.namespace}/${rsRef.name}`);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const dRef = controllerOf(rs);
    if (!dRef) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, dRef);
    if (!d || d.spec?.strategy?.type !== 'Recreate') return;
    const rsUids = new Set(this.rsInformer.listNamespace(d.metadata.namespace ?? '').filter((r) => controllerOf(r)?.uid === d.metadata.uid).map((r) => r.metadata.uid));
    const left = this.podInformer.listNamespace(d.metadata.namespace ?? '').filter((p) => rsUids.has(controllerOf(p)?.uid ?? ''));
    if (left.length === 0) this.enqueue(d);
  }

  // ---- sync ----

  private async getReplicaSetsForDeployment(d: DeployT): Promise<RST[]> {
    const candidates = this.rsInformer.listNamespace(d.metadata.namespace ?? '');
    const { claimed, error } = await claimObjects(
      this.client,
      d,
      newControllerRef(d),
      d.spec?.selector,
      candidates,
      R.replicasets,
      'ReplicaSet',
      recheckDeletion(this.client, R.deployments, d, 'Deployment'),
    );
    if (error) throw error;
    return claimed;
  }

  /** getPodMapForDeployment: pods by the UID of their (claimed) ReplicaSet */
  private podMap(d: DeployT, rsList: RST[]): Map<string, PodT[]> {
    const out = new Map<string, PodT[]>();
    for (const rs of rsList) out.set(rs.metadata.uid!, []);
    let sel;
    try {
      sel = labelSelectorAsSelector(d.spec?.selector);
    } catch {
      return out;
    }
    for (const p of this.podInformer.listNamespace(d.metadata.namespace ?? '')) {
      if (!sel || !matchesSelector(sel, p.metadata.labels)) continue;
      const ref = controllerOf(p);
      if (ref && out.has(ref.uid)) out.get(ref.uid)!.push(p);
    }
    return out;
  }

  async syncDeployment(key: string): Promise<void> {
    const cached = this.dInformer.get(key);
    if (!cached) return;
    const d = structuredClone(cached) as DeployT;
    if (isEmptyLabelSelector(d.spec?.selector)) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        (d as { status: Mut<DeploymentStatus> }).status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.client.update(R.deployments, d.metadata.namespace, d, undefined, 'status');
      }
      return;
    }
    const rsList = await this.getReplicaSetsForDeployment(d);
    const podMap = this.podMap(d, rsList);
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec?.paused) return this.sync(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.sync(d, rsList);
    if (d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate(d, rsList, podMap);
    return this.rolloutRolling(d, rsList);
  }

  private async updateStatus(d: DeployT): Promise<DeployT> {
    return this.client.update<DeployT>(R.deployments, d.metadata.namespace, d, undefined, 'status');
  }

  private async checkPausedConditions(d: DeployT): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status?.conditions, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedExists = cond?.reason === PausedDeployReason;
    const status = { ...(d.status ?? {}) } as Mut<DeploymentStatus>;
    if (d.spec?.paused && !pausedExists) {
      setCondition(status, newCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', this.clock.now()));
    } else if (!d.spec?.paused && pausedExists) {
      setCondition(status, newCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', this.clock.now()));
    } else return;
    (d as { status: DeploymentStatus }).status = status;
    const updated = await this.updateStatus(d);
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  /** getAllReplicaSetsAndSyncRevision */
  private async getAllReplicaSetsAndSyncRevision(d: DeployT, rsList: RST[], create: boolean): Promise<{ newRS: RST | undefined; oldRSs: RST[] }> {
    const [, allOld] = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, allOld, create);
    return { newRS, oldRSs: allOld };
  }

  async getNewReplicaSet(d: DeployT, rsList: RST[], oldRSs: RST[], create: boolean): Promise<RST | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    const now = this.clock.now();
    if (existing) {
      const rsCopy = structuredClone(existing) as RST;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyUpdate) {
        (rsCopy.spec as Mut<NonNullable<RST['spec']>>).minReadySeconds = d.spec?.minReadySeconds ?? 0;
        const updated = await this.client.update<RST>(R.replicasets, rsCopy.metadata.namespace, rsCopy);
        // later steps of this sync see the written copy (upstream re-reads a stale lister and conflicts once)
        const i = rsList.findIndex((r) => r.metadata.uid === updated.metadata.uid);
        if (i >= 0) rsList[i] = updated;
        return updated;
      }
      let needsUpdate = setDeploymentRevision(d, rsCopy.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '');
      const cond = getCondition(d.status?.conditions, 'Progressing');
      if (hasProgressDeadline(d) && !cond) {
        const status = { ...(d.status ?? {}) } as Mut<DeploymentStatus>;
        setCondition(status, newCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set "${rsCopy.metadata.name}"`, now));
        (d as { status: DeploymentStatus }).status = status;
        needsUpdate = true;
      }
      if (needsUpdate) {
        const updated = await this.updateStatus(d);
        d.metadata.resourceVersion = updated.metadata.resourceVersion;
      }
      return rsCopy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec!.template) as Mut<NonNullable<DeployT['spec']>['template']>;
    const hash = computeHash(template, d.status?.collisionCount);
    const labels = { ...(d.spec?.template?.metadata?.labels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    template.metadata = { ...(template.metadata ?? {}), labels };
    const selector = structuredClone(d.spec!.selector) as Mut<NonNullable<DeployT['spec']>['selector']>;
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    const newRS = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, ownerReferences: [newControllerRef(d)], labels },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    } as RST;
    const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    (newRS.spec as Mut<NonNullable<RST['spec']>>).replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: RST;
    let alreadyExists = false;
    try {
      created = await this.client.create<RST>(R.replicasets, d.metadata.namespace, newRS);
    } catch (e) {
      if (isAlreadyExists(e)) {
        alreadyExists = true;
        const rs = this.rsInformer.get(`${d.metadata.namespace}/${newRS.metadata.name}`);
        const ref = rs && controllerOf(rs);
        if (rs && ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
          created = rs;
        } else {
          // a hash collision: bump collisionCount so the next sync computes another name
          const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          (d as { status: DeploymentStatus }).status = status;
          await this.updateStatus(d).catch(() => undefined);
          throw e;
        }
      } else if (isNamespaceTerminating(e)) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${errMsg(e)}`;
        if (hasProgressDeadline(d)) {
          const status = { ...(d.status ?? {}) } as Mut<DeploymentStatus>;
          setCondition(status, newCondition('Progressing', 'False', FailedRSCreateReason, msg, now));
          (d as { status: DeploymentStatus }).status = status;
          await this.updateStatus(d).catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', FailedRSCreateReason, msg);
        throw e;
      }
    }
    if (!alreadyExists && count > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${count} from 0`);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const status = { ...(d.status ?? {}) } as Mut<DeploymentStatus>;
      setCondition(status, newCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${created.metadata.name}"`, now));
      (d as { status: DeploymentStatus }).status = status;
      needsUpdate = true;
    }
    if (needsUpdate) {
      const updated = await this.updateStatus(d);
      d.metadata.resourceVersion = updated.metadata.resourceVersion;
    }
    return created;
  }

  // ---- scaling ----

  async scaleReplicaSet(rs: RST, newScale: number, d: DeployT, op: string): Promise<{ scaled: boolean; rs: RST }> {
    const sizeNeedsUpdate = replicas(rs) !== newScale;
    const max = replicas(d) + maxSurge(d);
    const annotationsNeedUpdate = replicasAnnotationsNeedUpdate(rs, replicas(d), max);
    if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
    const oldScale = replicas(rs);
    const copy = structuredClone(rs) as RST;
    (copy.spec as Mut<NonNullable<RST['spec']>>).replicas = newScale;
    setReplicasAnnotations(copy, replicas(d), max);
    const updated = await this.client.update<RST>(R.replicasets, copy.metadata.namespace, copy);
    if (sizeNeedsUpdate) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata.name} to ${newScale} from ${oldScale}`);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  private async scaleReplicaSetAndRecordEvent(rs: RST, newScale: number, d: DeployT): Promise<{ scaled: boolean; rs: RST }> {
    if (replicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, d, replicas(rs) < newScale ? 'up' : 'down');
  }

  private async isScalingEvent(d: DeployT, rsList: RST[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = getDesiredReplicasAnnotation(rs);
      if (desired === undefined) continue;
      if (desired !== replicas(d)) return true;
    }
    return false;
  }

  /** scale: proportional scaling of every active ReplicaSet */
  async scale(d: DeployT, newRS: RST | undefined, oldRSs: RST[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicas(activeOrLatest) === replicas(d)) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicas(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = filterActive([...oldRSs, newRS]);
    const allReplicas = sumReplicas(all);
    const allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
    const toAdd = allowed - allReplicas;
    let op = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      op = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = getProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.name!, replicas(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.name!, replicas(rs));
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      if (i === 0 && toAdd !== 0) sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs.metadata.name!)!, d, op);
    }
  }

  private async sync(d: DeployT, rsList: RST[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async syncStatusOnly(d: DeployT, rsList: RST[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async syncDeploymentStatus(allRSs: (RST | undefined)[], newRS: RST | undefined, d: DeployT): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.clock.now());
    if (sameStatus(d.status, status)) return;
    await this.updateStatus({ ...d, status } as DeployT);
  }

  // ---- rolling update (rolling.go) ----

  async rolloutRolling(d: DeployT, rsList: RST[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const nrs = newRS!;
    const allRSs = [...oldRSs, nrs];
    if (await this.reconcileNewReplicaSet(allRSs, nrs, d)) return this.syncRolloutStatus(allRSs, nrs, d);
    if (await this.reconcileOldReplicaSets(allRSs, filterActive(oldRSs), nrs, d)) return this.syncRolloutStatus(allRSs, nrs, d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs, nrs, d);
  }

  async reconcileNewReplicaSet(allRSs: RST[], newRS: RST, d: DeployT): Promise<boolean> {
    if (replicas(newRS) === replicas(d)) return false;
    if (replicas(newRS) > replicas(d)) return (await this.scaleReplicaSetAndRecordEvent(newRS, replicas(d), d)).scaled;
    const count = newRSNewReplicas(d, allRSs, newRS);
    return (await this.scaleReplicaSetAndRecordEvent(newRS, count, d)).scaled;
  }

  async reconcileOldReplicaSets(allRSs: RST[], oldRSs: RST[], newRS: RST, d: DeployT): Promise<boolean> {
    if (sumReplicas(oldRSs) === 0) return false;
    const allPods = sumReplicas(allRSs);
    const minAvailable = replicas(d) - maxUnavailable(d);
    const newUnavailable = replicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const { oldRSs: cleaned, count: cleanupCount } = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned, newRS], cleaned, d);
    return cleanupCount + scaledDown > 0;
  }

  async cleanupUnhealthyReplicas(oldRSs: RST[], d: DeployT, maxCleanup: number): Promise<{ oldRSs: RST[]; count: number }> {
    const sorted = [...oldRSs].sort(byCreation);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break;
      const rs = sorted[i];
      const avail = rs.status?.availableReplicas ?? 0;
      if (replicas(rs) === 0 || replicas(rs) === avail) continue;
      const down = Math.min(maxCleanup - total, replicas(rs) - avail);
      const next = replicas(rs) - down;
      if (next > replicas(rs)) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas(rs)} -> ${next}`);
      const r = await this.scaleReplicaSetAndRecordEvent(rs, next, d);
      total += down;
      sorted[i] = r.rs;
    }
    return { oldRSs: sorted, count: total };
  }

  async scaleDownOldReplicaSetsForRollingUpdate(allRSs: RST[], oldRSs: RST[], d: DeployT): Promise<number> {
    const minAvailable = replicas(d) - maxUnavailable(d);
    const available = sumAvailable(allRSs);
    if (available <= minAvailable) return 0;
    const sorted = [...oldRSs].sort(byCreation);
    let total = 0;
    const want = available - minAvailable;
    for (const rs of sorted) {
      if (total >= want) break;
      if (replicas(rs) === 0) continue;
      const down = Math.min(replicas(rs), want - total);
      await this.scaleReplicaSetAndRecordEvent(rs, replicas(rs) - down, d);
      total += down;
    }
    return total;
  }

  // ---- recreate (recreate.go) ----

  async rolloutRecreate(d: DeployT, rsList: RST[], podMap: Map<string, PodT[]>): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let allRSs = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      if ((await this.scaleReplicaSetAndRecordEvent(rs, 0, d)).scaled) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(allRSs, newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs, podMap)) return this.syncRolloutStatus(allRSs, newRS, d);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true));
      allRSs = [...oldRSs, newRS];
    }
    await this.scaleReplicaSetAndRecordEvent(newRS!, replicas(d), d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(allRSs, newRS, d);
  }

  private oldPodsRunning(newRS: RST | undefined, oldRSs: RST[], podMap: Map<string, PodT[]>): boolean {
    if (sumActual(oldRSs) > 0) return true;
    for (const [uid, pods] of podMap) {
      if (newRS && newRS.metadata.uid === uid) continue;
      for (const p of pods) if (p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded') return true;
    }
    return false;
  }

  // ---- history ----

  async cleanupDeployment(oldRSs: RST[], d: DeployT): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - (d.spec!.revisionHistoryLimit ?? 0);
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || replicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      try {
        await this.client.delete(R.replicasets, rs.metadata.namespace, rs.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- progress (progress.go) ----

  async syncRolloutStatus(allRSs: (RST | undefined)[], newRS: RST | undefined, d: DeployT): Promise<void> {
    const now = this.clock.now();
    const status = calculateStatus(allRSs, newRS, d, now) as Mut<DeploymentStatus>;
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const currentCond = getCondition(d.status?.conditions, 'Progressing');
    const isComplete = status.replicas === status.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
    if (hasProgressDeadline(d) && !isComplete) {
      if (deploymentComplete(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
        setCondition(status, newCondition('Progressing', 'True', NewRSAvailableReason, msg, now));
      } else if (deploymentProgressing(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
        const cond = newCondition('Progressing', 'True', ReplicaSetUpdatedReason, msg, now) as Mut<DeploymentCondition>;
        if (currentCond) {
          if (currentCond.status === 'True') cond.lastTransitionTime = currentCond.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, cond);
      } else if (deploymentTimedOut(d, status, now)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setCondition(status, newCondition('Progressing', 'False', TimedOutReason, msg, now));
      }
    }
    const failures = this.getReplicaFailures(allRSs, newRS);
    if (failures.length) setCondition(status, failures[0]);
    else removeCondition(status, 'ReplicaFailure');
    if (sameStatus(d.status, status)) {
      this.requeueStuckDeployment(d, status);
      return;
    }
    await this.updateStatus({ ...d, status } as DeployT);
  }

  private getReplicaFailures(allRSs: (RST | undefined)[], newRS: RST | undefined): DeploymentCondition[] {
    const conv = (rs: RST | undefined) =>
      (rs?.status?.conditions ?? [])
        .filter((c) => c.type === 'ReplicaFailure')
        .map((c) => ({ type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message }) as DeploymentCondition);
    const fromNew = conv(newRS);
    if (fromNew.length) return fromNew;
    return allRSs.filter((rs) => rs && rs !== newRS).flatMap(conv);
  }

  /** requeueStuckDeployment: check progress again when the deadline would pass */
  private requeueStuckDeployment(d: DeployT, status: DeploymentStatus): void {
    const cond = getCondition(d.status?.conditions, 'Progressing');
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, status) || cond.reason === TimedOutReason) return;
    const from = cond.lastUpdateTime ? Date.parse(cond.lastUpdateTime) : 0;
    const after = from + (d.spec!.progressDeadlineSeconds ?? 0) * 1000 - this.clock.now();
    if (after < 1000) this.queue.addRateLimited(objectKey(d));
    else this.queue.addAfter(objectKey(d), after + 1000);
  }
}
