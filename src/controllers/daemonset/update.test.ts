// Upstream pkg/controller/daemon/update_test.go (spec/daemonset.md §7.3, §3.9) and the
// ControllerRevision behaviour of §3.2–3.4.
import { describe, it, expect } from 'vitest';
import { R, type KubeObject } from '../../client/types.js';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import {
  addDS, addNodes, dsPods, getDS, markAllReady, markPodsReady, newDaemonSet, newEnv, newNode, newPod, simpleDaemonSetLabel, sync3, syncOnce,
  type DS, type Env, type PodT, type W,
} from './testutil.js';
import { computeHash, revisionData, matchRevision, canonicalJSON } from './revision.js';
import { REVISION_HASH_LABEL } from './util.js';
import { getTargetNodeName } from './predicates.js';

type CR = ControllerRevision & KubeObject & { metadata: { name: string } };
const mut = <T>(x: T) => x as unknown as W<T>;

async function updateDS(env: Env, ds: DS, change: (d: W<DS>) => void): Promise<DS> {
  const cur = getDS(env, ds);
  change(mut(cur));
  return env.client.update<DS>(R.daemonsets, 'default', cur);
}
const setImage = (img: string) => (d: W<DS>) => {
  d.spec!.template!.spec!.containers![0].image = img;
};
const rolling = (ru: Record<string, unknown>) => (d: W<DS>) => {
  d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: ru } as never;
};
const crs = (env: Env) => env.client.all<CR>(R.controllerrevisions);
const isReady = (p: PodT) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const readyNames = (env: Env) => dsPods(env).filter(isReady).map((p) => p.metadata.name!).sort();

/** upstream setPodReadiness: flip `count` live pods whose readiness differs and that match fn (now = the clock) */
async function setPodReadiness(env: Env, ready: boolean, count: number, fn: (p: PodT) => boolean): Promise<void> {
  for (const pod of dsPods(env)) {
    if (count <= 0) break;
    if (pod.metadata.deletionTimestamp || isReady(pod) === ready || !fn(pod)) continue;
    await markPodsReady(env, [pod], ready);
    count--;
  }
  expect(count).toBe(0);
}

async function seq(env: Env, ds: DS, steps: ([number, number] | 'ready')[]): Promise<void> {
  const got: unknown[] = [];
  for (const s of steps) {
    if (s === 'ready') {
      await markAllReady(env);
      got.push('ready');
    } else {
      const r = await syncOnce(env, ds);
      got.push([r.creates, r.deletes]);
    }
  }
  expect(JSON.stringify(got)).toBe(JSON.stringify(steps));
}

