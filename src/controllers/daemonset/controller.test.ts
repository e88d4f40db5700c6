// Upstream pkg/controller/daemon/daemon_controller_test.go, case by case (spec/daemonset.md §7.2).
import { describe, it, expect } from 'vitest';
import { R } from '../../client/types.js';
import { ApiError } from '../../api/errors.js';
import { DeletedFinalStateUnknown } from '../../client/informer.js';
import { shouldIgnoreNodeUpdate } from './controller.js';
import { nodeShouldRunDaemonPod } from './predicates.js';
import {
  addDS, addNodes, addPods, dsPods, getDS, markPodsReady, newDaemonSet, newEnv, newNode, newPod, setPodPhase,
  simpleDaemonSetLabel, simpleDaemonSetLabel2, simpleNodeLabel, simpleNodeLabel2, sync3, syncOnce,
  type DS, type NodeT, type PodT, type W,
} from './testutil.js';

const STRATEGIES = ['OnDelete', 'RollingUpdate'] as const;
const mut = <T>(x: T) => x as unknown as W<T>;

function withTaint(n: NodeT, key: string, effect: string, value?: string): NodeT {
  mut(n).spec = { taints: [{ key, effect, ...(value ? { value } : {}) }] } as never;
  return n;
}

describe('daemon_controller_test', () => {
  it('TestDeleteFinalStateUnknown', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const ds = addDS(env, newDaemonSet('foo', s));
      while (env.ctrl.queue.len()) env.ctrl.queue.done((await env.ctrl.queue.get())!);
      env.ctrl.deleteDaemonSet(new DeletedFinalStateUnknown('default/foo', ds));
      expect(env.ctrl.queue.keys()).toEqual(['default/foo']);
    }
  });

  it('TestExpectationsOnRecreate', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    const ds = addDS(env, newDaemonSet('foo', 'RollingUpdate'));
    env.ctrl.podInformer.stop(); // pod events not yet seen: expectations stay open
    expect((await syncOnce(env, ds)).creates).toBe(1);
    expect(env.ctrl.expectations.satisfied('default/foo')).toBe(false);
    expect(env.ctrl.expectations.get('default/foo')).toEqual({ add: 1, del: 0 });
    await env.client.delete(R.daemonsets, 'default', 'foo');
    expect(env.ctrl.expectations.get('default/foo')).toBeUndefined();
    for (const p of dsPods(env)) await env.client.delete(R.pods, 'default', p.metadata.name!);
    const ds2 = addDS(env, newDaemonSet('foo', 'RollingUpdate'));
    expect(ds2.metadata.uid).not.toBe(ds.metadata.uid);
    expect((await syncOnce(env, ds2)).creates).toBe(1);
    expect(env.ctrl.expectations.get('default/foo')).toEqual({ add: 1, del: 0 });
  });

  it('TestSimpleDaemonSetLaunchesPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 5);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([5, 0, 0]);
    }
  });

  it('TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 5);
      const ds = addDS(env, newDaemonSet('foo', s));
      const r = await syncOnce(env, ds);
      expect(r.creates).toBe(5);
      const seen = new Set<string>();
      for (const p of r.created) {
        expect(p.spec?.nodeName ?? '').toBe('');
        const terms = p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
        expect(terms.length).toBe(1);
        expect(terms[0].matchFields!.length).toBe(1);
        expect(terms[0].matchExpressions).toBeUndefined();
        const f = terms[0].matchFields![0];
        expect([f.key, f.operator, f.values!.length]).toEqual(['metadata.name', 'In', 1]);
        seen.add(f.values![0]);
        expect(p.metadata.generateName).toBe('foo-');
        expect(p.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
        expect(p.metadata.labels!['controller-revision-hash']).toMatch(/^[456789bcdf]+$/);
      }
      expect([...seen].sort()).toEqual(['node-0', 'node-1', 'node-2', 'node-3', 'node-4']);
    }
  });

  it('TestSimpleDaemonSetPodCreateErrors', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 100);
      const ds = addDS(env, newDaemonSet('foo', s));
      let n = 0;
      env.client.addReactor('create', 'pods', () => (++n > 10 ? new ApiError(500, 'InternalError', 'fake create limit') : undefined));
      const r = await syncOnce(env, ds);
      expect(dsPods(env).length).toBe(10);
      // slow start: batches 1,2,4,8,16 -> stops after the batch that failed
      expect(r.creates).toBeLessThanOrEqual(1 + 2 + 4 + 8 + 16);
      expect(r.err).toBeTruthy();
      const st = getDS(env, ds).status!;
      expect([st.desiredNumberScheduled, st.currentNumberScheduled, st.updatedNumberScheduled]).toEqual([100, 10, 10]);
    }
  });

  it('TestDaemonSetPodCreateExpectationsError', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 100);
      const ds = addDS(env, newDaemonSet('foo', s));
      let n = 0;
      env.client.addReactor('create', 'pods', () => (++n > 10 ? new ApiError(500, 'InternalError', 'fake create limit') : undefined));
      await syncOnce(env, ds);
      expect(env.ctrl.expectations.satisfied('default/foo')).toBe(true);
    }
  });

  it('TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 5);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([5, 0, 0]);
      expect(getDS(env, ds).status!.currentNumberScheduled).toBe(5);
      expect(env.client.actions().filter((a) => a.verb === 'update' && a.subresource === 'status').length).toBe(1);
    }
  });

  it('TestSimpleDaemonSetUpdatesStatusError', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 5);
      const ds = addDS(env, newDaemonSet('foo', s));
      env.client.addReactor('update', 'daemonsets', (a) => (a.subresource === 'status' ? new ApiError(500, 'InternalError', 'status error') : undefined));
      env.client.addReactor('create', 'pods', () => new ApiError(500, 'InternalError', 'sync error'));
      expect(String((await syncOnce(env, ds)).err)).toContain('sync error');
      env.client.clearReactors();
      env.client.addReactor('update', 'daemonsets', (a) => (a.subresource === 'status' ? new ApiError(500, 'InternalError', 'status error') : undefined));
      expect(String((await syncOnce(env, ds)).err)).toContain('status error');
      env.client.clearReactors();
      env.client.addReactor('update', 'daemonsets', (a) => (a.subresource === 'status' ? new ApiError(500, 'InternalError', 'status error') : undefined));
      for (const p of dsPods(env)) await env.client.delete(R.pods, 'default', p.metadata.name!);
      env.client.addReactor('create', 'pods', () => new ApiError(500, 'InternalError', 'sync error'));
      const r = await syncOnce(env, ds);
      expect(String(r.err)).toContain('sync error');
      expect(String(r.err)).not.toContain('status error');
    }
  });

  it('TestNoNodesDoesNothing', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  it('TestOneNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, newNode('only-node'));
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestNotReadyNodeDaemonDoesLaunchPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const n = newNode('not-ready');
      mut(n).status = { conditions: [{ type: 'Ready', status: 'False' }] } as never;
      env.client.seed(R.nodes, n);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  const bigPodSpec = (ds: DS) => {
    mut(ds.spec!.template.spec!).containers = [{ name: 'c', image: 'x', resources: { requests: { memory: '75M', cpu: '75m' } } }] as never;
    return ds;
  };
  const smallNode = (name: string, labels?: Record<string, string>) => {
    const n = newNode(name, labels);
    mut(n).status = { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { memory: '50M', cpu: '50m', pods: '100' } } as never;
    return n;
  };

  it('TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, smallNode('too-much-mem'));
      const ds = addDS(env, bigPodSpec(newDaemonSet('foo', s)));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod', async () => {
    const env = await newEnv();
    env.client.seed(R.nodes, smallNode('not-enough-resource'));
    env.client.seed(R.nodes, smallNode('enough-resource', simpleNodeLabel));
    const d = bigPodSpec(newDaemonSet('foo'));
    mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel;
    const ds = addDS(env, d);
    const r = await syncOnce(env, ds);
    expect([r.creates, r.deletes, r.events]).toEqual([1, 0, 0]);
    expect(r.created[0].spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchFields![0].values).toEqual(['enough-resource']);
  });

  it('TestNetworkUnavailableNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const n = newNode('network-unavailable');
      mut(n).status = { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] } as never;
      env.client.seed(R.nodes, n);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestDontDoAnythingIfBeingDeleted', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const d = newDaemonSet('foo', s);
      d.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
      d.metadata.finalizers = ['foregroundDeletion'];
      const ds = addDS(env, d);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      expect(env.client.actions().filter((a) => a.verb === 'update').length).toBe(0);
    }
  });

  it('TestDontDoAnythingIfBeingDeletedRace', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const ds = addDS(env, newDaemonSet('foo', s));
      // the API says it is being deleted; the cache does not know yet
      env.ctrl.dsInformer.stop();
      await env.client.patch(R.daemonsets, 'default', 'foo', 'merge', { metadata: { finalizers: ['foregroundDeletion'] } });
      await env.client.delete(R.daemonsets, 'default', 'foo');
      env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel));
      const r = await syncOnce(env, ds);
      expect([r.creates, r.deletes, r.events]).toEqual([0, 0, 0]);
      expect(String(r.err)).toContain('has just been deleted');
      expect(env.client.actions().filter((a) => a.verb === 'patch' && a.resource === 'pods').length).toBe(0);
    }
  });

  it('TestPortConflictWithSameDaemonPodDoesNotDeletePod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, newNode('port-conflict'));
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).containers = [{ name: 'c', image: 'x', ports: [{ hostPort: 666, containerPort: 666 }] }] as never;
      const ds = addDS(env, d);
      env.client.seed(R.pods, newPod('foo-', 'port-conflict', simpleDaemonSetLabel, ds));
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  it('TestNoPortConflictNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, newNode('no-port-conflict'));
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).containers = [{ name: 'c', image: 'x', ports: [{ hostPort: 6661, containerPort: 6661 }] }] as never;
      const ds = addDS(env, d);
      const other = newPod('other-', 'no-port-conflict', { app: 'other' });
      mut(other.spec!).containers = [{ name: 'c', image: 'x', ports: [{ hostPort: 6662, containerPort: 6662 }] }] as never;
      env.client.seed(R.pods, other);
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const d = newDaemonSet('foo', s);
      mut(d.spec!).selector = {};
      const ds = addDS(env, d);
      env.client.seed(R.pods, newPod('pod1-', 'node-0', { 'some-label': 'x' }));
      expect(await sync3(env, ds)).toEqual([0, 0, 1]);
      expect(env.recorder.events).toEqual(['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.']);
    }
  });

  it('TestDealsWithExistingPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      addNodes(env, 0, 5);
      addPods(env, 'node-1', simpleDaemonSetLabel, ds, 1);
      addPods(env, 'node-2', simpleDaemonSetLabel, ds, 2);
      addPods(env, 'node-3', simpleDaemonSetLabel, ds, 5);
      addPods(env, 'node-4', simpleDaemonSetLabel2, ds, 2);
      expect(await sync3(env, ds)).toEqual([2, 5, 0]);
    }
  });

  it('TestSelectorDaemonLaunchesPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 4);
      addNodes(env, 4, 3, simpleNodeLabel);
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel;
      const ds = addDS(env, d);
      expect(await sync3(env, ds)).toEqual([3, 0, 0]);
    }
  });

  it('TestSelectorDaemonDeletesUnselectedPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel;
      const ds = addDS(env, d);
      addNodes(env, 0, 5);
      addNodes(env, 5, 5, simpleNodeLabel);
      addPods(env, 'node-0', simpleDaemonSetLabel2, ds, 2);
      addPods(env, 'node-1', simpleDaemonSetLabel, ds, 3);
      addPods(env, 'node-1', simpleDaemonSetLabel2, ds, 1);
      addPods(env, 'node-4', simpleDaemonSetLabel, ds, 1);
      expect(await sync3(env, ds)).toEqual([5, 4, 0]);
    }
  });

  it('TestSelectorDaemonDealsWithExistingPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel;
      const ds = addDS(env, d);
      addNodes(env, 0, 5);
      addNodes(env, 5, 5, simpleNodeLabel);
      addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
      addPods(env, 'node-1', simpleDaemonSetLabel, ds, 3);
      addPods(env, 'node-1', simpleDaemonSetLabel2, ds, 2);
      addPods(env, 'node-2', simpleDaemonSetLabel, ds, 4);
      addPods(env, 'node-6', simpleDaemonSetLabel, ds, 13);
      addPods(env, 'node-7', simpleDaemonSetLabel2, ds, 4);
      addPods(env, 'node-9', simpleDaemonSetLabel, ds, 1);
      addPods(env, 'node-9', simpleDaemonSetLabel2, ds, 1);
      expect(await sync3(env, ds)).toEqual([3, 20, 0]);
    }
  });

  it('TestBadSelectorDaemonDoesNothing', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 4);
      addNodes(env, 4, 3, simpleNodeLabel);
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel2;
      const ds = addDS(env, d);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  for (const [name, nodeName, selector, want] of [
    ['TestNameDaemonSetLaunchesPods', 'node-0', undefined, 1],
    ['TestBadNameDaemonSetDoesNothing', 'node-10', undefined, 0],
    ['TestNameAndSelectorDaemonSetLaunchesPods', 'node-6', simpleNodeLabel, 1],
    ['TestInconsistentNameSelectorDaemonSetDoesNothing', 'node-0', simpleNodeLabel, 0],
  ] as const) {
    it(name, async () => {
      for (const s of STRATEGIES) {
        const env = await newEnv();
        addNodes(env, 0, 4);
        addNodes(env, 4, 3, simpleNodeLabel);
        const d = newDaemonSet('foo', s);
        mut(d.spec!.template.spec!).nodeName = nodeName;
        if (selector) mut(d.spec!.template.spec!).nodeSelector = selector;
        const ds = addDS(env, d);
        expect(await sync3(env, ds)).toEqual([want, 0, 0]);
      }
    });
  }

  it('TestNodeAffinityDaemonLaunchesPods', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 4);
      addNodes(env, 4, 3, simpleNodeLabel);
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).affinity = {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'color', operator: 'In', values: ['blue'] }] }] } },
      } as never;
      const ds = addDS(env, d);
      const r = await syncOnce(env, ds);
      expect([r.creates, r.deletes, r.events]).toEqual([3, 0, 0]);
      const targets = r.created.map((p) => p.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchFields![0].values![0]).sort();
      expect(targets).toEqual(['node-4', 'node-5', 'node-6']);
      // the user's required term is replaced by the per-node term
      expect(r.created[0].spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms.length).toBe(1);
    }
  });

  it('TestNumberReadyStatus', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      addNodes(env, 0, 2);
      const pods = [...addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1), ...addPods(env, 'node-1', simpleDaemonSetLabel, ds, 1)];
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      expect(getDS(env, ds).status!.numberReady).toBe(0);
      await markPodsReady(env, pods);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      expect(getDS(env, ds).status!.numberReady).toBe(2);
    }
  });

  it('TestObservedGeneration', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const d = newDaemonSet('foo', s);
      d.metadata.generation = 1;
      const ds = addDS(env, d);
      addNodes(env, 0, 1);
      addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      expect(getDS(env, ds).status!.observedGeneration).toBe(1);
    }
  });

  it('TestDaemonKillFailedPods', async () => {
    for (const [failed, normal, want] of [
      [0, 1, [0, 0, 0]],
      [0, 0, [1, 0, 0]],
      [1, 0, [0, 1, 1]],
      [1, 3, [0, 3, 1]],
    ] as const) {
      for (const s of STRATEGIES) {
        const env = await newEnv();
        const ds = addDS(env, newDaemonSet('foo', s));
        addNodes(env, 0, 1);
        for (const p of addPods(env, 'node-0', simpleDaemonSetLabel, ds, failed)) await setPodPhase(env, p, 'Failed');
        addPods(env, 'node-0', simpleDaemonSetLabel, ds, normal);
        expect([failed, normal, await sync3(env, ds), env.recorder.events]).toEqual([failed, normal, want, env.recorder.events]);
        if (failed === 1 && normal === 0) {
          expect(env.recorder.events.filter((e) => !e.includes('SuccessfulDelete'))).toEqual([`Warning FailedDaemonPod Found failed daemon pod default/${env.client.actions().find((a) => a.verb === 'delete')!.name} on node node-0, will try to kill it`]);
          // the replacement comes in the next sync
          expect(await sync3(env, ds)).toEqual([1, 0, 0]);
        }
      }
    }
  });

  it('TestDaemonKillFailedPodsBackoff', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const d = newDaemonSet('foo', s);
      // observedGeneration is part of the backoff key: keep it stable across syncs
      d.metadata.generation = 1;
      (d as unknown as W<DS>).status = { observedGeneration: 1 } as never;
      const ds = addDS(env, d);
      addNodes(env, 0, 1);
      const [p] = addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
      await setPodPhase(env, p, 'Failed');
      const key = `${getDS(env, ds).metadata.uid}/1/node-0`;
      // keep the failed pod around: deletes fail with NotFound-free errors are not wanted, so re-seed after each sync
      const reseed = () => {
        if (!env.client.peek(R.pods, 'default', p.metadata.name!)) {
          env.client.seed(R.pods, { ...p, status: { phase: 'Failed' } } as PodT);
        }
      };
      expect(await sync3(env, ds)).toEqual([0, 1, 1]);
      const initialDelay = env.ctrl.failedPodsBackoff.get(key);
      expect(initialDelay).toBe(1000);
      reseed();
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      expect(env.ctrl.failedPodsBackoff.get(key)).toBe(initialDelay);
      env.clock.step(initialDelay - 1);
      expect(env.ctrl.failedPodsBackoff.isInBackOffSinceUpdate(key, env.clock.now())).toBe(true);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
      env.clock.step(1);
      expect(env.ctrl.failedPodsBackoff.isInBackOffSinceUpdate(key, env.clock.now())).toBe(false);
      expect(await sync3(env, ds)).toEqual([0, 1, 1]);
      expect(env.ctrl.failedPodsBackoff.get(key)).toBe(2000);
    }
  });

  it('TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      env.client.seed(R.nodes, withTaint(newNode('tainted'), 'node.kubernetes.io/unschedulable-x', 'NoSchedule'));
      addPods(env, 'tainted', simpleDaemonSetLabel, ds, 1);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  it('TestNoExecuteTaintedDoesEvicitRunningIntolerantPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      env.client.seed(R.nodes, withTaint(newNode('tainted'), 'key1', 'NoExecute', 'value1'));
      addPods(env, 'tainted', simpleDaemonSetLabel, ds, 1);
      expect(await sync3(env, ds)).toEqual([0, 1, 0]);
    }
  });

  it('TestTaintedNodeDaemonDoesNotLaunchIntolerantPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, withTaint(newNode('tainted'), 'dedicated', 'NoSchedule', 'user1'));
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  it('TestTaintedNodeDaemonLaunchesToleratePod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      env.client.seed(R.nodes, withTaint(newNode('tainted'), 'dedicated', 'NoSchedule', 'user1'));
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'user1', effect: 'NoSchedule' }] as never;
      const ds = addDS(env, d);
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestNotReadyNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const n = withTaint(newNode('tainted'), 'node.kubernetes.io/not-ready', 'NoExecute');
      mut(n).status = { conditions: [{ type: 'Ready', status: 'False' }] } as never;
      env.client.seed(R.nodes, n);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestUnreachableNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const n = withTaint(newNode('tainted'), 'node.kubernetes.io/unreachable', 'NoExecute');
      mut(n).status = { conditions: [{ type: 'Ready', status: 'Unknown' }] } as never;
      env.client.seed(R.nodes, n);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestNodeDaemonLaunchesToleratePod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const d = newDaemonSet('foo', s);
      mut(d.spec!.template.spec!).tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'user1', effect: 'NoSchedule' }] as never;
      const ds = addDS(env, d);
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestDaemonSetRespectsTermination', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      addNodes(env, 0, 1);
      const p = newPod('foo-', 'node-0', simpleDaemonSetLabel, ds);
      p.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
      p.metadata.finalizers = ['x'];
      env.client.seed(R.pods, p);
      expect(await sync3(env, ds)).toEqual([0, 0, 0]);
    }
  });

  it('TestTaintPressureNodeDaemonLaunchesPod', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const n = newNode('tainted');
      mut(n).spec = {
        taints: [
          { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
        ],
      } as never;
      env.client.seed(R.nodes, n);
      const ds = addDS(env, newDaemonSet('foo', s));
      expect(await sync3(env, ds)).toEqual([1, 0, 0]);
    }
  });

  it('TestNodeShouldRunDaemonPod', () => {
    const base = () => newDaemonSet('foo');
    const node = (labels?: Record<string, string>) => newNode('test-node', labels);
    const cases: [string, DS, NodeT, [boolean, boolean]][] = [];
    cases.push(['plain', base(), node(), [true, true]]);
    const big = base();
    mut(big.spec!.template.spec!).containers = [{ name: 'c', image: 'x', resources: { requests: { memory: '75M', cpu: '75m' } } }] as never;
    cases.push(['insufficient resources', big, smallNodeFor('test-node'), [true, true]]);
    const other = base();
    mut(other.spec!.template.spec!).nodeName = 'other-node';
    cases.push(['nodeName other', other, node(), [false, false]]);
    const port = base();
    mut(port.spec!.template.spec!).containers = [{ name: 'c', image: 'x', ports: [{ hostPort: 666, containerPort: 666 }] }] as never;
    cases.push(['hostPort', port, node(), [true, true]]);
    const sel = base();
    mut(sel.spec!.template.spec!).nodeSelector = simpleDaemonSetLabel;
    cases.push(['nodeSelector mismatch', sel, node(), [false, false]]);
    cases.push(['nodeSelector match', sel, node(simpleDaemonSetLabel), [true, true]]);
    const aff = base();
    mut(aff.spec!.template.spec!).affinity = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'type', operator: 'In', values: ['test'] }] }] } },
    } as never;
    cases.push(['affinity mismatch', aff, node({ type: 'production' }), [false, false]]);
    cases.push(['affinity match', aff, node({ type: 'test' }), [true, true]]);
    const unsched = node();
    mut(unsched).spec = { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } as never;
    cases.push(['unschedulable', base(), unsched, [true, true]]);
    for (const [name, ds, n, want] of cases) {
      const r = nodeShouldRunDaemonPod(n, ds);
      expect([name, r.shouldRun, r.shouldContinueRunning]).toEqual([name, ...want]);
    }
  });

  it('TestUpdateNode', async () => {
    const cases: { name: string; ds: DS; old: NodeT; cur: NodeT; want: boolean }[] = [];
    cases.push({ name: 'unchanged', ds: newDaemonSet('ds'), old: newNode('node1'), cur: newNode('node1'), want: false });
    const selDs = newDaemonSet('ds');
    mut(selDs.spec!.template.spec!).nodeSelector = simpleNodeLabel;
    cases.push({ name: 'labels changed', ds: selDs, old: newNode('node1', simpleNodeLabel2), cur: newNode('node1', simpleNodeLabel), want: true });
    cases.push({ name: 'taint removed', ds: newDaemonSet('ds'), old: withTaint(newNode('node1'), 'k', 'NoSchedule'), cur: newNode('node1'), want: true });
    const alloc = newNode('node1');
    mut(alloc).status = { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { cpu: '2' } } as never;
    cases.push({ name: 'allocatable changed', ds: newDaemonSet('ds'), old: newNode('node1'), cur: alloc, want: false });
    for (const c of cases) {
      const env = await newEnv();
      env.client.seed(R.nodes, c.old);
      const ds = addDS(env, c.ds);
      addPods(env, 'node1', simpleDaemonSetLabel, ds, 1);
      while (env.ctrl.queue.len()) env.ctrl.queue.done((await env.ctrl.queue.get())!);
      const cur = env.client.peek<NodeT>(R.nodes, undefined, 'node1')!;
      await env.client.update(R.nodes, undefined, { ...c.cur, metadata: { ...c.cur.metadata, resourceVersion: cur.metadata.resourceVersion } });
      if (c.name !== 'allocatable changed') await env.client.update(R.nodes, undefined, env.client.peek<NodeT>(R.nodes, undefined, 'node1')!, undefined, 'status');
      expect([c.name, env.ctrl.queue.len()]).toEqual([c.name, c.want ? 1 : 0]);
    }
  });

  it('TestDeleteNoDaemonPod', async () => {
    const env = await newEnv();
    addNodes(env, 0, 1);
    addDS(env, newDaemonSet('foo'));
    const plain = env.client.seed(R.pods, newPod('p-', 'node-0', simpleDaemonSetLabel));
    const foreign = newPod('f-', 'node-0', simpleDaemonSetLabel);
    foreign.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'x', controller: true }];
    const f = env.client.seed(R.pods, foreign);
    const unscheduled = env.client.seed(R.pods, newPod('u-', '', simpleDaemonSetLabel));
    while (env.ctrl.queue.len()) env.ctrl.queue.done((await env.ctrl.queue.get())!);
    for (const p of [plain, f, unscheduled]) await env.client.delete(R.pods, 'default', p.metadata.name!);
    expect(env.ctrl.queue.len()).toBe(0);
  });

  it('TestDeleteUnscheduledPodForNotExistingNode', async () => {
    for (const s of STRATEGIES) {
      const env = await newEnv();
      const ds = addDS(env, newDaemonSet('foo', s));
      addNodes(env, 0, 1);
      addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
      addPods(env, 'node-1', simpleDaemonSetLabel, ds, 1);
      const p = newPod('node2-', '', simpleDaemonSetLabel, ds);
      mut(p.spec!).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }] } } } as never;
      const unscheduled = env.client.seed(R.pods, p);
      expect(await sync3(env, ds)).toEqual([0, 1, 0]);
      expect(env.client.actions().find((a) => a.verb === 'delete')!.name).toBe(unscheduled.metadata.name);
    }
  });

  it('TestGetNodesToDaemonPods', async () => {
    const env = await newEnv();
    const ds = addDS(env, newDaemonSet('foo'));
    const ds2 = addDS(env, newDaemonSet('foo2'));
    addNodes(env, 0, 2);
    const want = [
      env.client.seed(R.pods, newPod('matching-owned-0-', 'node-0', simpleDaemonSetLabel, ds)),
      env.client.seed(R.pods, newPod('matching-orphan-0-', 'node-0', simpleDaemonSetLabel)),
      env.client.seed(R.pods, newPod('matching-owned-1-', 'node-1', simpleDaemonSetLabel, ds)),
      env.client.seed(R.pods, newPod('matching-orphan-1-', 'node-1', simpleDaemonSetLabel)),
      env.client.seed(R.pods, { ...newPod('matching-owned-succeeded-', 'node-1', simpleDaemonSetLabel, ds), status: { phase: 'Succeeded' } } as PodT),
      env.client.seed(R.pods, { ...newPod('matching-owned-failed-', 'node-1', simpleDaemonSetLabel, ds), status: { phase: 'Failed' } } as PodT),
    ];
    const deletedFailed = newPod('matching-owned-failed-deleted-', 'node-1', simpleDaemonSetLabel, ds);
    deletedFailed.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    deletedFailed.metadata.finalizers = ['x'];
    const df = env.client.seed(R.pods, { ...deletedFailed, status: { phase: 'Failed' } } as PodT);
    env.client.seed(R.pods, newPod('non-matching-owned-0-', 'node-0', simpleDaemonSetLabel2, ds));
    env.client.seed(R.pods, newPod('non-matching-orphan-0-', 'node-0', simpleDaemonSetLabel2));
    env.client.seed(R.pods, newPod('matching-owned-by-other-0-', 'node-0', simpleDaemonSetLabel, ds2));
    const names = (m: Map<string, PodT[]>) => [...m.values()].flat().map((p) => p.metadata.name).sort();
    const dsCached = env.ctrl.dsInformer.get('default/foo')!;
    expect(names(await env.ctrl.getNodesToDaemonPods(dsCached, false))).toEqual(want.map((p) => p.metadata.name).sort());
    expect(names(await env.ctrl.getNodesToDaemonPods(dsCached, true))).toEqual([...want, df].map((p) => p.metadata.name).sort());
  });

  it('TestAddNode', async () => {
    const env = await newEnv();
    const d = newDaemonSet('foo');
    mut(d.spec!.template.spec!).nodeSelector = simpleNodeLabel;
    addDS(env, d);
    while (env.ctrl.queue.len()) env.ctrl.queue.done((await env.ctrl.queue.get())!);
    env.client.seed(R.nodes, newNode('node1'));
    expect(env.ctrl.queue.len()).toBe(0);
    env.client.seed(R.nodes, newNode('node2', simpleNodeLabel));
    expect(env.ctrl.queue.keys()).toEqual(['default/foo']);
  });

  async function threeDS() {
    const env = await newEnv();
    const ds1 = addDS(env, newDaemonSet('foo1'));
    const ds2 = addDS(env, newDaemonSet('foo2'));
    const d3 = newDaemonSet('foo3');
    mut(d3.spec!).selector = { matchLabels: { foo: 'bar' } };
    const ds3 = addDS(env, d3);
    while (env.ctrl.queue.len()) env.ctrl.queue.done((await env.ctrl.queue.get())!);
    return { env, ds1, ds2, ds3 };
  }
  const drain = async (env: Awaited<ReturnType<typeof newEnv>>) => {
    const out: string[] = [];
    while (env.ctrl.queue.len()) {
      const k = (await env.ctrl.queue.get())!;
      out.push(k);
      env.ctrl.queue.done(k);
    }
    return out;
  };

  it('TestAddPod', async () => {
    const { env, ds1, ds2 } = await threeDS();
    env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel, ds1));
    expect(await drain(env)).toEqual(['default/foo1']);
    env.client.seed(R.pods, newPod('pod2-', 'node-0', simpleDaemonSetLabel, ds2));
    expect(await drain(env)).toEqual(['default/foo2']);
  });

  it('TestAddPodOrphan', async () => {
    const { env } = await threeDS();
    env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel));
    expect((await drain(env)).sort()).toEqual(['default/foo1', 'default/foo2']);
  });

  it('TestUpdatePod / OrphanSameLabels / OrphanWithNewLabels / ChangeControllerRef / ControllerRefRemoved', async () => {
    {
      const { env, ds1 } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel, ds1));
      await drain(env);
      await env.client.update(R.pods, 'default', { ...p, metadata: { ...p.metadata, annotations: { x: 'y' } } });
      expect(await drain(env)).toEqual(['default/foo1']);
    }
    {
      const { env } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel));
      await drain(env);
      await env.client.update(R.pods, 'default', { ...p, metadata: { ...p.metadata, annotations: { x: 'y' } } });
      expect((await drain(env)).length).toBe(0);
    }
    {
      const { env } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel));
      await drain(env);
      await env.client.update(R.pods, 'default', { ...p, metadata: { ...p.metadata, labels: { ...simpleDaemonSetLabel, new: 'x' } } });
      expect((await drain(env)).length).toBe(2);
    }
    {
      const { env, ds1, ds2 } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel, ds1));
      await drain(env);
      const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds2.metadata.name!, uid: ds2.metadata.uid!, controller: true, blockOwnerDeletion: true };
      await env.client.update(R.pods, 'default', { ...p, metadata: { ...p.metadata, ownerReferences: [ref] } });
      expect((await drain(env)).length).toBe(2);
    }
    {
      const { env, ds1 } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel, ds1));
      await drain(env);
      await env.client.update(R.pods, 'default', { ...p, metadata: { ...p.metadata, ownerReferences: [] } });
      expect((await drain(env)).length).toBe(2);
    }
  });

  it('TestDeletePod / TestDeletePodOrphan', async () => {
    {
      const { env, ds1 } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel, ds1));
      await drain(env);
      await env.client.delete(R.pods, 'default', p.metadata.name!);
      expect(await drain(env)).toEqual(['default/foo1']);
    }
    {
      const { env } = await threeDS();
      const p = env.client.seed(R.pods, newPod('pod1-', 'node-0', simpleDaemonSetLabel));
      await drain(env);
      await env.client.delete(R.pods, 'default', p.metadata.name!);
      expect((await drain(env)).length).toBe(0);
    }
  });

  function surgeDS(maxSurge: number | string = 1, minReadySeconds = 0): DS {
    const d = newDaemonSet('foo', 'RollingUpdate');
    mut(d.spec!).updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge } } as never;
    if (minReadySeconds) mut(d.spec!).minReadySeconds = minReadySeconds;
    return d;
  }
  const at = (s: number) => new Date(Date.parse('2025-12-31T00:00:00Z') + s * 1000).toISOString().replace('.000Z', 'Z');
  const readyPod = (env: Awaited<ReturnType<typeof newEnv>>, prefix: string, node: string, labels: Record<string, string>, ds: DS | undefined, created: number, readySince?: number) => {
    const p = newPod(prefix, node, labels, ds, at(created));
    if (readySince !== undefined) (p as unknown as W<PodT>).status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(readySince) }] } as never;
    return env.client.seed(R.pods, p);
  };
  const oldLabels = { ...simpleDaemonSetLabel, 'controller-revision-hash': 'old' };

  it('TestSurgeDealsWithExistingPods', async () => {
    const env = await newEnv();
    const ds = addDS(env, surgeDS(1));
    addNodes(env, 0, 5);
    addPods(env, 'node-1', simpleDaemonSetLabel, ds, 1);
    addPods(env, 'node-2', simpleDaemonSetLabel, ds, 2);
    addPods(env, 'node-3', simpleDaemonSetLabel, ds, 5);
    addPods(env, 'node-4', simpleDaemonSetLabel2, ds, 2);
    expect(await sync3(env, ds)).toEqual([2, 5, 0]);
  });

  it('TestSurgePreservesReadyOldPods', async () => {
    const env = await newEnv();
    const ds = addDS(env, surgeDS(1));
    addNodes(env, 0, 5);
    readyPod(env, 'node-1-', 'node-1', simpleDaemonSetLabel, ds, 100);
    addPods(env, 'node-2', simpleDaemonSetLabel, ds, 1);
    const oldReady = readyPod(env, 'node-1-old-', 'node-1', oldLabels, undefined, 50, 50);
    const excess = readyPod(env, 'node-1-excess-', 'node-1', oldLabels, undefined, 60, 60);
    for (const p of [oldReady, excess]) await env.client.patch(R.pods, 'default', p.metadata.name!, 'strategic', { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }] } });
    const r = await syncOnce(env, ds);
    expect([r.creates, r.deletes, r.events]).toEqual([3, 1, 0]);
    expect(env.client.actions().find((a) => a.verb === 'delete')!.name).toBe(excess.metadata.name);
  });

  it('TestSurgeCreatesNewPodWhenAtMaxSurgeAndOldPodDeleted', async () => {
    const env = await newEnv();
    const ds = addDS(env, surgeDS(1));
    addNodes(env, 0, 5);
    for (let i = 0; i < 5; i++) {
      if (i === 0) readyPod(env, 'node-0-new-', 'node-0', simpleDaemonSetLabel, ds, 100); // unready new: surge used up
      readyPod(env, `node-${i}-old-`, `node-${i}`, oldLabels, ds, 50, 50);
    }
    // pods owned but with old hash: relabel to the old hash
    for (const p of dsPods(env)) if (p.metadata.name!.includes('-old-')) await env.client.patch(R.pods, 'default', p.metadata.name!, 'merge', { metadata: { labels: { 'controller-revision-hash': 'old' } } });
    const node4 = dsPods(env).find((p) => p.spec!.nodeName === 'node-4')!;
    await env.client.patch(R.pods, 'default', node4.metadata.name!, 'merge', { metadata: { deletionTimestamp: at(0), finalizers: ['x'] } });
    const r = await syncOnce(env, ds);
    expect([r.creates, r.deletes]).toEqual([1, 0]);
    expect(r.created[0].spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchFields![0].values).toEqual(['node-4']);
  });

  async function surgeLayout(minReady: number, newReadyFor: number) {
    const env = await newEnv();
    const ds = addDS(env, surgeDS(1, minReady));
    addNodes(env, 0, 5);
    const nowS = (env.clock.now() - Date.parse('2025-12-31T00:00:00Z')) / 1000;
    readyPod(env, 'node-1-new-', 'node-1', simpleDaemonSetLabel, ds, 100, nowS - newReadyFor);
    addPods(env, 'node-2', simpleDaemonSetLabel, ds, 1);
    const oldOnes = [readyPod(env, 'node-1-old-', 'node-1', oldLabels, ds, 50, 50), readyPod(env, 'node-1-excess-', 'node-1', oldLabels, ds, 60, 60)];
    for (const p of oldOnes) await env.client.patch(R.pods, 'default', p.metadata.name!, 'merge', { metadata: { labels: { 'controller-revision-hash': 'old' } } });
    return { env, ds, oldOnes };
  }

  it('TestSurgeDeletesUnreadyOldPods', async () => {
    const env = await newEnv();
    const ds = addDS(env, surgeDS(1));
    addNodes(env, 0, 5);
    readyPod(env, 'node-1-new-', 'node-1', simpleDaemonSetLabel, ds, 100);
    addPods(env, 'node-2', simpleDaemonSetLabel, ds, 1);
    const a = readyPod(env, 'node-1-old-', 'node-1', oldLabels, ds, 50); // unready, oldest
    const b = readyPod(env, 'node-1-excess-', 'node-1', oldLabels, ds, 60, 60);
    for (const p of [a, b]) await env.client.patch(R.pods, 'default', p.metadata.name!, 'merge', { metadata: { labels: { 'controller-revision-hash': 'old' } } });
    const r = await syncOnce(env, ds);
    expect([r.creates, r.deletes, r.events]).toEqual([3, 2, 0]);
    expect(env.client.actions().filter((x) => x.verb === 'delete').map((x) => x.name).sort()).toEqual([a.metadata.name, b.metadata.name].sort());
  });

  it('TestSurgePreservesOldReadyWithUnsatisfiedMinReady', async () => {
    const { env, ds, oldOnes } = await surgeLayout(15, 10);
    const r = await syncOnce(env, ds);
    expect([r.creates, r.deletes, r.events]).toEqual([3, 1, 0]);
    expect(env.client.actions().find((x) => x.verb === 'delete')!.name).toBe(oldOnes[1].metadata.name);
  });

  it('TestSurgeDeletesOldReadyWithUnsatisfiedMinReady', async () => {
    const { env, ds } = await surgeLayout(15, 20);
    expect(await sync3(env, ds)).toEqual([3, 2, 0]);
  });

  it('TestStoreDaemonSetStatus', async () => {
    for (const [failures, wantUpdates, wantGets, wantErr] of [
      [0, 1, 0, false],
      [1, 2, 1, false],
      [2, 2, 1, true],
    ] as const) {
      const env = await newEnv();
      addNodes(env, 0, 1);
      const ds = addDS(env, newDaemonSet('foo'));
      addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
      let n = 0;
      env.client.addReactor('update', 'daemonsets', (a) => (a.subresource === 'status' && n++ < failures ? new ApiError(409, 'Conflict', 'conflict') : undefined));
      const r = await syncOnce(env, ds);
      const acts = env.client.actions().filter((a) => a.resource === 'daemonsets');
      expect([acts.filter((a) => a.verb === 'update').length, acts.filter((a) => a.verb === 'get').length, !!r.err]).toEqual([wantUpdates, wantGets, wantErr]);
    }
    const env = await newEnv();
    addNodes(env, 0, 1);
    const ds = addDS(env, newDaemonSet('foo'));
    addPods(env, 'node-0', simpleDaemonSetLabel, ds, 1);
    env.client.addReactor('update', 'daemonsets', (a) => (a.subresource === 'status' ? new ApiError(409, 'Conflict', 'conflict') : undefined));
    env.client.addReactor('get', 'daemonsets', () => new ApiError(500, 'InternalError', 'get error'));
    expect(String((await syncOnce(env, ds)).err)).toContain('get error');
  });

  it('TestShouldIgnoreNodeUpdate', () => {
    expect(shouldIgnoreNodeUpdate(newNode('n'), newNode('n'))).toBe(true);
    expect(shouldIgnoreNodeUpdate(newNode('n'), newNode('n', { a: 'b' }))).toBe(false);
    expect(shouldIgnoreNodeUpdate(newNode('n'), withTaint(newNode('n'), 'k', 'NoSchedule'))).toBe(false);
    const hb = newNode('n');
    mut(hb).status = { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:10Z' }], allocatable: {} } as never;
    expect(shouldIgnoreNodeUpdate(newNode('n'), hb)).toBe(true);
  });
});

function smallNodeFor(name: string): NodeT {
  const n = newNode(name);
  (n as unknown as W<NodeT>).status = { conditions: [{ type: 'Ready', status: 'True' }], allocatable: { memory: '50M', cpu: '50m', pods: '100' } } as never;
  return n;
}
