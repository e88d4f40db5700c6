// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go, Kubernetes 1.32) on
// the cluster clock: informers on cronjobs and jobs feed a queue of CronJob keys; sync keeps
// status.active and lastSuccessfulTime, creates the job of the most recent missed activation
// (deterministic name <cronjob>-<minutes since epoch>) unless suspended, too late for
// startingDeadlineSeconds or held back by concurrencyPolicy, removes finished jobs beyond the
// history limits, and requeues itself for the next activation.

import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient, type KubeObject, type OwnerReference } from '../../client/types.js';
import { type Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { parseCronSchedule, type CronSchedule } from '../../api/cron.js';
import { controllerOf, errMsg, isAlreadyExists, isNotFound } from '../controllerutil.js';
import { condition, hasTrueCondition, rfc3339 } from '../job/util.js';

export type CronJobT = CronJob & KubeObject;
export type JobT = Job & KubeObject;

export const COMPONENT = 'cronjob-controller';
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** past this many missed activations upstream warns (TooManyMissedTimes) */
const MAX_MISSED = 100;
/** nextScheduleTimeDuration adds 100 ms so the sync runs just after the activation */
const REQUEUE_SLACK_MS = 100;

export interface CronJobControllerOptions {
  workers?: number;
  recorder?: Recorder;
  informers?: SharedInformerFactory;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function finishedType(job: JobT): 'Complete' | 'Failed' | undefined {
  if (hasTrueCondition(job, 'Complete')) return 'Complete';
  if (hasTrueCondition(job, 'Failed')) return 'Failed';
  return undefined;
}

/** mostRecentScheduleTime: the latest activation in (earliest, now], and how many were missed */
export function mostRecentScheduleTime(cj: CronJobT, now: number, sched: CronSchedule, withDeadline: boolean): { mostRecent?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (withDeadline && deadline != null) earliest = Math.max(earliest, now - deadline * 1000);
  let t = sched.next(earliest);
  if (t === undefined || now < t) return { missed: 0 };
  let mostRecent = t;
  let missed = 0;
  while (t !== undefined && t <= now) {
    mostRecent = t;
    missed++;
    t = sched.next(t);
  }
  return { mostRecent, missed };
}

export class CronJobController {
  readonly cronJobInformer: Informer<CronJobT>;
  readonly jobInformer: Informer<JobT>;
  readonly queue: WorkQueue<string>;
  readonly recorder: Recorder;
  private readonly workers: number;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: CronJobControllerOptions = {},
  ) {
    const informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.workers = opts.workers ?? 1;
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.cronJobInformer = informers.informerFor<CronJobT>(R.cronjobs);
    this.jobInformer = informers.informerFor<JobT>(R.jobs);
    this.cronJobInformer.addEventHandler({
      onAdd: (cj) => this.queue.add(objectKey(cj)),
      onUpdate: (old, cur) => this.updateCronJob(old, cur),
      onDelete: (cj) => this.queue.add(objectKey(unwrapTombstone(cj))),
    });
    this.jobInformer.addEventHandler({
      onAdd: (j) => this.enqueueOwner(j),
      onUpdate: (_o, j) => this.enqueueOwner(j),
      onDelete: (j) => this.enqueueOwner(unwrapTombstone(j as JobT | DeletedFinalStateUnknown<JobT>)),
    });
  }

  async startInformers(): Promise<void> {
    await Promise.all([this.cronJobInformer.start(), this.jobInformer.start()]);
  }

  async start(): Promise<void> {
    await this.startInformers();
    this.running = runWorkers(this.queue, this.workers, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
    this.cronJobInformer.stop();
    this.jobInformer.stop();
  }

  async done(): Promise<void> {
    await this.running;
  }

  private enqueueOwner(job: JobT): void {
    const ref = controllerOf(job);
    if (ref?.kind !== 'CronJob') return;
    const cj = this.cronJobInformer.get(`${job.metadata.namespace}/${ref.name}`);
    if (cj && cj.metadata.uid === ref.uid) this.queue.add(objectKey(cj));
  }

  /** a changed schedule or time zone takes effect at once: requeue for the new next activation */
  private updateCronJob(old: CronJobT, cur: CronJobT): void {
    const key = objectKey(cur);
    if (old.spec?.schedule !== cur.spec?.schedule || old.spec?.timeZone !== cur.spec?.timeZone) {
      const parsed = parseCronSchedule(cur.spec?.schedule ?? '', cur.spec?.timeZone);
      if ('schedule' in parsed) {
        const next = this.nextRequeue(cur, parsed.schedule);
        if (next !== undefined) {
          this.queue.addAfter(key, next);
          return;
        }
      }
    }
    this.queue.add(key);
  }

  private nextRequeue(cj: CronJobT, sched: CronSchedule): number | undefined {
    const now = this.clock.now();
    const { mostRecent } = mostRecentScheduleTime(cj, now, sched, false);
    const next = sched.next(mostRecent ?? now);
    return next === undefined ? undefined : Math.max(0, next - now) + REQUEUE_SLACK_MS;
  }

  async sync(key: string): Promise<void> {
    const cached = this.cronJobInformer.get(key);
    if (!cached) return;
    const cj = structuredClone(cached) as CronJobT;
    const jobs = this.jobInformer.listNamespace(cj.metadata.namespace ?? '').filter((j) => controllerOf(j)?.uid === cj.metadata.uid);
    const status: Mutable<CronJobStatus> = structuredClone(cj.status ?? {});
    const requeue = await this.syncCronJob(cj, status, jobs);
    await this.cleanupFinishedJobs(cj, jobs);
    await this.updateStatus(cached, status);
    if (requeue !== undefined) this.queue.addAfter(key, requeue);
  }

  /** syncCronJob: returns when to look again (ms), if at all */
  private async syncCronJob(cj: CronJobT, status: Mutable<CronJobStatus>, jobs: JobT[]): Promise<number | undefined> {
    const now = this.clock.now();
    const byUid = new Map(jobs.map((j) => [j.metadata.uid!, j]));
    const active: ObjectReference[] = [...(status.active ?? [])];
    const inActive = (uid: string | undefined) => active.findIndex((r) => r.uid === uid);
    for (const job of jobs) {
      const fin = finishedType(job);
      const i = inActive(job.metadata.uid);
      if (i < 0 && !fin) {
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
      } else if (i >= 0 && fin) {
        active.splice(i, 1);
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${fin}`);
      }
      const done = fin === 'Complete' ? job.status?.completionTime : undefined;
      if (done && (!status.lastSuccessfulTime || Date.parse(done) > Date.parse(status.lastSuccessfulTime))) status.lastSuccessfulTime = done;
    }
    // a job of the active list that is gone leaves it
    for (const ref of [...active]) {
      if (byUid.has(ref.uid ?? '')) continue;
      try {
        await this.client.get(R.jobs, ref.namespace, ref.name ?? '');
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        active.splice(active.indexOf(ref), 1);
      }
    }
    status.active = active.length ? active : undefined;

    if (cj.metadata.deletionTimestamp) return undefined;
    if (cj.spec?.suspend) return undefined;
    const parsed = parseCronSchedule(cj.spec?.schedule ?? '', cj.spec?.timeZone);
    if ('error' in parsed) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${parsed.error}`);
      return undefined;
    }
    const sched = parsed.schedule;
    const { mostRecent, missed } = mostRecentScheduleTime(cj, now, sched, true);
    if (missed > MAX_MISSED) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const requeue = this.nextRequeue(cj, sched);
    if (mostRecent === undefined) return requeue;
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline != null && mostRecent + deadline * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339(mostRecent)}`);
      return requeue;
    }
    const name = `${cj.metadata.name}-${Math.floor(mostRecent / 60_000)}`;
    if (active.some((r) => r.name === name) || jobs.some((j) => j.metadata.name === name)) return requeue;
    if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue;
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        const job = byUid.get(ref.uid ?? '');
        if (!job) continue;
        try {
          await this.client.delete(R.jobs, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
          active.splice(active.indexOf(ref), 1);
        } catch (e) {
          if (!isNotFound(e)) {
            this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errMsg(e)}`);
            throw e;
          }
        }
      }
      status.active = active.length ? active : undefined;
    }
    let created: JobT;
    try {
      created = await this.client.create<JobT>(R.jobs, cj.metadata.namespace, this.jobFromTemplate(cj, name, mostRecent));
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    } catch (e) {
      if (isAlreadyExists(e)) return requeue;
      this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errMsg(e)}`);
      throw e;
    }
    active.push(jobRef(created));
    status.active = active;
    status.lastScheduleTime = rfc3339(mostRecent);
    return requeue;
  }

  /** getJobFromTemplate2 */
  private jobFromTemplate(cj: CronJobT, name: string, scheduled: number): JobT {
    const template = cj.spec?.jobTemplate ?? {};
    const ref: OwnerReference = { apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true };
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        labels: { ...(template.metadata?.labels ?? {}) },
        annotations: { ...(template.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: zonedRfc3339(scheduled, cj.spec?.timeZone) },
        ownerReferences: [ref],
      },
      spec: structuredClone(template.spec),
    } as unknown as JobT;
  }

  /** cleanupFinishedJobs: the oldest finished jobs beyond the history limits go (background deletion) */
  private async cleanupFinishedJobs(cj: CronJobT, jobs: JobT[]): Promise<void> {
    const limits: [('Complete' | 'Failed'), number | undefined][] = [
      ['Complete', cj.spec?.successfulJobsHistoryLimit],
      ['Failed', cj.spec?.failedJobsHistoryLimit],
    ];
    for (const [type, limit] of limits) {
      if (limit == null) continue;
      const finished = jobs
        .filter((j) => finishedType(j) === type && !j.metadata.deletionTimestamp)
        .sort((a, b) => startOf(a) - startOf(b));
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
        try {
          await this.client.delete(R.jobs, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
  }

  private async updateStatus(cj: CronJobT, status: CronJobStatus): Promise<void> {
    const clean = JSON.parse(JSON.stringify(status)) as CronJobStatus;
    if (isDeepStrictEqual(clean, cj.status ?? {})) return;
    try {
      await this.client.update<CronJobT>(R.cronjobs, cj.metadata.namespace, { ...cj, status: clean }, undefined, 'status');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function jobRef(job: JobT): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, resourceVersion: job.metadata.resourceVersion, uid: job.metadata.uid };
}

/** the job's start, for ordering (status.startTime, else its creation) */
function startOf(job: JobT): number {
  return Date.parse(job.status?.startTime ?? job.metadata.creationTimestamp ?? '') || 0;
}

/** RFC 3339 of an instant in a time zone (Go's time.Format(time.RFC3339) after In(location)) */
export function zonedRfc3339(t: number, timeZone: string | undefined): string {
  if (!timeZone) return rfc3339(t);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offsetMin = Math.round((local - Math.floor(t / 1000) * 1000) / 60_000);
  const wall = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${wall}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
