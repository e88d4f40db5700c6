// Cases ported from pkg/controller/deployment: sync_test.go (TestScale, cleanupDeployment),
// rolling_test.go (TestReconcileNewReplicaSet, TestReconcileOldReplicaSets), progress_test.go
// and deployment_controller_test.go, with FakeClient + FakeClock + FakeRecorder.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { FakeRecorder } from '../../client/events.js';
import { R } from '../../client/types.js';
import { DeploymentController } from './controller.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION, maxSurge, type DeployT, type RST } from './util.js';

type Strategy = { type: 'RollingUpdate'; maxSurge?: number | string; maxUnavailable?: number | string } | { type: 'Recreate' };

function newDeployment(name: string, replicas: number, opts: { strategy?: Strategy; revisionHistoryLimit?: number; progressDeadlineSeconds?: number; image?: string } = {}): DeployT {
  const s = opts.strategy ?? { type: 'RollingUpdate', maxSurge: 0, maxUnavailable: 0 };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { foo: 'bar' } },
      strategy: s.type === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: s.maxSurge, maxUnavailable: s.maxUnavailable } },
      revisionHistoryLimit: opts.revisionHistoryLimit,
      progressDeadlineSeconds: opts.progressDeadlineSeconds,
      template: { metadata: { labels: { foo: 'bar' } }, spec: { containers: [{ name: 'c', image: opts.image ?? 'foo/bar' }] } },
    },
  } as DeployT;
}

function newRS(d: DeployT, name: string, replicas: number, opts: { created?: string; available?: number; revision?: string; image?: string } = {}): RST {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      generation: 1,
      creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z',
      labels: { foo: 'bar', 'pod-template-hash': name },
      annotations: opts.revision ? { [REVISION_ANNOTATION]: opts.revision } : {},
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: { foo: 'bar', 'pod-template-hash': name } },
      template: { metadata: { labels: { foo: 'bar', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image: opts.image ?? name }] } },
    },
    status: { replicas, availableReplicas: opts.available ?? replicas, readyReplicas: opts.available ?? replicas, observedGeneration: 1 },
  } as RST;
}

async function env() {
  const clock = new FakeClock();
  const client = new FakeClient([], { clock });
  const recorder = new FakeRecorder();
  const ctrl = new DeploymentController(client, clock, { recorder });
  await ctrl.startInformers();
  const rs = (name: string) => client.peek<RST>(R.replicasets, 'default', name)!;
  const deploy = (name = 'foo') => client.peek<DeployT>(R.deployments, 'default', name)!;
  const sync = (name = 'foo') => ctrl.syncDeployment(`default/${name}`);
  /** the deployment's annotations as last written through /status (the registry keeps them; FakeClient keeps only status) */
  const statusAnnotations = () =>
    (client.actions().filter((a) => a.verb === 'update' && a.resource === 'deployments' && a.subresource === 'status').pop()?.object as DeployT | undefined)?.metadata.annotations;
  return { clock, client, recorder, ctrl, rs, deploy, sync, statusAnnotations };
}

