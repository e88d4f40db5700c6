import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { fullImageRef, imageID, PodRuntime, qosClass } from './runtime.js';
import type { LifecycleRules } from './rules.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } as Pod['spec'],
});
const ips = { hostIP: '172.18.0.2', podIP: '10.244.1.2' };

function run(rt: PodRuntime, now: number) {
  rt.advance(now);
  return rt.status(now, undefined, ips);
}

describe('PodRuntime', () => {
  it('defaults: Running and Ready at once', () => {
    const rt = new PodRuntime(pod(), [], T0);
    const st = run(rt, T0);
    expect(st.phase).toBe('Running');
    const c = st.containerStatuses![0];
    expect(c).toMatchObject({ name: 'app', image: 'nginx', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } });
    expect(c.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(c.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(st.conditions!.map((x) => `${x.type}=${x.status}`)).toEqual(['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    expect(st).toMatchObject({ hostIP: '172.18.0.2', hostIPs: [{ ip: '172.18.0.2' }], podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }], qosClass: 'BestEffort', startTime: '2026-01-01T00:00:00Z' });
    expect(rt.nextWake(T0)).toBe(Infinity);
  });

  it('init containers run one at a time: Init:0/2, Init:1/2, PodInitializing, Running', () => {
    const rules: LifecycleRules = [
      { name: 'init', match: { container: 'init-*' }, exit: { afterMs: 2000, code: 0 } },
      { name: 'app-slow', match: { container: 'app' }, start: { delayMs: 1000 } },
    ];
    const rt = new PodRuntime(pod({ initContainers: [{ name: 'init-a', image: 'busybox' }, { name: 'init-b', image: 'busybox' }] }), rules, T0);
    const seen: string[] = [];
    let st = rt.status(T0, undefined, ips);
    for (const t of [0, 1999, 2000, 3999, 4000, 4999, 5000]) {
      rt.advance(T0 + t);
      seen.push(`${t}:${rt.displayStatus(T0 + t)}`);
      if (t === 2000) st = rt.status(T0 + t, undefined, ips);
    }
    expect(seen).toEqual(['0:Init:0/2', '1999:Init:0/2', '2000:Init:1/2', '3999:Init:1/2', '4000:PodInitializing', '4999:PodInitializing', '5000:Running']);
    expect(st.phase).toBe('Pending');
    expect(st.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [init-b]' });
    const done = rt.status(T0 + 5000, undefined, ips);
    expect(done.initContainerStatuses!.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
  });

  it('readiness waits for the readiness probe initialDelaySeconds', () => {
    const rt = new PodRuntime(pod({ containers: [{ name: 'app', image: 'nginx', readinessProbe: { initialDelaySeconds: 5, httpGet: { port: 80 } } }] }), [], T0);
    let st = run(rt, T0);
    expect(st.containerStatuses![0].ready).toBe(false);
    expect(st.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    expect(rt.nextWake(T0)).toBe(T0 + 5000);
    st = run(rt, T0 + 5000);
    expect(st.containerStatuses![0].ready).toBe(true);
  });

  it('image that cannot exist: ErrImagePull, then ImagePullBackOff with 10 s doubling back-off', () => {
    const rt = new PodRuntime(pod({ containers: [{ name: 'app', image: 'foo:non-existent' }] }), [], T0);
    rt.advance(T0);
    expect(rt.displayStatus(T0)).toBe('ErrImagePull');
    expect(run(rt, T0).containerStatuses![0].state!.waiting!.message).toContain('failed to pull and unpack image "docker.io/library/foo:non-existent"');
    rt.advance(T0 + 1000);
    expect(rt.displayStatus(T0 + 1000)).toBe('ImagePullBackOff');
    expect(run(rt, T0 + 1000).containerStatuses![0].state!.waiting!.message).toBe('Back-off pulling image "foo:non-existent"');
    // attempts at 0, 10, 30, 70 s
    const attempts: number[] = [];
    let t = T0;
    for (let i = 0; i < 3; i++) {
      t = rt.nextWake(t + 1000);
      rt.advance(t);
      attempts.push((t - T0) / 1000);
    }
    expect(attempts).toEqual([10, 30, 70]);
    expect(rt.displayStatus(t)).toBe('ErrImagePull');
    expect(run(rt, t).phase).toBe('Pending');
  });

  it('crash loop: restarts immediately once, then back-off 10 s, 20 s, 40 s; lastState Error', () => {
    const rules: LifecycleRules = [{ name: 'crash', exit: { afterMs: 1000, code: 1 } }];
    const rt = new PodRuntime(pod(), rules, T0);
    const starts: number[] = [];
    let t = T0;
    for (let i = 0; i < 5; i++) {
      rt.advance(t);
      const c = rt.containers[0];
      if (c.stage === 'running' && c.startedAt === t) starts.push((t - T0) / 1000);
      t = rt.nextWake(t);
    }
    // run 0-1 s, restart at 1 s, run to 2 s, back-off 10 s -> 12 s, run to 13 s, back-off 20 s -> 33 s
    expect(starts).toEqual([0, 1, 12]);
    rt.advance(T0 + 13_500);
    const st = rt.status(T0 + 13_500, undefined, ips);
    const c = st.containerStatuses![0];
    expect(rt.displayStatus(T0 + 13_500)).toBe('CrashLoopBackOff');
    expect(c.restartCount).toBe(2);
    expect(c.state!.waiting!.message).toBe('back-off 20s restarting failed container=app pod=p_default(u1)');
    expect(c.lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error', startedAt: '2026-01-01T00:00:12Z', finishedAt: '2026-01-01T00:00:13Z' });
    expect(st.phase).toBe('Running');
    rt.advance(T0 + 33_000);
    expect(rt.containers[0].restartCount).toBe(3);
  });

  it('restartPolicy Never / OnFailure: Completed and Succeeded, Error and Failed', () => {
    const ok = new PodRuntime(pod({ restartPolicy: 'OnFailure' }), [{ name: 'job', exit: { afterMs: 100, code: 0 } }], T0);
    ok.advance(T0 + 100);
    expect(ok.phase()).toBe('Succeeded');
    expect(ok.displayStatus(T0 + 100)).toBe('Completed');
    const bad = new PodRuntime(pod({ restartPolicy: 'Never' }), [{ name: 'job', exit: { afterMs: 100, code: 2 } }], T0);
    bad.advance(T0 + 100);
    expect(bad.phase()).toBe('Failed');
    expect(bad.status(T0 + 100, undefined, ips).containerStatuses![0].state!.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
  });

  it('termination: containers stop after the rule delay, capped by the grace period', () => {
    const rt = new PodRuntime(pod(), [{ name: 'slow-stop', terminate: { delayMs: 20_000 } }], T0);
    rt.advance(T0);
    rt.terminate(T0 + 1000, 5000);
    rt.advance(T0 + 5999);
    expect(rt.terminated()).toBe(false);
    expect(rt.nextWake(T0 + 5999)).toBe(T0 + 6000);
    rt.advance(T0 + 6000);
    expect(rt.terminated()).toBe(true);
  });

  it('image references and QoS', () => {
    expect(fullImageRef('nginx').ref).toBe('docker.io/library/nginx:latest');
    expect(fullImageRef('bitnami/redis:7').ref).toBe('docker.io/bitnami/redis:7');
    expect(fullImageRef('registry.k8s.io/pause:3.9').ref).toBe('registry.k8s.io/pause:3.9');
    expect(imageID('nginx:1.25')).toMatch(/^docker\.io\/library\/nginx@sha256:/);
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('Guaranteed');
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }] }))).toBe('Burstable');
  });
});
