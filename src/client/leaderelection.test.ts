import { describe, expect, it } from 'vitest';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from './fake.js';
import { LeaderElector, microTime, type LeaderElectionConfig } from './leaderelection.js';
import { R, type ApiClient, type KubeObject } from './types.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** advance the fake clock one millisecond at a time, letting async work run in between */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  await flush();
  for (let i = 0; i < ms; i++) {
    clock.step(1);
    await flush();
  }
}

/** a client on the shared fake API that can be cut off (calls fail) or made to hang */
function connection(api: FakeClient): { client: ApiClient; mode: 'ok' | 'down' | 'hang' } {
  const conn = { mode: 'ok' as 'ok' | 'down' | 'hang', client: undefined as unknown as ApiClient };
  conn.client = new Proxy(api, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (conn.mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
        if (conn.mode === 'hang') return new Promise(() => {});
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return conn;
}

interface Candidate {
  elector: LeaderElector;
  events: string[];
  conn: ReturnType<typeof connection>;
}

function candidate(api: FakeClient, clock: FakeClock, identity: string, extra: Partial<LeaderElectionConfig> = {}): Candidate {
  const events: string[] = [];
  const conn = connection(api);
  const elector = new LeaderElector({
    client: conn.client,
    clock,
    name: 'kindling-controllers',
    identity,
    random: () => 0,
    callbacks: {
      onStartedLeading: () => void events.push(`started@${clock.now() - T0}`),
      onStoppedLeading: () => void events.push(`stopped@${clock.now() - T0}`),
      onNewLeader: (id) => void events.push(`leader=${id}`),
    },
    ...extra,
  });
  return { elector, events, conn };
}

const T0 = Date.parse('2026-01-01T00:00:00Z');
const lease = (api: FakeClient) => api.peek<Lease & KubeObject>(R.leases, 'kube-system', 'kindling-controllers');

describe('LeaderElector', () => {
  it('acquires a missing lease at once, with client-go\'s record, and renews every retry period', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const a = candidate(api, clock, 'a');
    a.elector.run();
    await advance(clock, 0);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(['leader=a', 'started@0']);
    expect(lease(api)?.spec).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: microTime(T0),
      renewTime: microTime(T0),
      leaseTransitions: 0,
    });
    expect(microTime(T0)).toBe('2026-01-01T00:00:00.000000Z');

    await advance(clock, 2000);
    // renewed: renewTime moves, acquireTime and transitions stay
    expect(lease(api)?.spec).toMatchObject({ holderIdentity: 'a', acquireTime: microTime(T0), renewTime: microTime(T0 + 2000), leaseTransitions: 0 });
    await advance(clock, 2000);
    expect(lease(api)?.spec?.renewTime).toBe(microTime(T0 + 4000));
    expect(a.events).toEqual(['leader=a', 'started@0']);
  });

  it('a leader that cannot renew stops at its renew deadline; another takes over after the lease duration', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const a = candidate(api, clock, 'a');
    const b = candidate(api, clock, 'b');
    a.elector.run();
    await advance(clock, 500);
    b.elector.run(); // sees a's record at t=500
    await advance(clock, 500);
    a.conn.mode = 'down'; // a loses its connection at t=1000, after the renewal at t=0
    // a's next round starts at t=2000, so its deadline is t=12000
    await advance(clock, 10_999);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.events).toEqual(['leader=a', 'started@0']);
    await advance(clock, 1);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['leader=a', 'started@0', 'stopped@12000']);

    // b observed the record unchanged since t=500: it may take it at t > 15500; its attempts
    // run every 2 s from t=500 (jitter 0), so at t=16500
    await advance(clock, 4499);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.events).toEqual(['leader=a']);
    await advance(clock, 1);
    expect(b.elector.isLeader()).toBe(true);
    expect(b.events).toEqual(['leader=a', 'leader=b', 'started@16500']);
    expect(lease(api)?.spec).toEqual({
      holderIdentity: 'b',
      leaseDurationSeconds: 15,
      acquireTime: microTime(T0 + 16500),
      renewTime: microTime(T0 + 16500),
      leaseTransitions: 1,
    });
  });

  it('stops leading at the deadline even while a renewal request hangs', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const a = candidate(api, clock, 'a', { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 });
    a.elector.run();
    await advance(clock, 100);
    a.conn.mode = 'hang';
    // rounds: t=0 (immediate), t=500 hangs; its deadline is t=2500
    await advance(clock, 2399);
    expect(a.elector.isLeader()).toBe(true);
    await advance(clock, 1);
    expect(a.events).toEqual(['leader=a', 'started@0', 'stopped@2500']);
    expect(lease(api)?.spec).toMatchObject({ leaseDurationSeconds: 3, holderIdentity: 'a' });
  });

  it('a candidate does not take a lease the holder keeps renewing', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const a = candidate(api, clock, 'a');
    const b = candidate(api, clock, 'b');
    a.elector.run();
    b.elector.run();
    await advance(clock, 60_000);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.getLeader()).toBe('a');
    expect(lease(api)?.spec?.leaseTransitions).toBe(0);
  });

  it('releaseOnCancel: stop() empties the holder so the next candidate takes over at its next attempt', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const a = candidate(api, clock, 'a', { releaseOnCancel: true });
    const b = candidate(api, clock, 'b');
    a.elector.run();
    await advance(clock, 1);
    b.elector.run();
    await advance(clock, 999);
    await a.elector.stop();
    expect(a.events).toEqual(['leader=a', 'started@0', 'stopped@1000']);
    expect(lease(api)?.spec).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(T0 + 1000),
      renewTime: microTime(T0 + 1000),
      leaseTransitions: 0,
    });
    await advance(clock, 1001); // b's attempt at t=2001
    expect(b.elector.isLeader()).toBe(true);
    expect(lease(api)?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, acquireTime: microTime(T0 + 2001) });
    await a.elector.stop(); // idempotent
    expect(a.events).toHaveLength(3);
  });

  it('two candidates racing for a missing lease: exactly one wins', async () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    const cs = ['a', 'b', 'c'].map((id) => candidate(api, clock, id));
    for (const c of cs) c.elector.run();
    await advance(clock, 10);
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
    await advance(clock, 30_000);
    expect(cs.filter((c) => c.elector.isLeader())).toHaveLength(1);
  });

  it('rejects client-go\'s invalid timings', () => {
    const clock = new FakeClock(T0);
    const api = new FakeClient([], { clock });
    expect(() => candidate(api, clock, 'a', { leaseDurationMs: 10_000 })).toThrow('leaseDuration must be greater than renewDeadline');
    expect(() => candidate(api, clock, 'a', { renewDeadlineMs: 2_000 })).toThrow('renewDeadline must be greater than retryPeriod*JitterFactor');
  });
});
