import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from './fake.js';
import { CONTROLLER_MANAGER_LIMITS, rateLimitedClient, TokenBucket } from './ratelimit.js';
import { R, type KubeObject } from './types.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('TokenBucket', () => {
  it('lets a burst through at once, then one request per 1/qps, in arrival order', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(20, 30, clock);
    const done: number[] = [];
    for (let i = 0; i < 40; i++) void b.wait().then(() => done.push(i));
    await flush();
    expect(done).toHaveLength(30);
    clock.step(49);
    await flush();
    expect(done).toHaveLength(30);
    clock.step(1); // 50 ms = one token at 20 QPS
    await flush();
    expect(done).toHaveLength(31);
    clock.step(450); // 9 more tokens
    await flush();
    expect(done).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(b.stats).toEqual({ requests: 40, throttled: 10, waitedMs: [50, 100, 150, 200, 250, 300, 350, 400, 450, 500].reduce((a, c) => a + c, 0) });
  });

  it('refills up to burst while idle, never beyond', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) expect(b.tryAccept()).toBe(true);
    expect(b.tryAccept()).toBe(false);
    clock.step(10_000); // would be 100 tokens without the cap
    for (let i = 0; i < 3; i++) expect(b.tryAccept()).toBe(true);
    expect(b.tryAccept()).toBe(false);
    clock.step(100);
    expect(b.tryAccept()).toBe(true);
  });

  it('rejects nonsense limits', () => {
    expect(() => new TokenBucket(0, 1, new FakeClock())).toThrow('qps must be > 0, got 0');
    expect(() => new TokenBucket(1, 0, new FakeClock())).toThrow('burst must be >= 1, got 0');
  });
});

describe('rateLimitedClient', () => {
  it('holds every verb behind the bucket: controller-manager limits give 30 at once, then 20 per second', async () => {
    const clock = new FakeClock();
    const fake = new FakeClient([], { clock });
    const limiter = new TokenBucket(CONTROLLER_MANAGER_LIMITS.qps, CONTROLLER_MANAGER_LIMITS.burst, clock);
    const client = rateLimitedClient(fake, limiter);
    const created: string[] = [];
    for (let i = 0; i < 50; i++) {
      const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' } };
      void client.create(R.configmaps, 'default', cm).then((o) => created.push(o.metadata.name!));
    }
    await flush();
    expect(created).toHaveLength(30);
    expect(fake.actions().filter((a) => a.verb === 'create')).toHaveLength(30);
    clock.step(1000);
    await flush();
    expect(created).toHaveLength(50);
    expect(created[49]).toBe('cm-49');

    // reads and deletes take tokens too; the bucket is empty again after 20 more
    const got: string[] = [];
    void client.get(R.configmaps, 'default', 'cm-0').then((o) => got.push(o.metadata.name!));
    void client.list(R.configmaps, 'default').then((l) => got.push(`list:${l.items.length}`));
    void client.delete(R.configmaps, 'default', 'cm-1').then(() => got.push('deleted'));
    await flush();
    expect(got).toEqual([]);
    clock.step(150);
    await flush();
    expect(got).toEqual(['cm-0', 'list:50', 'deleted']);
  });

  it('starts a watch only when a token is free, and not at all if stopped first', async () => {
    const clock = new FakeClock();
    const fake = new FakeClient([], { clock });
    const limiter = new TokenBucket(1, 1, clock);
    const client = rateLimitedClient(fake, limiter);
    const seen: string[] = [];
    client.watch(R.configmaps, 'default', {}, (ev) => seen.push(`a:${ev.type}:${ev.object.metadata.name}`));
    const late = client.watch(R.configmaps, 'default', {}, (ev) => seen.push(`b:${ev.type}:${ev.object.metadata.name}`));
    const stopped = client.watch(R.configmaps, 'default', {}, (ev) => seen.push(`c:${ev.type}:${ev.object.metadata.name}`));
    stopped.stop();
    fake.seed(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one', namespace: 'default' } });
    expect(seen).toEqual(['a:ADDED:one']);
    clock.step(2000);
    await flush();
    fake.seed(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two', namespace: 'default' } });
    expect(seen.filter((s) => s.endsWith(':two')).sort()).toEqual(['a:ADDED:two', 'b:ADDED:two']);
    expect(seen.some((s) => s.startsWith('c:'))).toBe(false);
    late.stop();
  });
});
