// The Job controller (pkg/controller/job/job_controller.go, Kubernetes 1.32): informers on jobs
// and pods feed a queue of Job keys; syncJob(key) claims the job's pods, counts finished pods
// through the batch.kubernetes.io/job-tracking finalizer and status.uncountedTerminatedPods,
// decides success (SuccessCriteriaMet, then Complete) or failure (FailureTarget, then Failed:
// backoffLimit, activeDeadlineSeconds, podFailurePolicy), and creates or deletes pods toward
// min(parallelism, remaining completions) with the exponential back-off after failures.

import { isDeepStrictEqual } from 'node:util';
import type { JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient, type OwnerReference } from '../../client/types.js';
import { type Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { isPodReady } from '../daemonset/util.js';
import { podFromTemplate } from '../replicaset/controller.js';
import { UIDTrackingExpectations, claimObjects, controllerOf, errMsg, isNamespaceTerminating, isNotFound, recheckDeletion, resolveControllerRef, slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from '../controllerutil.js';
import {
  COMPLETION_INDEX_ANNOTATION,
  JOB_INDEX_ENV,
  JOB_TRACKING_FINALIZER,
  MAX_POD_CREATE_DELETE_PER_SYNC,
  completionIndex,
  condition,
  formatIndexes,
  hasTrackingFinalizer,
  hasTrueCondition,
  isJobFinished,
  isPodFailed,
  isTerminal,
  matchPodFailurePolicy,
  parseIndexes,
  podFinishTime,
  remainingBackoff,
  rfc3339,
  type JobT,
  type PodT,
} from './util.js';

export const COMPONENT = 'job-controller';

export interface JobControllerOptions {
  workers?: number;
  recorder?: Recorder;
  informers?: SharedInformerFactory;
}

/** what the controller remembers of a job's failures (backoffRecord) */
interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function newJobControllerRef(job: JobT): OwnerReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name!, uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export class JobController {
  readonly jobInformer: Informer<JobT>;
  readonly podInformer: Informer<PodT>;
  readonly queue: WorkQueue<string>;
  /** pods whose tracking finalizer must go because their job is gone or finished (orphanQueue) */
  readonly orphanQueue: WorkQueue<string>;
  readonly expectations: UIDTrackingExpectations;
  readonly recorder: Recorder;
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly workers: number;
  private running: Promise<void>[] = [];

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: JobControllerOptions = {},
  ) {
    const informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.workers = opts.workers ?? 2;
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.orphanQueue = new WorkQueue<string>(clock);
    this.expectations = new UIDTrackingExpectations(clock);
    this.jobInformer = informers.informerFor<JobT>(R.jobs);
    this.podInformer = informers.informerFor<PodT>(R.pods);
    this.jobInformer.addEventHandler({
      onAdd: (j) => this.enqueue(j),
      onUpdate: (old, cur) => this.updateJob(old, cur),
      onDelete: (j) => this.deleteJob(j),
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.addPod(p),
      onUpdate: (_o, n) => this.updatePod(n),
      onDelete: (p) => this.deletePod(p),
    });
  }

  async startInformers(): Promise<void> {
    await Promise.all([this.jobInformer.start(), this.podInformer.start()]);
  }

  async start(): Promise<void> {
    await this.startInformers();
    this.running = [
      runWorkers(this.queue, this.workers, (key) => this.syncJob(key)),
      runWorkers(this.orphanQueue, 1, (key) => this.syncOrphanPod(key)),
    ];
  }

  stop(): void {
    this.queue.shutdown();
    this.orphanQueue.shutdown();
    this.jobInformer.stop();
    this.podInformer.stop();
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
  }

  // ---- event handlers ----

  enqueue(job: JobT): void {
    this.queue.add(objectKey(job));
  }

  private updateJob(old: JobT, cur: JobT): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteJob(old);
    this.enqueue(cur);
    // a new deadline is checked when it passes
    const ads = cur.spec?.activeDeadlineSeconds;
    const start = cur.status?.startTime ? Date.parse(cur.status.startTime) : undefined;
    if (ads != null && start !== undefined && ads !== old.spec?.activeDeadlineSeconds) {
      this.queue.addAfter(objectKey(cur), Math.max(0, start + ads * 1000 - this.clock.now()));
    }
  }

  private deleteJob(obj: JobT | DeletedFinalStateUnknown<JobT>): void {
    const job = unwrapTombstone(obj);
    const key = objectKey(job);
    this.expectations.delete(key);
    this.backoff.delete(key);
    // its pods' finalizers must go, or they would never be deleted
    for (const p of this.podInformer.listNamespace(job.metadata.namespace ?? '')) {
      if (controllerOf(p)?.uid === job.metadata.uid && hasTrackingFinalizer(p)) this.orphanQueue.add(objectKey(p));
    }
  }

  private jobOf(pod: PodT): JobT | undefined {
    const ref = controllerOf(pod);
    return ref ? resolveControllerRef(this.jobInformer, 'Job', pod.metadata.namespace, ref) : undefined;
  }

  private addPod(pod: PodT): void {
    const job = this.jobOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.orphanQueue.add(objectKey(pod));
      return;
    }
    if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(objectKey(job), objectKey(pod));
    else this.expectations.creationObserved(objectKey(job));
    this.enqueue(job);
  }

  private updatePod(pod: PodT): void {
    const job = this.jobOf(pod);
    if (!job) {
      if (hasTrackingFinalizer(pod)) this.orphanQueue.add(objectKey(pod));
      return;
    }
    if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(objectKey(job), objectKey(pod));
    this.enqueue(job);
  }

  private deletePod(obj: PodT | DeletedFinalStateUnknown<PodT>): void {
    const pod = unwrapTombstone(obj);
    const job = this.jobOf(pod);
    if (!job) return;
    this.expectations.deletionObserved(objectKey(job), objectKey(pod));
    this.enqueue(job);
  }

  // ---- orphan pods ----

  /** syncOrphanPod: drop the tracking finalizer of a pod whose job is gone or finished */
  async syncOrphanPod(key: string): Promise<void> {
    const pod = this.podInformer.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const job = this.jobOf(pod);
    if (job && !isJobFinished(job)) return;
    await this.removeTrackingFinalizer(pod);
  }

  private async removeTrackingFinalizer(pod: PodT): Promise<void> {
    const finalizers = pod.metadata.finalizers ?? [];
    const i = finalizers.indexOf(JOB_TRACKING_FINALIZER);
    if (i < 0) return;
    try {
      // a JSON patch that tests the finalizer's position: never removes another one
      await this.client.patch(R.pods, pod.metadata.namespace, pod.metadata.name!, 'json', [
        { op: 'test', path: `/metadata/finalizers/${i}`, value: JOB_TRACKING_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${i}` },
      ]);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  // ---- sync ----

  async syncJob(key: string): Promise<void> {
    const job = this.jobInformer.get(key);
    if (!job) {
      this.expectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    if (isJobFinished(job)) return;
    // another controller manages this job (spec.managedBy)
    if (job.spec?.managedBy && job.spec.managedBy !== 'kubernetes.io/job-controller') return;
    const now = this.clock.now();
    const satisfied = this.expectations.satisfied(key);

    const { claimed, error } = await claimObjects(
      this.client,
      job,
      newJobControllerRef(job),
      job.spec?.selector,
      this.podInformer.listNamespace(job.metadata.namespace ?? ''),
      R.pods,
      'Pod',
      recheckDeletion(this.client, R.jobs, job, 'Job'),
    );
    if (error) throw error;
    const pods = claimed;
    const spec = job.spec!;
    const indexed = spec.completionMode === 'Indexed';
    const completions = spec.completions ?? undefined;
    const status: Mutable<JobStatus> = structuredClone(job.status ?? {});
    const conditions: JobCondition[] = [...(status.conditions ?? [])];
    const uncounted = {
      succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []),
      failed: new Set(status.uncountedTerminatedPods?.failed ?? []),
    };
    let succeeded = status.succeeded ?? 0;
    let failed = status.failed ?? 0;
    const completedIndexes = indexed ? parseIndexes(status.completedIndexes, completions ?? 0) : new Set<number>();

    const setCondition = (type: string, st: 'True' | 'False', reason: string, message: string) => {
      const i = conditions.findIndex((c) => c.type === type);
      const cond: JobCondition = { type, status: st, reason, message, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now) };
      if (i < 0) conditions.push(cond);
      else if (conditions[i].status !== st || conditions[i].reason !== reason || conditions[i].message !== message) {
        conditions[i] = { ...cond, lastTransitionTime: conditions[i].status === st ? conditions[i].lastTransitionTime : rfc3339(now) };
      }
    };

    const suspended = spec.suspend === true;
    if (!suspended && !status.startTime) status.startTime = rfc3339(now);

    // the terminal condition already decided (FailureTarget or SuccessCriteriaMet)
    let target: JobCondition | undefined = hasTrueCondition(job, 'FailureTarget')
      ? condition(job, 'FailureTarget')
      : hasTrueCondition(job, 'SuccessCriteriaMet')
        ? condition(job, 'SuccessCriteriaMet')
        : undefined;

    // pods that finished since the last sync: counted through uncountedTerminatedPods
    const record = this.backoff.get(key) ?? { failuresAfterLastSuccess: 0 };
    const toRelease: PodT[] = [];
    let failJob: { reason: string; message: string } | undefined;
    for (const pod of pods) {
      if (!hasTrackingFinalizer(pod)) continue;
      const uid = pod.metadata.uid!;
      const podFailed = isPodFailed(pod, job);
      const phaseSucceeded = pod.status?.phase === 'Succeeded';
      if (!(phaseSucceeded || podFailed || target || job.metadata.deletionTimestamp)) continue;
      toRelease.push(pod);
      if (uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) continue;
      const ix = completionIndex(pod);
      if (phaseSucceeded) {
        if (indexed && (ix === undefined || ix >= (completions ?? 0))) continue;
        uncounted.succeeded.add(uid);
        if (indexed && ix !== undefined) completedIndexes.add(ix);
        record.failuresAfterLastSuccess = 0;
      } else {
        const match = pod.status?.phase === 'Failed' ? matchPodFailurePolicy(job, pod) : undefined;
        if (match?.action === 'Ignore') continue;
        uncounted.failed.add(uid);
        record.failuresAfterLastSuccess++;
        const t = podFinishTime(pod, now);
        if (record.lastFailureTime === undefined || t > record.lastFailureTime) record.lastFailureTime = t;
        if (match?.action === 'FailJob' && !failJob) failJob = { reason: 'PodFailurePolicy', message: match.message! };
      }
    }
    this.backoff.set(key, record);

    // step 1 (as upstream): record the newly finished pods' UIDs before releasing their finalizers
    let current = job;
    const recorded = new Set([...(job.status?.uncountedTerminatedPods?.succeeded ?? []), ...(job.status?.uncountedTerminatedPods?.failed ?? [])]);
    if ([...uncounted.succeeded, ...uncounted.failed].some((uid) => !recorded.has(uid))) {
      current = await this.updateStatus(current, {
        ...structuredClone(job.status ?? {}),
        uncountedTerminatedPods: { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] },
      });
    }
    // step 2: release the finalizers; step 3: move the released pods into the counters
    const releasedErrs: unknown[] = [];
    const releasedUids = new Set<string>();
    await Promise.all(
      toRelease.map(async (p) => {
        try {
          await this.removeTrackingFinalizer(p);
          releasedUids.add(p.metadata.uid!);
        } catch (e) {
          releasedErrs.push(e);
        }
      }),
    );
    const present = new Set(pods.map((p) => p.metadata.uid!));
    for (const uid of [...uncounted.succeeded]) {
      if (releasedUids.has(uid) || !present.has(uid)) {
        uncounted.succeeded.delete(uid);
        succeeded++;
      }
    }
    for (const uid of [...uncounted.failed]) {
      if (releasedUids.has(uid) || !present.has(uid)) {
        uncounted.failed.delete(uid);
        failed++;
      }
    }
    if (indexed) succeeded = Math.max(succeeded, completedIndexes.size);

    const active = pods.filter((p) => !isTerminal(p) && !p.metadata.deletionTimestamp);
    const terminating = pods.filter((p) => !isTerminal(p) && !!p.metadata.deletionTimestamp).length;
    const totalSucceeded = succeeded + uncounted.succeeded.size;
    const totalFailed = failed + uncounted.failed.size;

    // what finishes the job, if nothing did yet
    if (!target) {
      let reason: string | undefined;
      let message = '';
      const restarts = spec.template?.spec?.restartPolicy === 'OnFailure' ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0) : 0;
      const backoffLimit = spec.backoffLimit ?? 6;
      const start = status.startTime ? Date.parse(status.startTime) : undefined;
      if (failJob) {
        ({ reason, message } = failJob);
      } else if (totalFailed > backoffLimit || (restarts > 0 && restarts >= backoffLimit) || (backoffLimit === 0 && restarts > 0)) {
        reason = 'BackoffLimitExceeded';
        message = 'Job has reached the specified backoff limit';
      } else if (!suspended && spec.activeDeadlineSeconds != null && start !== undefined && now - start >= spec.activeDeadlineSeconds * 1000) {
        reason = 'DeadlineExceeded';
        message = 'Job was active longer than specified deadline';
      }
      if (reason) {
        setCondition('FailureTarget', 'True', reason, message);
        target = conditions.find((c) => c.type === 'FailureTarget');
        this.recorder.event(job, 'Warning', reason, message);
      } else {
        const done = indexed
          ? completedIndexes.size >= (completions ?? 0)
          : completions != null
            ? totalSucceeded >= completions
            : totalSucceeded > 0 && active.length === 0;
        if (done) {
          setCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
          target = conditions.find((c) => c.type === 'SuccessCriteriaMet');
        }
      }
    }

    let manageErr: unknown;
    if (target) {
      // a decided job keeps no running pods
      if (active.length) manageErr = await this.deletePods(job, active);
    } else if (suspended) {
      if (active.length) manageErr = await this.deletePods(job, active);
      if (!hasTrueCondition(job, 'Suspended')) {
        setCondition('Suspended', 'True', 'JobSuspended', 'Job suspended');
        this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
    } else {
      if (hasTrueCondition(job, 'Suspended')) {
        setCondition('Suspended', 'False', 'JobResumed', 'Job resumed');
        status.startTime = rfc3339(now); // the deadline counts from the resume
        this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      if (satisfied) {
        try {
          await this.manageJob(job, active, completedIndexes, totalSucceeded, record, now);
        } catch (e) {
          manageErr = e;
        }
      }
      const ads = spec.activeDeadlineSeconds;
      const start = status.startTime ? Date.parse(status.startTime) : undefined;
      if (ads != null && start !== undefined) this.queue.addAfter(key, Math.max(0, start + ads * 1000 - now));
    }

    // the terminal condition once no pod is left running or terminating
    const podsLeft = target ? pods.filter((p) => !isTerminal(p)).length : 0;
    if (target && podsLeft === 0 && uncounted.succeeded.size + uncounted.failed.size === 0) {
      if (target.type === 'FailureTarget') {
        setCondition('Failed', 'True', target.reason ?? '', target.message ?? '');
      } else {
        setCondition('Complete', 'True', target.reason ?? '', target.message ?? '');
        status.completionTime = rfc3339(now);
        this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      }
    }

    status.active = active.length;
    status.ready = active.filter((p) => isPodReady(p)).length;
    status.terminating = terminating;
    status.succeeded = succeeded || undefined;
    status.failed = failed || undefined;
    if (indexed) status.completedIndexes = formatIndexes(completedIndexes) || undefined;
    status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
    if (!status.uncountedTerminatedPods.succeeded!.length) delete status.uncountedTerminatedPods.succeeded;
    if (!status.uncountedTerminatedPods.failed!.length) delete status.uncountedTerminatedPods.failed;
    status.conditions = conditions.length ? conditions : undefined;
    if (suspended && !target) delete status.startTime;
    await this.updateStatus(current, status);
    if (manageErr) throw manageErr;
    if (releasedErrs.length) throw releasedErrs[0];
  }

  /** manageJob: create pods up to the wanted number of active ones, delete the excess */
  private async manageJob(job: JobT, active: PodT[], completedIndexes: Set<number>, succeeded: number, record: BackoffRecord, now: number): Promise<void> {
    const key = objectKey(job);
    const spec = job.spec!;
    const parallelism = spec.parallelism ?? 1;
    let wantActive: number;
    if (spec.completions == null) {
      // a work queue: once one pod succeeded, no new ones
      wantActive = succeeded > 0 ? active.length : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(spec.completions - succeeded, parallelism));
    }
    if (active.length > wantActive) {
      // the newest pods go first (upstream sorts by ActivePods ranking; not-ready and newer first)
      const excess = [...active]
        .sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''))
        .slice(0, Math.min(active.length - wantActive, MAX_POD_CREATE_DELETE_PER_SYNC));
      const err = await this.deletePods(job, excess);
      if (err) throw err;
      return;
    }
    if (active.length >= wantActive) return;
    const wait = remainingBackoff(record.failuresAfterLastSuccess, record.lastFailureTime, now);
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return;
    }
    let diff = Math.min(wantActive - active.length, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (spec.completionMode === 'Indexed') {
      const taken = new Set([...completedIndexes, ...active.map((p) => completionIndex(p)).filter((i): i is number => i !== undefined)]);
      for (let i = 0; i < (spec.completions ?? 0) && indexes.length < diff; i++) if (!taken.has(i)) indexes.push(i);
      diff = indexes.length;
    }
    if (diff <= 0) return;
    this.expectations.expectCreations(key, diff);
    let next = 0;
    const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      const index = spec.completionMode === 'Indexed' ? indexes[next++] : undefined;
      const pod = this.newPod(job, index);
      try {
        await this.client.create<PodT>(R.pods, job.metadata.namespace, pod);
      } catch (e) {
        if (isNamespaceTerminating(e)) return;
        this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${errMsg(e)}`);
        throw e;
      }
    });
    for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
    if (error) throw error;
  }

  /** the pod of a job (and of one completion index) */
  private newPod(job: JobT, index: number | undefined): PodT {
    const pod = podFromTemplate(job, job.spec?.template, newJobControllerRef(job));
    pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
    if (index !== undefined) {
      const name = job.metadata.name!;
      pod.metadata.generateName = `${name}-${index}-`;
      pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX_ANNOTATION]: String(index) };
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX_ANNOTATION]: String(index) };
      const spec = pod.spec!;
      if (!spec.hostname) spec.hostname = `${name}-${index}`;
      const env = { name: JOB_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } } };
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        if (!(c.env ?? []).some((e) => e.name === JOB_INDEX_ENV)) c.env = [...(c.env ?? []), env];
      }
    }
    return pod;
  }

  private async deletePods(job: JobT, pods: PodT[]): Promise<unknown> {
    const key = objectKey(job);
    this.expectations.expectDeletions(key, pods.map((p) => objectKey(p)));
    const errs: unknown[] = [];
    await Promise.all(
      pods.map(async (p) => {
        try {
          await this.client.delete(R.pods, p.metadata.namespace, p.metadata.name!);
          this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key, objectKey(p));
          if (!isNotFound(e)) {
            this.recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${errMsg(e)}`);
            errs.push(e);
          }
        }
      }),
    );
    return errs[0];
  }

  /** a status write when something changed; the informer's copy is what we compare against */
  private async updateStatus(job: JobT, status: JobStatus): Promise<JobT> {
    const clean = JSON.parse(JSON.stringify(status)) as JobStatus;
    if (isDeepStrictEqual(clean, job.status ?? {})) return job;
    try {
      return await this.client.update<JobT>(R.jobs, job.metadata.namespace, { ...job, status: clean }, undefined, 'status');
    } catch (e) {
      if (isNotFound(e)) return job;
      throw e;
    }
  }
}
