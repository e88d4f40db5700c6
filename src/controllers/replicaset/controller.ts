// The ReplicaSet controller (pkg/controller/replicaset): informers on replicasets and pods
// feed a queue of ReplicaSet keys; syncReplicaSet(key) claims pods (adopt/orphan), creates
// pods in slow-start batches or deletes the lowest-ranked ones (at most burstReplicas per
// sync, behind expectations) and writes status.

import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient, type KubeObject, type OwnerReference } from '../../client/types.js';
import { Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { labelSelectorAsSelector } from '../../client/labels.js';
import { isPodAvailable, isPodReady } from '../daemonset/util.js';
import {
  AggregateError,
  SLOW_START_INITIAL_BATCH_SIZE,
  UIDTrackingExpectations,
  claimObjects,
  controllerOf,
  errMsg,
  isNamespaceTerminating,
  isNotFound,
  isPodActive,
  rankPodsForDeletion,
  recheckDeletion,
  slowStartBatch,
} from './util.js';
import { ownersSelecting, resolveControllerRef } from '../controllerutil.js';

type K<T> = T & KubeObject;
export type RS = K<ReplicaSet>;
export type PodT = K<Pod>;

export const BURST_REPLICAS = 500;
export const STATUS_UPDATE_RETRIES = 1;
export const COMPONENT = 'replicaset-controller';

export interface ReplicaSetControllerOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  workers?: number;
  burstReplicas?: number;
  recorder?: Recorder;
}

function rfc3339(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function newControllerRef(rs: KubeObject, kind = 'ReplicaSet'): OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** the pod a controller creates from a template (controller.GetPodFromTemplate) */
export function podFromTemplate(owner: KubeObject, template: NonNullable<ReplicaSet['spec']>['template'], ref: OwnerReference): PodT {
  const labels = { ...(template?.metadata?.labels ?? {}) };
  const name = owner.metadata.name!;
  const masked = `${name}a`;
  const validPrefix = masked.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(masked);
  const meta: PodT['metadata'] = { generateName: validPrefix ? `${name}-` : name, labels, ownerReferences: [ref] };
  if (template?.metadata?.annotations) meta.annotations = { ...template.metadata.annotations };
  if (template?.metadata?.finalizers) meta.finalizers = [...template.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(template?.spec) } as PodT;
}

/** calculateStatus */
export function calculateStatus(rs: RS, filteredPods: PodT[], manageErr: unknown, now: number): ReplicaSetStatus {
  const status = structuredClone(rs.status ?? {}) as { -readonly [k in keyof ReplicaSetStatus]: ReplicaSetStatus[k] };
  let fully = 0;
  let ready = 0;
  let available = 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  for (const pod of filteredPods) {
    const pl = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => pl[k] === v)) fully++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, rs.spec?.minReadySeconds ?? 0, now)) available++;
    }
  }
  const conds = [...(status.conditions ?? [])];
  const failure = conds.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: ReplicaSetCondition = { type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message: errMsg(manageErr) };
    status.conditions = [...conds, cond];
  } else if (!manageErr && failure) {
    const rest = conds.filter((c) => c.type !== 'ReplicaFailure');
    if (rest.length) status.conditions = rest;
    else delete status.conditions;
  }
  status.replicas = filteredPods.length;
  status.fullyLabeledReplicas = fully;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status as ReplicaSetStatus;
}