describe('update_test', () => {
  it('TestDaemonSetUpdatesPods', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 2 })(d);
    });
    await seq(env, ds, [[0, 2], [2, 0], 'ready', [0, 2], [2, 0], 'ready', [0, 1], [1, 0], 'ready', [0, 0]]);
    const hash = computeHash(getDS(env, ds).spec!.template);
    expect(dsPods(env).every((p) => p.metadata.labels![REVISION_HASH_LABEL] === hash)).toBe(true);
  });

  it('TestDaemonSetUpdatesPodsWithMaxSurge', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 0, maxSurge: 2 })(d);
    });
    await seq(env, ds, [[2, 0], [0, 0], 'ready', [2, 2], [0, 0], 'ready', [1, 2], [0, 0], 'ready', [0, 1], [0, 0]]);
  });

  it('TestDaemonSetUpdatesWhenNewPodIsNotReady', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 3 })(d);
    });
    await seq(env, ds, [[0, 3], [3, 0], [0, 0]]);
  });

  it('TestDaemonSetUpdatesAllOldPodsNotReady', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 3 })(d);
    });
    await seq(env, ds, [[0, 5], [5, 0]]);
  });

  it('TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 0, maxSurge: 3 })(d);
    });
    // all old pods are unavailable so should be surged (t=100)
    env.clock.step(100_000);
    await seq(env, ds, [[5, 0]]);
    // waiting for pods to go ready, old pods are deleted (t=200)
    env.clock.step(100_000);
    await seq(env, ds, [[0, 5]]);
    await setPodReadiness(env, true, 5, () => true);
    await updateDS(env, ds, (d) => {
      d.spec!.minReadySeconds = 15;
      setImage('foo3/bar3')(d);
    });
    env.clock.step(100_000); // t=300
    await seq(env, ds, [[3, 0]]);
    const hash = computeHash(getDS(env, ds).spec!.template);
    const currentNodes = new Set(dsPods(env).filter((p) => p.metadata.labels![REVISION_HASH_LABEL] === hash).map((p) => getTargetNodeName(p)));
    expect(currentNodes.size).toBe(3);
    // mark two updated pods as ready at time 300
    await setPodReadiness(env, true, 2, (p) => p.metadata.labels![REVISION_HASH_LABEL] === hash);
    // mark one of the old pods that is on a node without an updated pod as unready
    await setPodReadiness(env, false, 1, (p) => p.metadata.labels![REVISION_HASH_LABEL] !== hash && !currentNodes.has(getTargetNodeName(p)));
    // the new pods are still waiting to hit min readiness: only the unready old pod gets a replacement
    env.clock.step(10_000); // t=310
    await seq(env, ds, [[1, 0]]);
    // the two new pods are now available: their old pods go, and the unready old pod beside its replacement
    env.clock.step(10_000); // t=320
    await seq(env, ds, [[1, 3]]);
    // mark all updated pods as ready at time 320
    await setPodReadiness(env, true, 3, (p) => p.metadata.labels![REVISION_HASH_LABEL] === hash);
    env.clock.step(20_000); // t=340
    await seq(env, ds, [[0, 2]]);
    // controller has completed upgrade
    env.clock.step(10_000); // t=350
    await seq(env, ds, [[0, 0]]);
    expect(dsPods(env).map((p) => [p.metadata.labels![REVISION_HASH_LABEL], isReady(p)])).toEqual(Array(5).fill([hash, true]));
  });

  it('TestDaemonSetUpdatesSomeOldPodsNotReady', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 2 })(d);
    });
    await seq(env, ds, [[0, 2], [2, 0], [0, 0]]);
    // the 2 new pods are not ready; change the template again: they are replaced first
    await updateDS(env, ds, setImage('foo3/bar3'));
    const readyBefore = dsPods(env).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata.name).sort();
    await seq(env, ds, [[0, 2], [2, 0]]);
    const readyAfter = dsPods(env).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((p) => p.metadata.name).sort();
    expect(readyAfter).toEqual(readyBefore);
    expect(readyAfter.length).toBe(3);
  });

  it('TestDaemonSetUpdatesSaveOldHealthyPods', async () => {
    const env = await newEnv();
    addNodes(env, 0, 20);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([20, 0, 0]);
    await markAllReady(env);
    // first update to get 10 old pods which should never be touched
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 10 })(d);
    });
    await seq(env, ds, [[0, 10], [10, 0], [0, 0]]);
    const oldReady = readyNames(env);
    expect(oldReady.length).toBe(10);
    // upstream draws maxUnavailable = rand.Intn(10); a fixed permutation of 0..9 covers every draw
    for (const [i, maxUnavailable] of [3, 0, 9, 1, 7, 5, 2, 8, 4, 6].entries()) {
      await updateDS(env, ds, (d) => {
        setImage(`foo2/bar3-${i}`)(d);
        rolling({ maxUnavailable })(d);
      });
      // only the 10 unavailable pods will be allowed to be updated
      await seq(env, ds, [[0, 10], [10, 0], [0, 0]]);
      const ready = readyNames(env);
      expect([i, oldReady.filter((n) => !ready.includes(n))]).toEqual([i, []]);
    }
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar4')(d);
      rolling({ maxUnavailable: 11 })(d);
    });
    await seq(env, ds, [[0, 11], [11, 0], [0, 0]]);
    expect(readyNames(env).length).toBe(9);
  });

  it('TestDaemonSetUpdatesAllOldNotReadyPodsAndNewNotReadyPods', async () => {
    const env = await newEnv();
    addNodes(env, 0, 100);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([100, 0, 0]);
    await markAllReady(env);
    // the revision of the first pods, used later on to fake old pods
    const hash1 = dsPods(env)[0].metadata.labels![REVISION_HASH_LABEL];
    await updateDS(env, ds, (d) => {
      setImage('foo2/bar2')(d);
      rolling({ maxUnavailable: 10 })(d);
    });
    // 10 rounds of 10 reach all 100 nodes
    for (let i = 0; i < 10; i++) await seq(env, ds, [[0, 10], [10, 0], 'ready']);
    await seq(env, ds, [[0, 0]]);
    expect(dsPods(env).filter((p) => p.metadata.labels![REVISION_HASH_LABEL] === hash1)).toEqual([]);
    // reach: 88 unavailable new pods, 2 unavailable old pods, 10 available old pods
    const oldUnavailable: string[] = [];
    for (const [i, pod] of dsPods(env).entries()) {
      const labels = { ...pod.metadata.labels! };
      if (i < 12) {
        labels[REVISION_HASH_LABEL] = hash1;
        if (i >= 10) oldUnavailable.push(pod.metadata.name!);
      }
      const cur = await env.client.update<PodT>(R.pods, 'default', { ...pod, metadata: { ...pod.metadata, labels } });
      if (i >= 10) await markPodsReady(env, [cur], false);
    }
    expect(readyNames(env).length).toBe(10);
    await seq(env, ds, [[0, 2], [2, 0], [0, 0]]);
    const left = dsPods(env).map((p) => p.metadata.name!);
    expect(oldUnavailable.filter((n) => left.includes(n))).toEqual([]);
    expect(oldUnavailable.length).toBe(2);
  });

  it('TestDaemonSetUpdatesNoTemplateChanged', async () => {
    const env = await newEnv();
    addNodes(env, 0, 5);
    const ds = addDS(env, newDaemonSet('foo'));
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, rolling({ maxUnavailable: 3 }));
    await seq(env, ds, [[0, 0]]);
  });

  it('TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge', async () => {
    const env = await newEnv();
    const n0 = newNode('node-0');
    mut(n0).spec = { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } as never;
    env.client.seed(R.nodes, n0);
    addNodes(env, 1, 4);
    const d = newDaemonSet('foo');
    mut(d.spec!.template.spec!).tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] as never;
    const ds = addDS(env, d);
    expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    await markAllReady(env);
    await updateDS(env, ds, (x) => {
      x.spec!.template!.spec!.tolerations = [] as never;
      rolling({ maxUnavailable: 0, maxSurge: 1 })(x);
    });
    await seq(env, ds, [[1, 1], 'ready', [1, 1], 'ready', [1, 1], 'ready', [1, 1], 'ready', [0, 1]]);
  });

  it('TestGetUnavailableNumbers', async () => {
    const cases: [string, number, Record<string, unknown>, [number, number, number]][] = [
      ['no nodes', 0, { maxUnavailable: 0 }, [0, 0, 0]],
      ['two nodes, one unavailable', 2, { maxUnavailable: 1 }, [0, 1, 2]],
      ['maxUnavailable 0 and surge 0 forced to 1', 2, { maxUnavailable: 0 }, [0, 1, 2]],
      ['surge 0 and unavailable 0', 2, { maxUnavailable: 0, maxSurge: 0 }, [0, 1, 2]],
      ['50% of 2', 2, { maxUnavailable: '50%' }, [0, 1, 2]],
      ['surge 50%', 2, { maxUnavailable: 0, maxSurge: '50%' }, [1, 0, 2]],
      ['surge 100%', 2, { maxUnavailable: 0, maxSurge: '100%' }, [2, 0, 2]],
      ['50% of 3 rounds up', 3, { maxUnavailable: '50%' }, [0, 2, 3]],
    ];
    for (const [name, nodes, ru, want] of cases) {
      const env = await newEnv();
      addNodes(env, 0, nodes);
      const d = newDaemonSet('x');
      rolling(ru)(mut(d));
      const ds = addDS(env, d);
      const m = new Map();
      const r = env.ctrl.updatedDesiredNodeCounts(ds, env.ctrl.nodeInformer.list(), m);
      expect([name, r.maxSurge, r.maxUnavailable, r.desired]).toEqual([name, ...want]);
      expect(m.size).toBe(nodes); // every node without pods appears as an empty entry
    }
  });

  it('TestControlledHistories', async () => {
    const env = await newEnv();
    const ds = addDS(env, newDaemonSet('foo'));
    const base = env.ctrl.newRevision(ds, 1);
    env.client.seed(R.controllerrevisions, { ...base, metadata: { ...base.metadata, name: 'owned' } });
    env.client.seed(R.controllerrevisions, { ...base, metadata: { ...base.metadata, name: 'orphan', ownerReferences: [] } });
    env.client.seed(R.controllerrevisions, { ...base, metadata: { ...base.metadata, name: 'orphan-other-ns', namespace: 'other', ownerReferences: [] } });
    const { cur, old } = await env.ctrl.constructHistory(ds);
    const names = [cur, ...old].map((h) => h.metadata.name).sort();
    // both same-namespace revisions are claimed (and deduplicated: same data)
    expect(env.client.peek<CR>(R.controllerrevisions, 'default', 'orphan') === undefined || names.includes('orphan')).toBe(true);
    expect(env.client.peek<CR>(R.controllerrevisions, 'other', 'orphan-other-ns')!.metadata.ownerReferences).toEqual([]);
    const adopted = env.client.actions().filter((a) => a.verb === 'patch' && a.resource === 'controllerrevisions').map((a) => a.name);
    expect(adopted).toEqual(['orphan']);
  });
});

