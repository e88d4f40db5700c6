// Jobs and CronJobs with kubectl 1.20 and a current kubectl: `kubectl create job`, the job
// columns, a job completing and one failing past its backoffLimit (pods exit per the simulated
// lifecycle rules), upstream's 422s for a bad job and a bad schedule, `kubectl create cronjob`,
// api-resources and explain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { KubectlRunner, eventually, kubectls, parseTable } from './helpers/kubectl.js';

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
  await cluster.runtime.waitForNodesReady(30_000);
  // pods named ok-* exit 0 after 300 ms, fail-* exit 1 after 100 ms
  cluster.runtime.setRules([
    { name: 'job-succeeds', match: { podName: 'ok-*' }, exit: { afterMs: 300, code: 0 } },
    { name: 'job-fails', match: { podName: 'fail-*' }, exit: { afterMs: 100, code: 1 } },
  ]);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const failingJob = (ns: string) => `apiVersion: batch/v1
kind: Job
metadata:
  name: fail
  namespace: ${ns}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
        command: ["false"]
`;

describe.each(kubectls())('jobs with kubectl $version', (k) => {
  let kc: KubectlRunner;
  const ns = `batch-${k.version.replace('.', '')}`;

  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'namespace', ns]);
  });

  it('kubectl create job: the job completes and prints as upstream', async () => {
    expect(await kc.ok(['create', 'job', 'ok', '--image=busybox', '-n', ns, '--', 'echo', 'hi'])).toBe('job.batch/ok created\n');
    expect(await kc.ok(['wait', '--for=condition=complete', 'job/ok', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 })).toBe('job.batch/ok condition met\n');
    const table = parseTable(await kc.ok(['get', 'jobs', '-n', ns, '-o', 'wide']));
    expect(table[0]).toEqual(['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const row = table.find((r) => r[0] === 'ok')!;
    expect(row.slice(1, 3)).toEqual(['Complete', '1/1']);
    expect(row[3]).toMatch(/^\d+s$/);
    expect(row.slice(5, 7)).toEqual(['ok', 'busybox']);
    expect(row[7]).toMatch(/^batch\.kubernetes\.io\/controller-uid=[0-9a-f-]{36}$/);
    const job = JSON.parse(await kc.ok(['get', 'job', 'ok', '-n', ns, '-o', 'json']));
    expect(job.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatedOrFailed' });
    expect(job.metadata.labels['batch.kubernetes.io/job-name']).toBe('ok');
    expect(job.status.succeeded).toBe(1);
    expect(job.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);
    // the job's pod finished and its tracking finalizer is gone
    const pods = JSON.parse(await kc.ok(['get', 'pods', '-n', ns, '-l', 'job-name=ok', '-o', 'json'])).items;
    expect(pods.length).toBe(1);
    expect(pods[0].status.phase).toBe('Succeeded');
    expect(pods[0].metadata.finalizers ?? []).toEqual([]);
    expect(pods[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Job', name: 'ok', controller: true });
    // ttlSecondsAfterFinished: the finished job and its pod are deleted
    await kc.ok(['patch', 'job', 'ok', '-n', ns, '--type=merge', '-p', '{"spec":{"ttlSecondsAfterFinished":0}}']);
    const gone = async (what: string) => (await kc.run(['get', what, '-n', ns])).stderr.includes('NotFound');
    await eventually(async () => (await gone('job/ok')) && (await gone(`pod/${pods[0].metadata.name}`)), 30_000);
  }, 60_000);

  it('a job whose pods fail past backoffLimit fails with BackoffLimitExceeded', async () => {
    expect(await kc.ok(['apply', '-f', '-'], { stdin: failingJob(ns) })).toBe('job.batch/fail created\n');
    // one failure is past backoffLimit 0 (the back-off between retries is unit-tested in src/controllers/job)
    expect(await kc.ok(['wait', '--for=condition=failed', 'job/fail', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 })).toBe('job.batch/fail condition met\n');
    const job = JSON.parse(await kc.ok(['get', 'job', 'fail', '-n', ns, '-o', 'json']));
    expect(job.status.failed).toBe(1);
    expect(job.status.completionTime).toBeUndefined();
    const failed = job.status.conditions.find((c: any) => c.type === 'Failed');
    expect(failed).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    const row = parseTable(await kc.ok(['get', 'job', 'fail', '-n', ns])).slice(1)[0];
    expect(row.slice(0, 3)).toEqual(['fail', 'Failed', '0/1']);
    const events = await kc.ok(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.name=fail']);
    expect(events).toContain('BackoffLimitExceeded');
    expect(events).toContain('Job has reached the specified backoff limit');
  }, 60_000);

  it('refuses a job its pods could not run under, as upstream', async () => {
    const bad = failingJob(ns).replace('name: fail', 'name: bad').replace('restartPolicy: Never', 'restartPolicy: Always');
    const res = await kc.run(['create', '-f', '-'], { stdin: bad });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(
      'The Job "bad" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    );
    expect((await kc.run(['get', 'job', 'bad', '-n', ns])).code).toBe(1);
  });

  it('serves batch in discovery and OpenAPI', async () => {
    const resources = parseTable(await kc.ok(['api-resources', '--api-group=batch']));
    expect(resources.slice(1).map((r) => r.filter((c) => c !== 'batch/v1')[0])).toEqual(['cronjobs', 'jobs']);
    expect(resources.find((r) => r[0] === 'cronjobs')).toContain('cj');
    expect(await kc.ok(['explain', 'job.spec.backoffLimit'])).toContain('backoffLimit');
  });
});

describe('cronjobs', () => {
  it('kubectl 1.32 create cronjob, its columns, and a bad schedule', async () => {
    const k = kubectls().find((x) => x.version !== '1.20');
    if (!k) return; // only kubectl 1.20 on this machine: it creates batch/v1beta1 CronJobs (below)
    const kc = new KubectlRunner(k, cluster.kubeconfigPath);
    expect(await kc.ok(['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'])).toBe('cronjob.batch/tick created\n');
    const table = parseTable(await kc.ok(['get', 'cronjobs']));
    expect(table[0]).toEqual(['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE']);
    expect(table[1].slice(0, 6)).toEqual(['tick', '*/5 * * * *', '<none>', 'False', '0', '<none>']);
    const cj = JSON.parse(await kc.ok(['get', 'cj', 'tick', '-o', 'json']));
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    const bad = await kc.run(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *']);
    expect(bad.stderr.trim()).toBe('error: failed to create cronjob: CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
  });

  it('kubectl 1.20 create cronjob asks for batch/v1beta1, which 1.32 no longer serves', async () => {
    const kc = new KubectlRunner(kubectls()[0], cluster.kubeconfigPath);
    const res = await kc.run(['create', 'cronjob', 'old', '--image=busybox', '--schedule=@hourly']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe('error: failed to create cronjob: the server could not find the requested resource (post cronjobs.batch)');
  });
});