describe('new deployment', () => {
  it('creates <name>-<pod-template-hash> at revision 1 with the annotations, the event and the Progressing condition', async () => {
    const e = await env();
    e.client.seed(R.deployments, newDeployment('foo', 3, { strategy: { type: 'RollingUpdate', maxSurge: '25%', maxUnavailable: '25%' }, progressDeadlineSeconds: 600 }));
    await e.sync();
    const all = e.client.all<RST>(R.replicasets);
    expect(all.length).toBe(1);
    const rs = all[0];
    const hash = rs.metadata.labels!['pod-template-hash'];
    expect(rs.metadata.name).toBe(`foo-${hash}`);
    expect(rs.spec?.replicas).toBe(3);
    expect(rs.spec?.selector.matchLabels).toEqual({ foo: 'bar', 'pod-template-hash': hash });
    expect(rs.spec?.template?.metadata?.labels).toEqual({ foo: 'bar', 'pod-template-hash': hash });
    expect(rs.metadata.annotations).toEqual({ [REVISION_ANNOTATION]: '1', [DESIRED_REPLICAS_ANNOTATION]: '3', [MAX_REPLICAS_ANNOTATION]: '4' });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: 'uid-foo', controller: true, blockOwnerDeletion: true }]);
    expect(e.recorder.events).toEqual([`Normal ScalingReplicaSet Scaled up replica set foo-${hash} to 3 from 0`]);
    const d = e.deploy();
    expect(e.statusAnnotations()?.[REVISION_ANNOTATION]).toBe('1');
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "foo-${hash}"`],
      ['Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'],
    ]);
  });

  it('once the ReplicaSet is available: NewReplicaSetAvailable and MinimumReplicasAvailable', async () => {
    const e = await env();
    e.client.seed(R.deployments, newDeployment('foo', 2, { progressDeadlineSeconds: 600 }));
    await e.sync();
    const rs = e.client.all<RST>(R.replicasets)[0];
    await e.client.update(R.replicasets, 'default', { ...rs, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 } } as RST, undefined, 'status');
    await e.sync();
    const d = e.deploy();
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 0, observedGeneration: 1 });
    expect(d.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs.metadata.name}" has successfully progressed.`],
    ]);
  });

  it('progress deadline: ProgressDeadlineExceeded after progressDeadlineSeconds without progress', async () => {
    const e = await env();
    e.client.seed(R.deployments, newDeployment('foo', 2, { progressDeadlineSeconds: 30 }));
    await e.sync();
    await e.sync();
    e.clock.step(31_000);
    await e.sync();
    const rsName = e.client.all<RST>(R.replicasets)[0].metadata.name;
    const p = e.deploy().status?.conditions?.find((c) => c.type === 'Progressing');
    expect([p?.status, p?.reason, p?.message]).toEqual(['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`]);
  });

  it('paused: Progressing Unknown DeploymentPaused, no ReplicaSet created; resumed: DeploymentResumed', async () => {
    const e = await env();
    const d = newDeployment('foo', 2, { progressDeadlineSeconds: 600 });
    (d.spec as { paused?: boolean }).paused = true;
    e.client.seed(R.deployments, d);
    await e.sync();
    expect(e.client.all(R.replicasets).length).toBe(0);
    const p = e.deploy().status?.conditions?.find((c) => c.type === 'Progressing');
    expect([p?.status, p?.reason, p?.message]).toEqual(['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    const cur = e.deploy();
    await e.client.update(R.deployments, 'default', { ...cur, spec: { ...cur.spec!, paused: false } } as DeployT);
    await e.sync();
    // resumed, then the new ReplicaSet's creation replaces the condition
    expect(e.recorder.events.length).toBe(1);
    const p2 = e.deploy().status?.conditions?.find((c) => c.type === 'Progressing');
    expect(p2?.reason).toBe('NewReplicaSetCreated');
  });
});

describe('rolling_test.go', () => {
  // TestDeploymentController_reconcileNewReplicaSet
  it.each([
    { name: 'max surge 0: no scale up', replicas: 10, surge: 0, old: 10, cur: 0, scaled: false, want: 0 },
    { name: 'surge 2 over 10 old', replicas: 10, surge: 2, old: 10, cur: 0, scaled: true, want: 2 },
    { name: 'surge 2 over 5 old', replicas: 10, surge: 2, old: 5, cur: 0, scaled: true, want: 7 },
    { name: 'already surged', replicas: 10, surge: 2, old: 10, cur: 2, scaled: false, want: 2 },
    { name: 'scale down the new RS', replicas: 2, surge: 2, old: 2, cur: 4, scaled: true, want: 2 },
  ])('reconcileNewReplicaSet: $name', async ({ replicas, surge, old, cur, scaled, want }) => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', replicas, { strategy: { type: 'RollingUpdate', maxSurge: surge, maxUnavailable: 0 } }));
    const o = e.client.seed(R.replicasets, newRS(d, 'foo-v1', old, { created: '2026-01-01T00:00:00Z' }));
    const n = e.client.seed(R.replicasets, newRS(d, 'foo-v2', cur, { created: '2026-01-01T00:01:00Z' }));
    expect(await e.ctrl.reconcileNewReplicaSet([o, n], n, d)).toBe(scaled);
    expect(e.rs('foo-v2').spec?.replicas).toBe(want);
  });

  // TestDeploymentController_reconcileOldReplicaSets: old pods go only while enough are available
  it.each([
    { name: 'maxUnavailable 0, new not ready: nothing', replicas: 10, unavail: 0, surge: 2, old: 10, oldAvail: 10, cur: 2, curAvail: 0, scaled: false, want: 10 },
    { name: 'maxUnavailable 0, 2 new ready: 2 old go', replicas: 10, unavail: 0, surge: 2, old: 10, oldAvail: 10, cur: 2, curAvail: 2, scaled: true, want: 8 },
    { name: 'maxUnavailable 2: 2 old go at once', replicas: 10, unavail: 2, surge: 0, old: 10, oldAvail: 10, cur: 0, curAvail: 0, scaled: true, want: 8 },
    { name: 'unhealthy old replicas are cleaned up first', replicas: 10, unavail: 0, surge: 2, old: 10, oldAvail: 7, cur: 2, curAvail: 2, scaled: true, want: 8 },
  ])('reconcileOldReplicaSets: $name', async ({ replicas, unavail, surge, old, oldAvail, cur, curAvail, scaled, want }) => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', replicas, { strategy: { type: 'RollingUpdate', maxSurge: surge, maxUnavailable: unavail } }));
    const o = e.client.seed(R.replicasets, newRS(d, 'foo-v1', old, { available: oldAvail }));
    const n = e.client.seed(R.replicasets, newRS(d, 'foo-v2', cur, { available: curAvail, created: '2026-01-01T00:01:00Z' }));
    expect(await e.ctrl.reconcileOldReplicaSets([o, n], [o], n, d)).toBe(scaled);
    expect(e.rs('foo-v1').spec?.replicas).toBe(want);
  });

  it('a template change surges the new ReplicaSet first, then scales the old one down (maxSurge 1, maxUnavailable 0)', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 3, { strategy: { type: 'RollingUpdate', maxSurge: 1, maxUnavailable: 0 } }));
    await e.sync();
    const v1 = e.client.all<RST>(R.replicasets)[0];
    await e.client.update(R.replicasets, 'default', { ...v1, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 } } as RST, undefined, 'status');
    await e.sync();
    const cur = e.deploy();
    await e.client.update(R.deployments, 'default', { ...cur, spec: { ...cur.spec!, template: { ...cur.spec!.template, spec: { containers: [{ name: 'c', image: 'foo/bar:2' }] } } } } as DeployT);
    e.recorder.events.length = 0;
    await e.sync();
    const v2 = e.client.all<RST>(R.replicasets).find((r) => r.metadata.name !== v1.metadata.name)!;
    expect(v2.spec?.replicas).toBe(1);
    expect(e.rs(v1.metadata.name!).spec?.replicas).toBe(3);
    expect(v2.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    expect(e.recorder.events).toEqual([`Normal ScalingReplicaSet Scaled up replica set ${v2.metadata.name} to 1 from 0`]);
    // the new pod becomes available: one old pod goes
    await e.client.update(R.replicasets, 'default', { ...e.rs(v2.metadata.name!), status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } } as RST, undefined, 'status');
    e.recorder.events.length = 0;
    await e.sync();
    expect(e.recorder.events).toEqual([`Normal ScalingReplicaSet Scaled down replica set ${v1.metadata.name} to 2 from 3`]);
    void d;
  });
});

