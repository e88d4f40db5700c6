import { describe, it, expect, afterEach } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { FakeRecorder } from '../../client/events.js';
import { R, type KubeObject } from '../../client/types.js';
import { NodeLifecycleController, computeZoneState } from './controller.js';
import { PolicyFakeClient as FakeClient, settle } from '../garbagecollector/testing.js';

type NodeObj = Node & KubeObject;

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

function node(name: string, clock: FakeClock, extra: { conditions?: { type: string; status: string }[]; spec?: Record<string, unknown>; labels?: Record<string, string> } = {}): KubeObject {
  const t = iso(clock.now());
  const conditions = (extra.conditions ?? [
    { type: 'MemoryPressure', status: 'False' },
    { type: 'DiskPressure', status: 'False' },
    { type: 'PIDPressure', status: 'False' },
    { type: 'Ready', status: 'True' },
  ]).map((c) => ({ ...c, lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletReady', message: 'ok' }));
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: extra.labels, creationTimestamp: t }, spec: extra.spec ?? {}, status: { conditions } };
}

function lease(name: string, clock: FakeClock): KubeObject {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, renewTime: new Date(clock.now()).toISOString() } };
}

let ctrl: NodeLifecycleController | undefined;
afterEach(() => ctrl?.stop());

async function setup(names: string[], opts: { withLeases?: boolean } = {}) {
  const clock = new FakeClock();
  const client = new FakeClient([], { clock });
  for (const n of names) {
    client.seed(R.nodes, node(n, clock));
    if (opts.withLeases !== false) client.seed(R.leases, lease(n, clock));
  }
  const recorder = new FakeRecorder();
  ctrl = new NodeLifecycleController(client, clock, { recorder });
  await ctrl.start();
  await settle();
  return { clock, client, recorder };
}

/** the kubelet of `name` renews its lease */
async function renew(client: FakeClient, clock: FakeClock, name: string) {
  await client.patch(R.leases, 'kube-node-lease', name, 'merge', { spec: { renewTime: new Date(clock.now()).toISOString() } });
}

async function advance(clock: FakeClock, ms: number, step = 5_000, each?: () => Promise<void>) {
  for (let t = 0; t < ms; t += step) {
    clock.step(step);
    await settle();
    if (each) await each();
  }
}

const getNode = (c: FakeClient, n: string) => c.peek<NodeObj>(R.nodes, undefined, n)!;
const cond = (n: NodeObj, type: string) => n.status?.conditions?.find((c) => c.type === type);
const taintKeys = (n: NodeObj) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

