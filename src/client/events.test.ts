import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from './fake.js';
import { EventRecorder, FakeRecorder } from './events.js';
import { R, type KubeObject } from './types.js';

const ds: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'foo', namespace: 'default', uid: 'u-1', resourceVersion: '7' } };

describe('EventRecorder', () => {
  it('creates a core/v1 Event named <object>.<hex nanos> with source, involvedObject and timestamps', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
    const c = new FakeClient([], { clock });
    const rec = new EventRecorder(c, clock, 'daemonset-controller');
    rec.event(ds, 'Normal', 'SuccessfulCreate', 'Created pod: foo-abcde');
    await rec.flush();
    const evs = c.all(R.events);
    expect(evs.length).toBe(1);
    const e = evs[0] as KubeObject & Record<string, unknown>;
    expect(e.metadata.name).toBe(`foo.${(BigInt(clock.now()) * 1_000_000n).toString(16)}`);
    expect(e.metadata.name).toBe('foo.18867251edfa0000');
    expect(e.metadata.namespace).toBe('default');
    expect(e.involvedObject).toEqual({ kind: 'DaemonSet', namespace: 'default', name: 'foo', uid: 'u-1', apiVersion: 'apps/v1', resourceVersion: '7' });
    expect(e.source).toEqual({ component: 'daemonset-controller' });
    expect([e.type, e.reason, e.message, e.count]).toEqual(['Normal', 'SuccessfulCreate', 'Created pod: foo-abcde', 1]);
    expect(e.firstTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(e.lastTimestamp).toBe('2026-01-01T00:00:00Z');
  });

  it('aggregates an identical event by PATCHing count and lastTimestamp', async () => {
    const clock = new FakeClock();
    const c = new FakeClient([], { clock });
    const rec = new EventRecorder(c, clock, 'daemonset-controller');
    rec.event(ds, 'Warning', 'FailedDaemonPod', 'Found failed daemon pod default/p on node n, will try to kill it');
    clock.step(5000);
    rec.event(ds, 'Warning', 'FailedDaemonPod', 'Found failed daemon pod default/p on node n, will try to kill it');
    rec.event(ds, 'Warning', 'FailedDaemonPod', 'Found failed daemon pod default/p on node n, will try to kill it');
    rec.event(ds, 'Warning', 'FailedDaemonPod', 'a different message');
    await rec.flush();
    const evs = c.all(R.events) as (KubeObject & Record<string, unknown>)[];
    expect(evs.length).toBe(2);
    const agg = evs.find((e) => e.message !== 'a different message')!;
    expect(agg.count).toBe(3);
    expect(agg.firstTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(agg.lastTimestamp).toBe('2026-01-01T00:00:05Z');
    expect(c.actions().filter((a) => a.verb === 'patch').length).toBe(2);
  });

  it('combines similar events from the 10th distinct message on (client-go EventAggregator), as one counted event', async () => {
    const clock = new FakeClock();
    const c = new FakeClient([], { clock });
    const rec = new EventRecorder(c, clock, 'daemonset-controller');
    for (let i = 1; i <= 12; i++) rec.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: foo-${i}`);
    await rec.flush();
    const evs = c.all(R.events) as (KubeObject & Record<string, unknown>)[];
    // created for foo-10, then patched twice: the count and the latest message
    expect(evs.map((e) => e.message)).toEqual([...Array.from({ length: 9 }, (_, i) => `Created pod: foo-${i + 1}`), '(combined from similar events): Created pod: foo-12']);
    expect(evs[9].count).toBe(3);
    expect(c.actions().filter((a) => a.verb === 'patch').length).toBe(2);
    // ten minutes later the group starts over
    clock.step(600_001);
    rec.event(ds, 'Normal', 'SuccessfulCreate', 'Created pod: foo-13');
    await rec.flush();
    expect((c.all(R.events) as (KubeObject & Record<string, unknown>)[]).at(-1)?.message).toBe('Created pod: foo-13');
  });

  it('lets a source write 25 events about one object, then one per 5 minutes (client-go spam filter)', async () => {
    const clock = new FakeClock();
    const c = new FakeClient([], { clock });
    const rec = new EventRecorder(c, clock, 'kubelet', 'node-1');
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'p-1' } };
    const writes = () => c.actions().filter((a) => a.resource === 'events' && (a.verb === 'create' || a.verb === 'patch')).length;
    for (let i = 0; i < 30; i++) rec.event(pod, 'Warning', 'BackOff', `Back-off ${i % 3}`);
    await rec.flush();
    expect(writes()).toBe(25);
    // another object has its own budget
    rec.event({ ...pod, metadata: { ...pod.metadata, name: 'q', uid: 'q-1' } }, 'Warning', 'BackOff', 'Back-off 0');
    await rec.flush();
    expect(writes()).toBe(26);
    clock.step(300_000);
    rec.event(pod, 'Warning', 'BackOff', 'Back-off 0');
    rec.event(pod, 'Warning', 'BackOff', 'Back-off 0');
    await rec.flush();
    expect(writes()).toBe(27);
    // the dropped occurrences were still counted
    const e = (c.all(R.events) as (KubeObject & Record<string, unknown>)[]).find((x) => x.message === 'Back-off 0' && (x.involvedObject as { name: string }).name === 'p');
    expect(e?.count).toBe(11);
  });

  it('FakeRecorder records "<type> <reason> <message>"', () => {
    const r = new FakeRecorder();
    r.event(ds, 'Warning', 'SelectingAll', 'x');
    expect(r.events).toEqual(['Warning SelectingAll x']);
  });
});
