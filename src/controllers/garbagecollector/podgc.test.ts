import { describe, it, expect, afterEach } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { R, type KubeObject } from '../../client/types.js';
import { PodGarbageCollector } from './podgc.js';
import { PolicyFakeClient, settle } from './testing.js';

const NS = 'default';

function node(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True' }] }, ...extra };
}
function pod(name: string, nodeName: string | undefined, extra: { phase?: string; meta?: Partial<KubeObject['metadata']> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, uid: `uid-${name}`, ...(extra.meta ?? {}) },
    spec: nodeName ? { nodeName } : {},
    status: { phase: extra.phase ?? 'Running' },
  };
}

let gc: PodGarbageCollector | undefined;
afterEach(() => gc?.stop());

async function start(c: PolicyFakeClient, clock: FakeClock, opts = {}) {
  gc = new PodGarbageCollector(c, clock, opts);
  await gc.start();
  return gc;
}

describe('PodGarbageCollector', () => {
  it('force-deletes pods of a node gone for the 40 s quarantine, marking them Failed with DisruptionTarget', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.nodes, node('alive'));
    c.seed(R.pods, pod('orphan', 'gone'));
    c.seed(R.pods, pod('fine', 'alive'));
    const g = await start(c, clock);
    await g.gc();
    expect(c.peek(R.pods, NS, 'orphan')).toBeDefined();
    clock.step(39_000);
    await g.gc();
    expect(c.peek(R.pods, NS, 'orphan')).toBeDefined();
    clock.step(1_000);
    await g.gc();
    expect(c.peek(R.pods, NS, 'orphan')).toBeUndefined();
    expect(c.peek(R.pods, NS, 'fine')).toBeDefined();
    expect(c.deletes).toEqual([{ resource: 'pods', namespace: NS, name: 'orphan', opts: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-orphan' } } }]);
    const status = c.actions().find((a) => a.verb === 'patch' && a.subresource === 'status');
    expect(status?.object).toMatchObject({
      status: { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' }] },
    });
  });

  it('runs on its own every 20 s through the clock', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.pods, pod('orphan', 'gone'));
    await start(c, clock);
    clock.step(20_000); // first seen missing
    await settle();
    clock.step(20_000); // 20 s in quarantine
    await settle();
    expect(c.peek(R.pods, NS, 'orphan')).toBeDefined();
    clock.step(20_000); // 40 s: collected
    await settle();
    expect(c.peek(R.pods, NS, 'orphan')).toBeUndefined();
  });

  it('spares the pods when the node comes back during the quarantine', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.pods, pod('p', 'flaky'));
    const g = await start(c, clock);
    await g.gc();
    clock.step(30_000);
    c.seed(R.nodes, node('flaky'));
    await g.gc();
    clock.step(30_000);
    await g.gc();
    expect(c.peek(R.pods, NS, 'p')).toBeDefined();
  });

  it('does not delete when the API server still has the node the informer lacks', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.pods, pod('p', 'n1'));
    const g = await start(c, clock);
    await g.gc();
    clock.step(40_000);
    // the node is stored but the informer has not seen it yet (cache lag)
    c.seed(R.nodes, node('n1'));
    (g as unknown as { nodes: { cacheDelete(o: KubeObject): void } }).nodes.cacheDelete(node('n1'));
    await g.gc();
    expect(c.peek(R.pods, NS, 'p')).toBeDefined();
  });

  it('force-deletes terminating pods that were never scheduled', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.pods, pod('p', undefined, { meta: { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] } }));
    const g = await start(c, clock);
    await g.gc();
    expect(c.deletes.map((d) => [d.name, d.opts.gracePeriodSeconds])).toEqual([['p', 0]]);
  });

  it('force-deletes terminating pods on a NotReady node with the out-of-service taint', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.nodes, node('down', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }));
    c.seed(R.nodes, node('up', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] } }));
    c.seed(R.pods, pod('a', 'down', { meta: { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] } }));
    c.seed(R.pods, pod('b', 'down'));
    c.seed(R.pods, pod('c', 'up', { meta: { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] } }));
    const g = await start(c, clock);
    await g.gc();
    expect(c.deletes.map((d) => d.name)).toEqual(['a']);
  });

  it('deletes the oldest terminated pods above the threshold', async () => {
    const clock = new FakeClock();
    const c = new PolicyFakeClient([], { clock });
    c.seed(R.nodes, node('n'));
    c.seed(R.pods, pod('old', 'n', { phase: 'Succeeded', meta: { creationTimestamp: '2026-01-01T00:00:00Z' } }));
    c.seed(R.pods, pod('mid', 'n', { phase: 'Failed', meta: { creationTimestamp: '2026-01-01T00:01:00Z' } }));
    c.seed(R.pods, pod('new', 'n', { phase: 'Succeeded', meta: { creationTimestamp: '2026-01-01T00:02:00Z' } }));
    c.seed(R.pods, pod('running', 'n', { meta: { creationTimestamp: '2025-01-01T00:00:00Z' } }));
    const g = await start(c, clock, { terminatedPodThreshold: 2 });
    await g.gc();
    expect(c.deletes.map((d) => d.name)).toEqual(['old']);
  });
});
