import { describe, expect, it } from 'vitest';
import { fitError, numFeasibleNodesToFind, pickPreemptionNode, preempt, schedulePod, selectVictimsOnNode } from './algorithm.js';
import { NodeInfo } from './nodeinfo.js';
import { normalize, scoreNodes, selectHost } from './scores.js';
import { makeNode, makePod } from './testutil.js';

const cp = makeNode('kind-control-plane', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
const workers = ['kind-worker', 'kind-worker2', 'kind-worker3'].map((n) => makeNode(n, { labels: { role: 'worker' } }));
const snapshot = (placed: Record<string, ReturnType<typeof makePod>[]> = {}, nodes = [cp, ...workers]) => ({
  nodes: nodes.map((n) => new NodeInfo(n, placed[n.metadata!.name!] ?? [])),
});

describe('FitError message', () => {
  it('taint + affinity, preemption not helpful (upstream shape)', () => {
    const pod = makePod('p', { spec: { nodeSelector: { role: 'gpu' } } });
    const r = schedulePod(pod, snapshot());
    expect('diagnosis' in r).toBe(true);
    if (!('diagnosis' in r)) return;
    const pre = preempt(pod, snapshot(), r);
    expect('message' in pre).toBe(true);
    if ('message' in pre) r.diagnosis.postFilterMsg = pre.message;
    expect(fitError(r)).toBe(
      "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
  });
  it('DaemonSet pod pinned by matchFields: other nodes "didn\'t satisfy plugin(s) [NodeAffinity]"', () => {
    const pod = makePod('ds', {
      cpu: '5',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['kind-worker'] }] }] } } } } as never,
    });
    const r = schedulePod(pod, snapshot());
    if (!('diagnosis' in r)) throw new Error('expected failure');
    r.diagnosis.postFilterMsg = (preempt(pod, snapshot(), r) as { message: string }).message;
    expect(fitError(r)).toBe(
      "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    );
  });
  it('no victims: lower-priority pods absent', () => {
    const full = { 'kind-worker': [makePod('a', { cpu: '4' })], 'kind-worker2': [makePod('b', { cpu: '4' })], 'kind-worker3': [makePod('c', { cpu: '4' })] };
    const pod = makePod('p', { cpu: '1' });
    const r = schedulePod(pod, snapshot(full));
    if (!('diagnosis' in r)) throw new Error('expected failure');
    r.diagnosis.postFilterMsg = (preempt(pod, snapshot(full), r) as { message: string }).message;
    expect(fitError(r)).toBe(
      '0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
    );
  });
  it('preemptionPolicy Never', () => {
    const pod = makePod('p', { cpu: '5', spec: { preemptionPolicy: 'Never' } });
    const r = schedulePod(pod, snapshot());
    if (!('diagnosis' in r)) throw new Error('expected failure');
    expect(preempt(pod, snapshot(), r)).toEqual({ message: 'not eligible due to preemptionPolicy=Never.' });
  });
});

describe('scoring', () => {
  it('normalize', () => {
    expect(normalize([0, 5, 10], false)).toEqual([0, 50, 100]);
    expect(normalize([0, 1, 2], true)).toEqual([100, 50, 0]);
    expect(normalize([0, 0], true)).toEqual([100, 100]);
  });
  it('prefers nodes matching preferred affinity, avoids PreferNoSchedule, prefers emptier nodes', () => {
    const a = makeNode('a', { labels: { disk: 'ssd' } });
    const b = makeNode('b');
    const pref = makePod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } } as never });
    const [sa, sb] = scoreNodes(pref, [new NodeInfo(a), new NodeInfo(b)]);
    expect(sa).toBeGreaterThan(sb);
    const tainted = makeNode('t', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
    const [st, sc] = scoreNodes(makePod('q'), [new NodeInfo(tainted), new NodeInfo(b)]);
    expect(sc - st).toBe(300);
    const [busy, idle] = scoreNodes(makePod('q', { cpu: '100m' }), [new NodeInfo(b, [makePod('x', { cpu: '2', memory: '4Gi' })]), new NodeInfo(makeNode('c'))]);
    expect(idle).toBeGreaterThan(busy);
  });
  it('selectHost breaks ties at random', () => {
    expect(selectHost([1, 5, 3])).toBe(1);
    const picks = new Set<number>();
    let x = 0;
    const rand = () => ((x = (x * 9301 + 49297) % 233280) / 233280);
    for (let i = 0; i < 50; i++) picks.add(selectHost([5, 5, 5], rand));
    expect(picks).toEqual(new Set([0, 1, 2]));
  });
  it('schedules onto the only feasible node', () => {
    const pod = makePod('p', { spec: { nodeSelector: { role: 'worker' }, tolerations: [] } });
    const r = schedulePod(pod, snapshot({}, [cp, workers[0]]));
    expect(r).toMatchObject({ node: 'kind-worker' });
  });
});

describe('preemption', () => {
  it('victims: lowest priority first, most important reprieved', () => {
    const node = makeNode('n', { cpu: '4' });
    const low1 = makePod('low1', { cpu: '1', priority: 1 });
    const low2 = makePod('low2', { cpu: '1', priority: 2 });
    const mid = makePod('mid', { cpu: '2', priority: 5 });
    const ni = new NodeInfo(node, [low1, low2, mid]);
    const pod = makePod('hi', { cpu: '1', priority: 10 });
    const r = selectVictimsOnNode(pod, ni, { nodes: [ni] });
    expect('victims' in r && r.victims.map((p) => p.metadata!.name)).toEqual(['low1']);
  });
  it('equal priority pods are never victims', () => {
    const ni = new NodeInfo(makeNode('n', { cpu: '1' }), [makePod('a', { cpu: '1', priority: 10 })]);
    const r = selectVictimsOnNode(makePod('p', { cpu: '1', priority: 10 }), ni, { nodes: [ni] });
    expect(r).toEqual({ status: { plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: ['No preemption victims found for incoming pod'] } });
  });
  it('picks the node whose highest victim priority is lowest, then fewest victims', () => {
    const v = (n: string, p: number) => makePod(n, { priority: p });
    expect(pickPreemptionNode([{ node: 'a', victims: [v('a1', 5)] }, { node: 'b', victims: [v('b1', 1), v('b2', 1)] }])?.node).toBe('b');
    expect(pickPreemptionNode([{ node: 'a', victims: [v('a1', 1), v('a2', 1)] }, { node: 'b', victims: [v('b1', 1)] }])?.node).toBe('b');
  });
  it('preempt chooses a candidate end to end', () => {
    const placed = { 'kind-worker': [makePod('a', { cpu: '4', priority: 100 })], 'kind-worker2': [makePod('b', { cpu: '4', priority: 0 })], 'kind-worker3': [makePod('c', { cpu: '4', priority: 50 })] };
    const pod = makePod('p', { cpu: '1', priority: 60 });
    const r = schedulePod(pod, snapshot(placed));
    if (!('diagnosis' in r)) throw new Error('expected failure');
    const pre = preempt(pod, snapshot(placed), r);
    expect('candidate' in pre && pre.candidate.node).toBe('kind-worker2');
    expect('candidate' in pre && pre.candidate.victims.map((p) => p.metadata!.name)).toEqual(['b']);
  });
});

describe('node sampling', () => {
  it('numFeasibleNodesToFind follows upstream adaptive percentage', () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(200)).toBe(100);
  });
  it('5000 nodes: stops after enough feasible nodes', () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => new NodeInfo(makeNode(`n${i}`)));
    const r = schedulePod(makePod('p'), { nodes }, Math.random, 4900);
    expect(r.examined).toBe(500);
  });
});