export class ReplicaSetController {
  readonly rsInformer: Informer<RS>;
  readonly podInformer: Informer<PodT>;
  readonly queue: WorkQueue<string>;
  readonly expectations: UIDTrackingExpectations;
  readonly recorder: Recorder;
  private readonly workers: number;
  readonly burstReplicas: number;
  private running: Promise<void> | undefined;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: ReplicaSetControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.workers = opts.workers ?? 2;
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.expectations = new UIDTrackingExpectations(clock);
    this.rsInformer = this.informers.informerFor<RS>(R.replicasets);
    this.podInformer = this.informers.informerFor<PodT>(R.pods);
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => this.updateRS(old, cur),
      onDelete: (rs) => this.deleteRS(rs),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (o, n) => this.updatePod(o, n),
      onDelete: (p) => this.deletePod(p),
    });
  }

  async startInformers(): Promise<void> {
    await Promise.all([this.rsInformer.start(), this.podInformer.start()]);
  }

  async start(): Promise<void> {
    await this.startInformers();
    this.running = runWorkers(this.queue, this.workers, (key) => this.syncReplicaSet(key));
  }

  stop(): void {
    this.queue.shutdown();
    this.rsInformer.stop();
    this.podInformer.stop();
  }

  async done(): Promise<void> {
    await this.running;
  }

  // ---- event handlers ----

  enqueue(rs: RS): void {
    this.queue.add(objectKey(rs));
  }

  private updateRS(old: RS, cur: RS): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteRS(old);
    this.enqueue(cur);
  }

  deleteRS(obj: RS | DeletedFinalStateUnknown<RS>): void {
    const rs = unwrapTombstone(obj);
    const key = objectKey(rs);
    this.expectations.delete(key);
    this.queue.add(key);
  }

  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): RS | undefined {
    return resolveControllerRef(this.rsInformer, 'ReplicaSet', namespace, ref);
  }

  /** getPodReplicaSets: every RS of the namespace whose selector matches the pod */
  private matchingReplicaSets(pod: PodT): RS[] {
    return ownersSelecting(this.rsInformer.listNamespace(pod.metadata.namespace ?? ''), pod.metadata.labels);
  }

  addPod(pod: PodT): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.matchingReplicaSets(pod)) this.enqueue(rs);
  }

  updatePod(old: PodT, cur: PodT): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelChanged = JSON.stringify(cur.metadata.labels ?? {}) !== JSON.stringify(old.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.matchingReplicaSets(cur)) this.enqueue(rs);
  }

  deletePod(obj: PodT | DeletedFinalStateUnknown<PodT>): void {
    const pod = unwrapTombstone(obj);
    const ref = controllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  // ---- sync ----

  async syncReplicaSet(key: string): Promise<void> {
    const rs = this.rsInformer.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    try {
      labelSelectorAsSelector(rs.spec?.selector);
    } catch (e) {
      return; // upstream logs and does not retry an invalid selector
    }
    const all = this.podInformer.listNamespace(rs.metadata.namespace ?? '');
    const active = all.filter(isPodActive);
    const { claimed, error } = await claimObjects(
      this.client,
      rs,
      newControllerRef(rs),
      rs.spec?.selector,
      active,
      R.pods,
      'Pod',
      recheckDeletion(this.client, R.replicasets, rs, 'ReplicaSet'),
    );
    if (error) throw error;
    let manageErr: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(claimed, rs);
      } catch (e) {
        manageErr = e;
      }
    }
    const status = calculateStatus(rs, claimed, manageErr, this.clock.now());
    const updated = await this.updateReplicaSetStatus(rs, status);
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (
      !manageErr &&
      minReady > 0 &&
      updated.status?.readyReplicas === (updated.spec?.replicas ?? 1) &&
      updated.status?.availableReplicas !== (updated.spec?.replicas ?? 1)
    ) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr;
  }

  /** getIndirectlyRelatedPods: pods of every RS that shares this RS's controller (its siblings) */
  private relatedPods(rs: RS): PodT[] {
    const ref = controllerOf(rs);
    const owners = new Set<string>([rs.metadata.uid!]);
    if (ref) {
      for (const other of this.rsInformer.listNamespace(rs.metadata.namespace ?? '')) {
        if (controllerOf(other)?.uid === ref.uid) owners.add(other.metadata.uid!);
      }
    }
    return this.podInformer.listNamespace(rs.metadata.namespace ?? '').filter((p) => {
      const r = controllerOf(p);
      return r !== undefined && owners.has(r.uid);
    });
  }

  /** getPodsToDelete: the `diff` lowest-ranked pods */
  getPodsToDelete(filteredPods: PodT[], relatedPods: PodT[], diff: number): PodT[] {
    if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
    const onNode = new Map<string, number>();
    for (const p of relatedPods) {
      if (!isPodActive(p)) continue;
      const n = p.spec?.nodeName ?? '';
      onNode.set(n, (onNode.get(n) ?? 0) + 1);
    }
    const ranks = filteredPods.map((p) => onNode.get(p.spec?.nodeName ?? '') ?? 0);
    return rankPodsForDeletion(filteredPods, ranks, this.clock.now()).slice(0, diff);
  }

  async manageReplicas(filteredPods: PodT[], rs: RS): Promise<void> {
    const key = objectKey(rs);
    let diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      diff = Math.min(-diff, this.burstReplicas);
      this.expectations.expectCreations(key, diff);
      const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        const pod = podFromTemplate(rs, rs.spec?.template, newControllerRef(rs));
        try {
          const created = await this.client.create<PodT>(R.pods, rs.metadata.namespace, pod);
          this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
        } catch (e) {
          if (isNamespaceTerminating(e)) return; // the namespace is going: nothing to retry
          this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errMsg(e)}`);
          throw e;
        }
      });
      const skipped = diff - successes;
      if (skipped > 0) {
        for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
      }
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, this.burstReplicas);
      const toDelete = this.getPodsToDelete(filteredPods, this.relatedPods(rs), diff);
      this.expectations.expectDeletions(key, toDelete.map((p) => objectKey(p)));
      const errs: unknown[] = [];
      await Promise.all(
        toDelete.map(async (p) => {
          try {
            await this.client.delete(R.pods, p.metadata.namespace, p.metadata.name!);
            this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          } catch (e) {
            this.expectations.deletionObserved(key, objectKey(p));
            if (!isNotFound(e)) {
              this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errMsg(e)}`);
              errs.push(e);
            }
          }
        }),
      );
      if (errs.length) throw errs[0];
    }
  }

  /** updateReplicaSetStatus: skip when nothing changed; one retry with a fresh GET */
  async updateReplicaSetStatus(rs: RS, status: ReplicaSetStatus): Promise<RS> {
    const same = (r: RS) =>
      (r.status?.replicas ?? 0) === (status.replicas ?? 0) &&
      (r.status?.fullyLabeledReplicas ?? 0) === (status.fullyLabeledReplicas ?? 0) &&
      (r.status?.readyReplicas ?? 0) === (status.readyReplicas ?? 0) &&
      (r.status?.availableReplicas ?? 0) === (status.availableReplicas ?? 0) &&
      (r.metadata.generation ?? 0) === (r.status?.observedGeneration ?? 0) &&
      JSON.stringify(r.status?.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    let cur = rs;
    let lastErr: unknown;
    for (let i = 0; ; i++) {
      if (same(cur)) return cur;
      const next = { ...cur, status: { ...status, observedGeneration: cur.metadata.generation } } as RS;
      try {
        return await this.client.update<RS>(R.replicasets, cur.metadata.namespace, next, undefined, 'status');
      } catch (e) {
        lastErr = e;
      }
      if (i === STATUS_UPDATE_RETRIES) break;
      try {
        cur = await this.client.get<RS>(R.replicasets, rs.metadata.namespace, rs.metadata.name!);
      } catch (e) {
        throw e;
      }
    }
    throw lastErr;
  }
}

export { AggregateError };
