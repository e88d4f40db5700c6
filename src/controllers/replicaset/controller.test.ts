// Cases ported from pkg/controller/replicaset/replica_set_test.go and controller_utils_test.go,
// with FakeClient + FakeClock + FakeRecorder.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError } from '../../api/errors.js';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { FakeRecorder } from '../../client/events.js';
import { R, type KubeObject } from '../../client/types.js';
import { ReplicaSetController, calculateStatus, type PodT, type RS } from './controller.js';
import { rankPodsForDeletion, slowStartBatch } from './util.js';

const labels = { name: 'foo', type: 'production' };

function newReplicaSet(replicas: number, name = 'foo'): RS {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { ...labels } },
      template: { metadata: { labels: { ...labels, extra: 'x' } }, spec: { containers: [{ name: 'c', image: 'foo/bar' }] } },
    },
  } as RS;
}

let seq = 0;
function newPod(rs: RS | undefined, opts: { phase?: string; ready?: boolean; node?: string; readySince?: number; lbls?: Record<string, string> } = {}): PodT {
  const p = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod${seq++}`, namespace: 'default', labels: opts.lbls ?? { ...labels, extra: 'x' }, uid: `puid-${seq}` },
    spec: { containers: [{ name: 'c', image: 'foo/bar' }], nodeName: opts.node },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: new Date(opts.readySince ?? Date.parse('2026-01-01T00:00:00Z')).toISOString().replace('.000Z', 'Z') }],
    },
  } as unknown as PodT;
  if (rs) p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  return p;
}

async function env(burstReplicas?: number) {
  const clock = new FakeClock();
  const client = new FakeClient([], { clock });
  const recorder = new FakeRecorder();
  const ctrl = new ReplicaSetController(client, clock, { recorder, burstReplicas });
  await ctrl.startInformers();
  const sync = async (rs: RS) => {
    client.clearActions();
    recorder.events.length = 0;
    let err: unknown;
    try {
      await ctrl.syncReplicaSet(`default/${rs.metadata.name}`);
    } catch (e) {
      err = e;
    }
    const acts = client.actions();
    return {
      err,
      creates: acts.filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object as PodT),
      deletes: acts.filter((a) => a.verb === 'delete' && a.resource === 'pods').map((a) => a.name),
    };
  };
  return { clock, client, recorder, ctrl, sync };
}

describe('ReplicaSet controller (replica_set_test.go)', () => {
  it('TestSyncReplicaSetCreates: creates the missing pods from the template with a ControllerRef', async () => {
    const e = await env();
    const rs = e.client.seed(R.replicasets, newReplicaSet(2));
    const r = await e.sync(rs);
    expect(r.err).toBeUndefined();
    expect(r.creates.length).toBe(2);
    for (const p of r.creates) {
      expect(p.metadata.generateName).toBe('foo-');
      expect(p.metadata.labels).toEqual({ ...labels, extra: 'x' });
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'foo', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    expect(e.recorder.events.filter((x) => /^Normal SuccessfulCreate Created pod: foo-[a-z0-9]{5}$/.test(x)).length).toBe(2);
    const pods = e.client.all<PodT>(R.pods);
    expect(pods.map((p) => p.metadata.name).every((n) => /^foo-[a-z0-9]{5}$/.test(n!))).toBe(true);
  });

  it('TestSyncReplicaSetDeletes: deletes the extra pods', async () => {
    const e = await env();
    const rs = e.client.seed(R.replicasets, newReplicaSet(1));
    e.client.seed(R.pods, newPod(rs));
    e.client.seed(R.pods, newPod(rs));
    const r = await e.sync(rs);
    expect(r.creates.length).toBe(0);
    expect(r.deletes.length).toBe(1);
    expect(e.recorder.events).toEqual([`Normal SuccessfulDelete Deleted pod: ${r.deletes[0]}`]);
  });

  it('TestSyncReplicaSetDormancy: nothing is created while expectations are pending', async () => {
    const e = await env();
    const rs = e.client.seed(R.replicasets, newReplicaSet(2));
    e.ctrl.expectations.expectCreations('default/foo', 1);
    expect((await e.sync(rs)).creates.length).toBe(0);
    e.ctrl.expectations.creationObserved('default/foo');
    expect((await e.sync(rs)).creates.length).toBe(2);
    // expectations expire after 5 minutes
    e.ctrl.expectations.expectCreations('default/foo', 1);
    e.client.clearReactors();
    const rs2 = e.client.seed(R.replicasets, newReplicaSet(5, 'bar'));
    e.ctrl.expectations.expectCreations('default/bar', 1);
    expect((await e.sync(rs2)).creates.length).toBe(0);
    e.clock.step(5 * 60 * 1000 + 1);
    expect((await e.sync(rs2)).creates.length).toBe(5);
  });

  it('TestSyncReplicaSetBurstReplicas: at most burstReplicas pods per sync', async () => {
    const e = await env(5);
    const rs = e.client.seed(R.replicasets, newReplicaSet(12));
    expect((await e.sync(rs)).creates.length).toBe(5);
    expect(e.ctrl.expectations.satisfied('default/foo')).toBe(true); // the informer saw all five
    expect((await e.sync(rs)).creates.length).toBe(5);
    expect((await e.sync(rs)).creates.length).toBe(2);
    expect((await e.sync(rs)).creates.length).toBe(0);
  });

  it('TestControllerUpdateStatusWithFailure / ReplicaFailure: a failed create sets the condition, success removes it', async () => {
    const e = await env();
    const rs = e.client.seed(R.replicasets, newReplicaSet(3));
    e.client.addReactor('create', 'pods', () => new ApiError(403, 'Forbidden', 'pods "foo-" is forbidden: exceeded quota'));
    const r = await e.sync(rs);
    expect((r.err as Error).message).toBe('pods "foo-" is forbidden: exceeded quota');
    // slow start: one attempt, then the rest are skipped
    expect(r.creates.length).toBe(1);
    expect(e.recorder.events).toEqual(['Warning FailedCreate Error creating: pods "foo-" is forbidden: exceeded quota']);
    let cur = e.client.peek<RS>(R.replicasets, 'default', 'foo')!;
    expect(cur.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['ReplicaFailure', 'True', 'FailedCreate', 'pods "foo-" is forbidden: exceeded quota'],
    ]);
    expect(e.ctrl.expectations.satisfied('default/foo')).toBe(true);
    e.client.clearReactors();
    expect((await e.sync(cur)).creates.length).toBe(3);
    cur = e.client.peek<RS>(R.replicasets, 'default', 'foo')!;
    expect(cur.status?.conditions).toBeUndefined();
    // status counts the pods the sync started from, as upstream; the next sync sees the new ones
    expect(cur.status?.replicas).toBe(0);
    await e.sync(cur);
    expect(e.client.peek<RS>(R.replicasets, 'default', 'foo')!.status?.replicas).toBe(3);
  });

  it('TestPodControllerLookup / adoption: orphans matching the selector are adopted, owned non-matching pods released', async () => {
    const e = await env();
    const rs = e.client.seed(R.replicasets, newReplicaSet(2));
    const orphan = e.client.seed(R.pods, newPod(undefined));
    const stray = e.client.seed(R.pods, newPod(rs, { lbls: { name: 'other' } }));
    const r = await e.sync(rs);
    expect(r.creates.length).toBe(1);
    expect(e.client.peek<PodT>(R.pods, 'default', orphan.metadata.name!)!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs.metadata.uid, controller: true });
    expect(e.client.peek<PodT>(R.pods, 'default', stray.metadata.name!)!.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('TestUpdatePods with minReadySeconds: status counts ready, available and fully labeled pods', async () => {
    const e = await env();
    const base = newReplicaSet(3);
    (base.spec as { minReadySeconds?: number }).minReadySeconds = 10;
    const rs = e.client.seed(R.replicasets, base);
    const now = e.clock.now();
    e.client.seed(R.pods, newPod(rs, { readySince: now - 60_000 }));
    e.client.seed(R.pods, newPod(rs, { readySince: now - 5_000 }));
    e.client.seed(R.pods, newPod(rs, { lbls: { ...labels }, readySince: now - 60_000 }));
    e.client.seed(R.pods, newPod(rs, { phase: 'Succeeded' }));
    await e.sync(rs);
    const cur = e.client.peek<RS>(R.replicasets, 'default', 'foo')!;
    expect(cur.status).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 3, availableReplicas: 2, observedGeneration: 1 });
  });

  it('calculateStatus keeps other conditions', () => {
    const rs = newReplicaSet(1);
    const s = calculateStatus(rs, [], new Error('boom'), Date.parse('2026-01-01T00:00:00Z'));
    expect(s.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'boom', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
  });
});

describe('getPodsToDelete ranking (controller_utils_test.go TestSortingActivePodsWithRanks)', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  const mk = (name: string, extra: Partial<Record<string, unknown>> = {}) =>
    ({ metadata: { name, uid: name, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:10:00Z' }] }, ...extra }) as unknown as Pod;

  it('unscheduled < pending < unknown < running < not ready < ready; doubled up first; newer ready first', () => {
    const unscheduled = mk('unscheduled', { spec: {}, status: { phase: 'Pending' } });
    const pending = mk('pending', { status: { phase: 'Pending' } });
    const unknown = mk('unknown', { status: { phase: 'Unknown' } });
    const notReady = mk('notready', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });
    const lowCost = mk('lowcost', { metadata: { name: 'lowcost', uid: 'lowcost', annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-10' }, creationTimestamp: '2026-01-01T00:00:00Z' } });
    const doubled = mk('doubled');
    const readyRecently = mk('readyrecently', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:59:00Z' }] } });
    const restarted = mk('restarted', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:10:00Z' }], containerStatuses: [{ name: 'c', restartCount: 3 }] } });
    const old = mk('old');
    const pods = [old, restarted, readyRecently, doubled, lowCost, notReady, unknown, pending, unscheduled];
    const ranks = pods.map((p) => (p === doubled ? 2 : 1));
    expect(rankPodsForDeletion(pods, ranks, now).map((p) => p.metadata!.name)).toEqual([
      'unscheduled',
      'pending',
      'unknown',
      'notready',
      'lowcost',
      'doubled',
      'readyrecently',
      'restarted',
      'old',
    ]);
  });

  it('ReplicaSet.getPodsToDelete prefers pods on nodes with more related pods', async () => {
    const clock = new FakeClock(now);
    const ctrl = new ReplicaSetController(new FakeClient([], { clock }), clock, { recorder: new FakeRecorder() });
    const a = mk('a', { spec: { nodeName: 'n1' } });
    const b = mk('b', { spec: { nodeName: 'n2' } });
    const related = [a, b, mk('c', { spec: { nodeName: 'n2' } })];
    expect(ctrl.getPodsToDelete([a, b] as PodT[], related as PodT[], 1).map((p) => p.metadata.name)).toEqual(['b']);
  });
});

describe('slowStartBatch (controller_utils_test.go TestSlowStartBatch)', () => {
  it('batches 1, 2, 4, ... and stops after the first failing batch', async () => {
    let calls = 0;
    expect(await slowStartBatch(10, 1, async () => void calls++)).toEqual({ successes: 10 });
    expect(calls).toBe(10);
    calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls === 2) throw new Error('fail');
    });
    // batches of 1 and 2: the second batch has one failure; nothing after it
    expect(calls).toBe(3);
    expect(r.successes).toBe(2);
    expect((r.error as Error).message).toBe('fail');
  });
});

export type { KubeObject };