describe('NodeLifecycleController: health', () => {
  it('sets every condition Unknown once the kubelet is silent past the 50 s grace period', async () => {
    const { clock, client, recorder } = await setup(['a', 'b']);
    client.seed(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'a' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    client.seed(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q', namespace: 'default' }, spec: { nodeName: 'b' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    // b keeps renewing; a is silent
    await advance(clock, 50_000, 5_000, () => renew(client, clock, 'b'));
    expect(cond(getNode(client, 'a'), 'Ready')?.status).toBe('True');
    await advance(clock, 5_000, 5_000, () => renew(client, clock, 'b'));
    const a = getNode(client, 'a');
    expect(cond(a, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: iso(clock.now()) });
    for (const t of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(cond(a, t)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    }
    expect(cond(getNode(client, 'b'), 'Ready')?.status).toBe('True');
    expect(recorder.events).toEqual(['Normal NodeNotReady Node a status is now: NodeNotReady']);
    const p = client.peek<Pod & KubeObject>(R.pods, 'default', 'p')!;
    expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(client.peek<Pod & KubeObject>(R.pods, 'default', 'q')!.status?.conditions?.[0].status).toBe('True');
  });

  it('gives a node that never posted Ready the 60 s startup grace, then NodeStatusNeverUpdated', async () => {
    const clock = new FakeClock();
    const client = new FakeClient([], { clock });
    client.seed(R.nodes, node('new', clock, { conditions: [] }));
    ctrl = new NodeLifecycleController(client, clock, { recorder: new FakeRecorder() });
    await ctrl.start();
    await advance(clock, 60_000);
    expect(cond(getNode(client, 'new'), 'Ready')).toBeUndefined();
    await advance(clock, 5_000);
    const n = getNode(client, 'new');
    expect(cond(n, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: n.metadata.creationTimestamp });
    expect(cond(n, 'PIDPressure')?.reason).toBe('NodeStatusNeverUpdated');
  });

  it('honours a configured grace period', async () => {
    const clock = new FakeClock();
    const client = new FakeClient([], { clock });
    client.seed(R.nodes, node('a', clock));
    ctrl = new NodeLifecycleController(client, clock, { gracePeriodMs: 20_000, monitorPeriodMs: 1_000, recorder: new FakeRecorder() });
    await ctrl.start();
    await advance(clock, 20_000, 1_000);
    expect(cond(getNode(client, 'a'), 'Ready')?.status).toBe('True');
    await advance(clock, 1_000, 1_000);
    expect(cond(getNode(client, 'a'), 'Ready')?.status).toBe('Unknown');
  });

  it('keeps a node whose Ready heartbeat changes healthy, without a lease', async () => {
    const { clock, client } = await setup(['a'], { withLeases: false });
    await advance(clock, 120_000, 10_000, async () => {
      const n = getNode(client, 'a');
      const conditions = n.status!.conditions!.map((c) => ({ ...c, lastHeartbeatTime: iso(clock.now()) }));
      await client.update(R.nodes, undefined, { ...n, status: { ...n.status, conditions } }, {}, 'status');
    });
    expect(cond(getNode(client, 'a'), 'Ready')?.status).toBe('True');
  });
});

describe('NodeLifecycleController: taints', () => {
  it('adds NoSchedule taints that follow conditions and unschedulable, and removes them when they clear', async () => {
    const { clock, client } = await setup(['a']);
    const n = getNode(client, 'a');
    const conditions = n.status!.conditions!.map((c) => (c.type === 'MemoryPressure' ? { ...c, status: 'True' } : c));
    conditions.push({ type: 'NetworkUnavailable', status: 'True', lastHeartbeatTime: iso(clock.now()), lastTransitionTime: iso(clock.now()) } as never);
    await client.update(R.nodes, undefined, { ...n, status: { ...n.status, conditions } }, {}, 'status');
    await client.patch(R.nodes, undefined, 'a', 'merge', { spec: { unschedulable: true, taints: [{ key: 'user', value: 'x', effect: 'NoSchedule' }] } });
    await settle();
    let a = getNode(client, 'a');
    expect(taintKeys(a)).toEqual([
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/network-unavailable:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
      'user:NoSchedule',
    ]);
    expect(a.spec!.taints!.find((t) => t.key === 'node.kubernetes.io/unschedulable')?.timeAdded).toBe(iso(clock.now()));
    const cleared = a.status!.conditions!.filter((c) => c.type !== 'NetworkUnavailable').map((c) => ({ ...c, status: c.type === 'Ready' ? 'True' : 'False' }));
    await client.update(R.nodes, undefined, { ...a, status: { ...a.status, conditions: cleared } }, {}, 'status');
    await client.patch(R.nodes, undefined, 'a', 'merge', { spec: { unschedulable: null } });
    await settle();
    a = getNode(client, 'a');
    expect(taintKeys(a)).toEqual(['user:NoSchedule']);
  });

  it('taints an unreachable node NoSchedule at once and NoExecute on the next pass, and untaints it when it is back', async () => {
    const { clock, client } = await setup(['a', 'b']);
    await advance(clock, 55_000, 5_000, () => renew(client, clock, 'b'));
    expect(cond(getNode(client, 'a'), 'Ready')?.status).toBe('Unknown');
    expect(taintKeys(getNode(client, 'a'))).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    await advance(clock, 5_000, 5_000, () => renew(client, clock, 'b'));
    const a = getNode(client, 'a');
    expect(taintKeys(a)).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    expect(a.spec!.taints!.find((t) => t.effect === 'NoExecute')?.timeAdded).toBe(iso(clock.now()));
    expect(taintKeys(getNode(client, 'b'))).toEqual([]);
    // the kubelet posts Ready=False: not-ready replaces unreachable
    const conditions = a.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastHeartbeatTime: iso(clock.now()) } : c));
    await client.update(R.nodes, undefined, { ...a, status: { ...a.status, conditions } }, {}, 'status');
    await advance(clock, 5_000, 5_000, () => renew(client, clock, 'b'));
    expect(taintKeys(getNode(client, 'a'))).toEqual(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
    // and Ready=True: all gone
    const back = getNode(client, 'a');
    const ready = back.status!.conditions!.map((c) => ({ ...c, status: c.type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: iso(clock.now()) }));
    await client.update(R.nodes, undefined, { ...back, status: { ...back.status, conditions: ready } }, {}, 'status');
    await advance(clock, 5_000, 5_000, () => renew(client, clock, 'b'));
    expect(taintKeys(getNode(client, 'a'))).toEqual([]);
  });

  it('adds no NoExecute taint when every node is down (full disruption)', async () => {
    const { clock, client } = await setup(['a', 'b']);
    await advance(clock, 70_000);
    for (const n of ['a', 'b']) {
      expect(cond(getNode(client, n), 'Ready')?.status).toBe('Unknown');
      expect(taintKeys(getNode(client, n))).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    }
  });

  it('adds no new NoExecute taint in a small zone in partial disruption', async () => {
    const { clock, client } = await setup(['a', 'b', 'c', 'd']);
    await advance(clock, 70_000, 5_000, () => renew(client, clock, 'd'));
    for (const n of ['a', 'b', 'c']) expect(taintKeys(getNode(client, n))).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
  });
});

describe('computeZoneState', () => {
  const c = (s: string) => ({ type: 'Ready', status: s });
  it.each([
    [['True', 'True'], 'Normal'],
    [['Unknown', 'False'], 'FullDisruption'],
    [['True', 'False', 'False'], 'Normal'],
    [['True', 'False', 'False', 'Unknown'], 'PartialDisruption'],
    [['True', 'True', 'False', 'False', 'Unknown'], 'PartialDisruption'],
    [['True', 'True', 'True', 'False', 'False', 'Unknown'], 'Normal'],
  ])('%j -> %s', (statuses, want) => {
    expect(computeZoneState(statuses.map(c))).toBe(want);
  });
});
