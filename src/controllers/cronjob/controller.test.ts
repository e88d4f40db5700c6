// Cases after pkg/controller/cronjob/cronjob_controllerv2_test.go (TestControllerV2SyncCronJob:
// on time, too late for the deadline, concurrency Forbid/Replace, suspend, history limits) and
// utils_test.go (mostRecentScheduleTime), on a fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { FakeRecorder } from '../../client/events.js';
import { R } from '../../client/types.js';
import { parseCronSchedule } from '../../api/cron.js';
import { CronJobController, mostRecentScheduleTime, type CronJobT, type JobT } from './controller.js';
import { zonedRfc3339 } from './controller.js';

const T0 = Date.parse('2026-01-01T10:00:30Z');

function cronJob(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): CronJobT {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'cj', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T09:59:00Z' },
    spec: {
      schedule: '*/1 * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { labels: { app: 'x' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  } as unknown as CronJobT;
}

async function env(cj: CronJobT, jobs: JobT[] = []) {
  const clock = new FakeClock(T0);
  const client = new FakeClient([{ res: R.cronjobs, obj: cj }, ...jobs.map((obj) => ({ res: R.jobs, obj }))], { clock });
  const recorder = new FakeRecorder();
  const ctrl = new CronJobController(client, clock, { recorder });
  await ctrl.startInformers();
  const sync = async () => {
    await ctrl.sync('default/cj');
    return {
      cj: await client.get<CronJobT>(R.cronjobs, 'default', 'cj'),
      jobs: (await client.list<JobT>(R.jobs, 'default')).items,
    };
  };
  return { clock, client, recorder, ctrl, sync };
}

function ownedJob(name: string, finished?: 'Complete' | 'Failed', start = '2026-01-01T09:00:00Z'): JobT {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true }] },
    spec: {},
    status: finished ? { startTime: start, completionTime: start, conditions: [{ type: finished, status: 'True' }] } : { startTime: start },
  } as unknown as JobT;
}

describe('mostRecentScheduleTime', () => {
  const sched = (s: string) => (parseCronSchedule(s) as { schedule: any }).schedule;
  it('finds the latest missed activation and counts them', () => {
    const cj = cronJob({}, { lastScheduleTime: '2026-01-01T10:00:00Z' });
    expect(mostRecentScheduleTime(cj, Date.parse('2026-01-01T10:00:59Z'), sched('*/1 * * * *'), false)).toEqual({ missed: 0 });
    expect(mostRecentScheduleTime(cj, Date.parse('2026-01-01T10:03:10Z'), sched('*/1 * * * *'), false)).toEqual({ mostRecent: Date.parse('2026-01-01T10:03:00Z'), missed: 3 });
    // startingDeadlineSeconds bounds how far back it looks
    const withDeadline = cronJob({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2026-01-01T09:00:00Z' });
    expect(mostRecentScheduleTime(withDeadline, Date.parse('2026-01-01T10:03:10Z'), sched('*/1 * * * *'), true)).toEqual({ mostRecent: Date.parse('2026-01-01T10:03:00Z'), missed: 1 });
  });
});

describe('CronJobController', () => {
  it('creates the job of an activation when it comes, named by its minute, and records it', async () => {
    const { clock, sync, recorder } = await env(cronJob({}, { lastScheduleTime: '2026-01-01T10:00:00Z' }));
    let r = await sync();
    expect(r.jobs).toEqual([]);
    clock.step(30_000); // 10:01:00
    r = await sync();
    expect(r.jobs.map((j) => j.metadata.name)).toEqual([`cj-${Date.parse('2026-01-01T10:01:00Z') / 60_000}`]);
    const job = r.jobs[0];
    expect(job.metadata.labels).toEqual({ app: 'x' });
    expect(job.metadata.annotations).toEqual({ 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2026-01-01T10:01:00Z' });
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
    expect(r.cj.status?.lastScheduleTime).toBe('2026-01-01T10:01:00Z');
    expect(r.cj.status?.active?.map((a) => a.name)).toEqual([job.metadata.name]);
    expect(recorder.events).toContain(`Normal SuccessfulCreate Created job ${job.metadata.name}`);
    // the same activation never makes a second job
    r = await sync();
    expect(r.jobs.length).toBe(1);
  });

  it('a finished job leaves the active list and sets lastSuccessfulTime', async () => {
    const done = ownedJob('cj-1', 'Complete', '2026-01-01T10:00:10Z');
    const { sync, recorder } = await env(cronJob({}, { lastScheduleTime: '2026-01-01T10:00:00Z', active: [{ kind: 'Job', name: 'cj-1', namespace: 'default', uid: 'uid-cj-1' }] }), [done]);
    const r = await sync();
    expect(r.cj.status?.active).toBeUndefined();
    expect(r.cj.status?.lastSuccessfulTime).toBe('2026-01-01T10:00:10Z');
    expect(recorder.events).toContain('Normal SawCompletedJob Saw completed job: cj-1, condition: Complete');
  });

  it('Forbid waits for the running job; Replace deletes it', async () => {
    const running = ownedJob('cj-old');
    const active = [{ kind: 'Job', name: 'cj-old', namespace: 'default', uid: 'uid-cj-old' }];
    const forbid = await env(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2026-01-01T09:59:00Z', active }), [running]);
    let r = await forbid.sync();
    expect(r.jobs.map((j) => j.metadata.name)).toEqual(['cj-old']);
    expect(forbid.recorder.events).toContain('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid');
    const replace = await env(cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2026-01-01T09:59:00Z', active }), [running]);
    r = await replace.sync();
    expect(r.jobs.map((j) => j.metadata.name)).toEqual([`cj-${Date.parse('2026-01-01T10:00:00Z') / 60_000}`]);
    expect(replace.recorder.events).toContain('Normal SuccessfulDelete Deleted job cj-old');
  });

  it('suspended: nothing runs; an activation older than startingDeadlineSeconds is skipped', async () => {
    const suspended = await env(cronJob({ suspend: true }, { lastScheduleTime: '2026-01-01T09:00:00Z' }));
    expect((await suspended.sync()).jobs).toEqual([]);
    // 10:00:00 is 30 s ago: too late with a 10 s deadline, in time with 60 s
    const late = await env(cronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: '2026-01-01T09:59:00Z' }));
    expect((await late.sync()).jobs).toEqual([]);
    const inTime = await env(cronJob({ startingDeadlineSeconds: 60 }, { lastScheduleTime: '2026-01-01T09:59:00Z' }));
    expect((await inTime.sync()).jobs.length).toBe(1);
  });

  it('keeps only the history limits of finished jobs', async () => {
    const jobs = [
      ownedJob('ok-1', 'Complete', '2026-01-01T09:01:00Z'),
      ownedJob('ok-2', 'Complete', '2026-01-01T09:02:00Z'),
      ownedJob('bad-1', 'Failed', '2026-01-01T09:03:00Z'),
      ownedJob('bad-2', 'Failed', '2026-01-01T09:04:00Z'),
    ];
    const { sync } = await env(cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1, suspend: true }), jobs);
    const r = await sync();
    expect(r.jobs.map((j) => j.metadata.name).sort()).toEqual(['bad-2', 'ok-2']);
  });

  it('writes the scheduled time in the cron job time zone', () => {
    expect(zonedRfc3339(Date.parse('2026-01-01T10:01:00Z'), 'Europe/Berlin')).toBe('2026-01-01T11:01:00+01:00');
    expect(zonedRfc3339(Date.parse('2026-07-01T10:01:00Z'), 'America/New_York')).toBe('2026-07-01T06:01:00-04:00');
  });
});