describe('ControllerRevisions', () => {
  it('data is the canonical strategic-merge patch with Go zero-value fields', () => {
    const ds = newDaemonSet('foo');
    const data = revisionData(ds);
    expect(data).toBe(
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"name":"simple-daemon","type":"production"}},"spec":{"containers":[{"image":"foo/bar","imagePullPolicy":"IfNotPresent","name":"","resources":{},"terminationMessagePath":"/dev/termination-log"}],"dnsPolicy":"Default"}}}}',
    );
    expect(canonicalJSON({ b: '<&>', a: [1, { d: 1, c: 2 }] })).toBe('{"a":[1,{"c":2,"d":1}],"b":"\\u003c\\u0026\\u003e"}');
    expect(matchRevision(ds, { data: JSON.parse(data) })).toBe(true);
  });

  it('hash uses the safe alphabet, is deterministic and changes with the collision count', () => {
    const t = newDaemonSet('foo').spec!.template;
    const h = computeHash(t);
    expect(h).toMatch(/^[456789bcdf]{1,10}$/);
    expect(computeHash(structuredClone(t))).toBe(h);
    expect(computeHash(t, 1)).not.toBe(h);
    expect(computeHash(t, 1)).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it('snapshot: name, labels, annotations (change-cause), owner, revision 1', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    const d = newDaemonSet('foo');
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'kubectl apply', 'deprecated.daemonset.template.generation': '1' };
    const ds = addDS(env, d);
    await syncOnce(env, ds);
    const [cr] = crs(env);
    const hash = computeHash(ds.spec!.template);
    expect(cr.metadata.name).toBe(`foo-${hash}`);
    expect(cr.metadata.labels).toEqual({ ...simpleDaemonSetLabel, [REVISION_HASH_LABEL]: hash });
    expect(cr.metadata.annotations).toEqual(d.metadata.annotations);
    expect(cr.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(cr.revision).toBe(1);
    const pod = dsPods(env)[0];
    expect(pod.metadata.labels).toEqual({ ...simpleDaemonSetLabel, [REVISION_HASH_LABEL]: hash, 'pod-template-generation': '1' });
  });

  it('rollback to an identical template reuses and renumbers the revision; pods are not restarted', async () => {
    const env = await newEnv();
    addNodes(env, 0, 2);
    const ds = addDS(env, newDaemonSet('foo'));
    await syncOnce(env, ds);
    await markAllReady(env);
    await updateDS(env, ds, setImage('foo2/bar2'));
    await syncOnce(env, ds);
    expect(crs(env).map((c) => c.revision).sort()).toEqual([1, 2]);
    const pods = dsPods(env).map((p) => p.metadata.name).sort();
    await updateDS(env, ds, setImage('foo/bar'));
    expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    expect(crs(env).map((c) => c.revision).sort()).toEqual([2, 3]);
    expect(crs(env).length).toBe(2);
    expect(dsPods(env).map((p) => p.metadata.name).sort()).toEqual(pods);
  });

  it('history limit keeps the current revision, the newest old ones and those in use', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    const ds = addDS(env, newDaemonSet('foo')); // revisionHistoryLimit 2, OnDelete: the pod keeps revision 1
    await syncOnce(env, ds);
    for (let i = 2; i <= 6; i++) {
      await updateDS(env, ds, setImage(`img:${i}`));
      await syncOnce(env, ds);
    }
    const revs = crs(env).map((c) => c.revision).sort((a, b) => a! - b!);
    // toKill = len(old) - limit counts the in-use revision 1 too (upstream cleanupHistory)
    expect(revs).toEqual([1, 5, 6]);
  });

  it('a name collision bumps status.collisionCount and the next revision uses the new hash', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    const ds = addDS(env, newDaemonSet('foo'));
    const hash = computeHash(ds.spec!.template);
    env.client.seed(R.controllerrevisions, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: `foo-${hash}`, namespace: 'default', labels: { other: 'x' } }, data: { different: true }, revision: 1 });
    const r = await syncOnce(env, ds);
    expect(String(r.err)).toContain('already exists');
    expect(getDS(env, ds).status!.collisionCount).toBe(1);
    await syncOnce(env, ds);
    const mine = crs(env).filter((c) => c.metadata.ownerReferences?.length);
    expect(mine.map((c) => c.metadata.name)).toEqual([`foo-${computeHash(ds.spec!.template, 1)}`]);
  });

  it('a stale status is rewritten only when counters change (no write on a quiet resync)', async () => {
    const env = await newEnv();
    addNodes(env, 0, 2);
    const ds = addDS(env, newDaemonSet('foo'));
    await syncOnce(env, ds);
    await markPodsReady(env, dsPods(env));
    await syncOnce(env, ds);
    env.client.clearActions();
    await syncOnce(env, ds);
    expect(env.client.actions().filter((a) => a.verb === 'update').length).toBe(0);
    const st = getDS(env, ds).status!;
    expect([st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.numberAvailable, st.updatedNumberScheduled, st.numberMisscheduled]).toEqual([2, 2, 2, 2, 2, 0]);
    expect(st.numberUnavailable).toBeUndefined();
  });

  it('an unscheduled orphan matching the selector is adopted', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    const ds = addDS(env, newDaemonSet('foo'));
    env.client.seed(R.pods, newPod('orphan-', 'node-0', simpleDaemonSetLabel));
    expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    expect(dsPods(env)[0].metadata.ownerReferences![0].uid).toBe(ds.metadata.uid);
  });
});
