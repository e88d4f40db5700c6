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

  it('FakeRecorder records "<type> <reason> <message>"', () => {
    const r = new FakeRecorder();
    r.event(ds, 'Warning', 'SelectingAll', 'x');
    expect(r.events).toEqual(['Warning SelectingAll x']);
  });
});