describe('recreate.go', () => {
  it('scales old ReplicaSets to 0 and creates the new one only when no old pod runs', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 2, { strategy: { type: 'Recreate' } }));
    e.client.seed(R.replicasets, newRS(d, 'foo-v1', 2, { revision: '1' }));
    await e.sync();
    expect(e.rs('foo-v1').spec?.replicas).toBe(0);
    expect(e.client.all(R.replicasets).length).toBe(1);
    expect(e.recorder.events).toEqual(['Normal ScalingReplicaSet Scaled down replica set foo-v1 to 0 from 2']);
    // status still reports 2 replicas: wait
    await e.sync();
    expect(e.client.all(R.replicasets).length).toBe(1);
    await e.client.update(R.replicasets, 'default', { ...e.rs('foo-v1'), status: { replicas: 0, observedGeneration: 2 } } as RST, undefined, 'status');
    await e.sync();
    const all = e.client.all<RST>(R.replicasets);
    expect(all.length).toBe(2);
    const v2 = all.find((r) => r.metadata.name !== 'foo-v1')!;
    expect(v2.spec?.replicas).toBe(2);
    expect(v2.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
  });
});

describe('sync_test.go', () => {
  // TestScale: proportional scaling (maxSurge 0, maxUnavailable 0 -> 1)
  it.each([
    { name: '5 -> 10', from: 5, to: 10, rss: [['foo-v2', 2], ['foo-v1', 3]], want: [4, 6] },
    { name: '5 -> 3', from: 5, to: 3, rss: [['foo-v2', 2], ['foo-v1', 3]], want: [1, 2] },
    { name: '9 -> 4', from: 9, to: 4, rss: [['foo-v2', 8], ['foo-v1', 1]], want: [4, 0] },
    { name: '7 -> 10', from: 7, to: 10, rss: [['foo-v3', 2], ['foo-v2', 3], ['foo-v1', 2]], want: [3, 4, 3] },
    { name: '13 -> 8', from: 13, to: 8, rss: [['foo-v3', 2], ['foo-v2', 8], ['foo-v1', 3]], want: [1, 5, 2] },
  ] as { name: string; from: number; to: number; rss: [string, number][]; want: number[] }[])('proportional scaling: $name', async ({ from, to, rss, want }) => {
    const e = await env();
    const old = newDeployment('foo', from);
    const d = e.client.seed(R.deployments, newDeployment('foo', to));
    const seeded = rss.map(([name, n], i) => {
      const rs = newRS(d, name, n, { created: new Date(Date.parse('2026-01-01T00:10:00Z') - i * 60_000).toISOString().replace('.000Z', 'Z') });
      rs.metadata.annotations = { [DESIRED_REPLICAS_ANNOTATION]: String(from), [MAX_REPLICAS_ANNOTATION]: String(from + maxSurge(old)) };
      return e.client.seed(R.replicasets, rs);
    });
    await e.ctrl.scale(d, seeded[0], seeded.slice(1));
    expect(rss.map(([name]) => e.rs(name).spec?.replicas)).toEqual(want);
    for (const [name] of rss) expect(e.rs(name).metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION]).toBe(String(to));
  });

  it('a scaling event during a rollout goes through sync(): both ReplicaSets scale proportionally', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 10, { strategy: { type: 'RollingUpdate', maxSurge: 3, maxUnavailable: 2 } }));
    // a rollout in progress: new (current template) and old
    const n = newRS(d, 'foo-v2', 5, { image: 'foo/bar', created: '2026-01-01T00:01:00Z', revision: '2' });
    n.metadata.annotations = { ...n.metadata.annotations, [DESIRED_REPLICAS_ANNOTATION]: '10', [MAX_REPLICAS_ANNOTATION]: '13' };
    (n.spec!.template!.metadata!.labels as Record<string, string>)['pod-template-hash'] = 'foo-v2';
    const o = newRS(d, 'foo-v1', 8, { revision: '1' });
    o.metadata.annotations = { ...o.metadata.annotations, [DESIRED_REPLICAS_ANNOTATION]: '10', [MAX_REPLICAS_ANNOTATION]: '13' };
    e.client.seed(R.replicasets, n);
    e.client.seed(R.replicasets, o);
    const cur = e.deploy();
    await e.client.update(R.deployments, 'default', { ...cur, spec: { ...cur.spec!, replicas: 20 } } as DeployT);
    await e.sync();
    // allowed 20 + 3 = 23, was 13: v1 8 -> round(8*23/13)=14, v2 5 -> round(5*23/13)=9
    expect([e.rs('foo-v1').spec?.replicas, e.rs('foo-v2').spec?.replicas]).toEqual([14, 9]);
    expect(e.recorder.events.sort()).toEqual(['Normal ScalingReplicaSet Scaled up replica set foo-v1 to 14 from 8', 'Normal ScalingReplicaSet Scaled up replica set foo-v2 to 9 from 5']);
  });

  // TestDeploymentController_cleanupDeployment
  it('cleanupDeployment keeps revisionHistoryLimit old ReplicaSets, deleting the lowest revisions that are scaled to 0', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 1, { revisionHistoryLimit: 1 }));
    const olds = [
      e.client.seed(R.replicasets, newRS(d, 'foo-v1', 0, { revision: '1' })),
      e.client.seed(R.replicasets, newRS(d, 'foo-v2', 0, { revision: '2' })),
      e.client.seed(R.replicasets, newRS(d, 'foo-v3', 1, { revision: '3' })),
      e.client.seed(R.replicasets, newRS(d, 'foo-v4', 0, { revision: '4' })),
    ];
    await e.ctrl.cleanupDeployment(olds, d);
    // three to delete by revision: v1, v2 go; v3 still has a replica
    expect(e.client.all<RST>(R.replicasets).map((r) => r.metadata.name).sort()).toEqual(['foo-v3', 'foo-v4']);
  });

  it('revision-history: an old template coming back gets the next revision and remembers its old one', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 1, { image: 'img:1' }));
    await e.sync();
    const first = e.client.all<RST>(R.replicasets)[0];
    let cur = e.deploy();
    await e.client.update(R.deployments, 'default', { ...cur, spec: { ...cur.spec!, template: { ...cur.spec!.template, spec: { containers: [{ name: 'c', image: 'img:2' }] } } } } as DeployT);
    await e.sync();
    cur = e.deploy();
    expect(e.statusAnnotations()?.[REVISION_ANNOTATION]).toBe('2');
    // what kubectl rollout undo does: put the first template back
    await e.client.update(R.deployments, 'default', { ...cur, spec: { ...cur.spec!, template: d.spec!.template } } as DeployT);
    await e.sync();
    const back = e.rs(first.metadata.name!);
    expect(back.metadata.annotations?.[REVISION_ANNOTATION]).toBe('3');
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    expect(e.statusAnnotations()?.[REVISION_ANNOTATION]).toBe('3');
  });

  it('SelectingAll: an empty selector is refused with a warning event', async () => {
    const e = await env();
    const d = newDeployment('foo', 1);
    (d.spec as { selector: object }).selector = {};
    e.client.seed(R.deployments, d);
    await e.sync();
    expect(e.recorder.events).toEqual(['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
    expect(e.client.all(R.replicasets).length).toBe(0);
    expect(e.deploy().status?.observedGeneration).toBe(1);
  });

  it('adopts an orphan ReplicaSet matching the selector', async () => {
    const e = await env();
    const d = e.client.seed(R.deployments, newDeployment('foo', 1));
    const orphan = newRS(d, 'foo-orphan', 0);
    orphan.metadata.ownerReferences = [];
    e.client.seed(R.replicasets, orphan);
    await e.sync();
    expect(e.rs('foo-orphan').metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', uid: 'uid-foo', controller: true });
  });
});
