// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a finished Job with
// spec.ttlSecondsAfterFinished is deleted (foreground, its pods first) that many seconds after
// its Complete or Failed condition, on the cluster clock.

import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient } from '../../client/types.js';
import { type Informer, objectKey } from '../../client/informer.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { isNotFound } from '../controllerutil.js';
import { condition, isJobFinished, type JobT } from '../job/util.js';

/** when a finished job with a TTL expires (epoch ms), else undefined */
export function expireAt(job: JobT): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl == null || !isJobFinished(job) || job.metadata.deletionTimestamp) return undefined;
  const finished = condition(job, 'Complete')?.status === 'True' ? condition(job, 'Complete') : condition(job, 'Failed');
  const at = Date.parse(finished?.lastTransitionTime ?? '');
  return Number.isNaN(at) ? undefined : at + ttl * 1000;
}

export class TTLAfterFinishedController {
  readonly jobInformer: Informer<JobT>;
  readonly queue: WorkQueue<string>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: { informers?: SharedInformerFactory } = {},
  ) {
    this.queue = new WorkQueue<string>(clock);
    this.jobInformer = (opts.informers ?? new SharedInformerFactory(client, clock)).informerFor<JobT>(R.jobs);
    const consider = (job: JobT) => {
      if (expireAt(job) !== undefined) this.queue.add(objectKey(job));
    };
    this.jobInformer.addEventHandler({ onAdd: consider, onUpdate: (_o, j) => consider(j) });
  }

  async start(): Promise<void> {
    await this.jobInformer.start();
    this.running = runWorkers(this.queue, 1, (key) => this.processJob(key));
  }

  stop(): void {
    this.queue.shutdown();
    this.jobInformer.stop();
  }

  async done(): Promise<void> {
    await this.running;
  }

  /** processJob: delete once expired (re-checked on a fresh read), else look again when it will be */
  async processJob(key: string): Promise<void> {
    const cached = this.jobInformer.get(key);
    if (!cached || expireAt(cached) === undefined) return;
    const remaining = expireAt(cached)! - this.clock.now();
    if (remaining > 0) {
      this.queue.addAfter(key, remaining);
      return;
    }
    let fresh: JobT;
    try {
      fresh = await this.client.get<JobT>(R.jobs, cached.metadata.namespace, cached.metadata.name!);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const at = expireAt(fresh);
    if (at === undefined) return;
    if (at > this.clock.now()) {
      this.queue.addAfter(key, at - this.clock.now());
      return;
    }
    try {
      await this.client.delete(R.jobs, fresh.metadata.namespace, fresh.metadata.name!, {
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
