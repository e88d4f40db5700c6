import { describe, expect, it } from 'vitest';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import {
  filterInterPodAffinity,
  filterNodeAffinity,
  filterNodeName,
  filterNodePorts,
  filterNodeResourcesFit,
  filterNodeUnschedulable,
  filterTaintToleration,
  toleratesTaint,
} from './filters.js';
import { NodeInfo, podRequests } from './nodeinfo.js';
import { makeNode, makePod } from './testutil.js';

const ni = (...args: Parameters<typeof makeNode>) => new NodeInfo(makeNode(...args));

describe('NodeName', () => {
  it('passes without nodeName or with the same name, fails otherwise', () => {
    expect(filterNodeName(makePod('p'), ni('n1'))).toBeNull();
    expect(filterNodeName(makePod('p', { nodeName: 'n1' }), ni('n1'))).toBeNull();
    expect(filterNodeName(makePod('p', { nodeName: 'n2' }), ni('n1'))).toEqual({
      plugin: 'NodeName',
      code: 'UnschedulableAndUnresolvable',
      reasons: ["node(s) didn't match the requested node name"],
    });
  });
});

describe('NodeUnschedulable', () => {
  const cordoned = ni('n1', { unschedulable: true });
  it.each([
    ['schedulable node', ni('n1'), undefined, true],
    ['cordoned node', cordoned, undefined, false],
    ['cordoned, toleration for unschedulable', cordoned, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }], true],
    ['cordoned, toleration with other effect', cordoned, [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }], false],
    ['cordoned, tolerate everything', cordoned, [{ operator: 'Exists' }], true],
  ] as const)('%s', (_n, node, tolerations, ok) => {
    const pod = makePod("p", { spec: { tolerations: tolerations as unknown as Toleration[] } });
    const s = filterNodeUnschedulable(pod, node);
    if (ok) expect(s).toBeNull();
    else expect(s?.reasons).toEqual(['node(s) were unschedulable']);
  });
});

describe('TaintToleration', () => {
  it.each([
    ['no taints', [], [], null],
    ['control-plane NoSchedule untolerated', [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }], [], 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
    ['value shown', [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }], [], 'node(s) had untolerated taint {dedicated: gpu}'],
    ['PreferNoSchedule ignored', [{ key: 'a', effect: 'PreferNoSchedule' }], [], null],
    ['Equal toleration', [{ key: 'a', value: 'b', effect: 'NoSchedule' }], [{ key: 'a', operator: 'Equal', value: 'b', effect: 'NoSchedule' }], null],
    ['Equal with other value', [{ key: 'a', value: 'b', effect: 'NoSchedule' }], [{ key: 'a', value: 'c' }], 'node(s) had untolerated taint {a: b}'],
    ['Exists with no effect', [{ key: 'a', value: 'b', effect: 'NoExecute' }], [{ key: 'a', operator: 'Exists' }], null],
    ['first untolerated taint reported', [{ key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'NoSchedule' }], [{ key: 'a', operator: 'Exists' }], 'node(s) had untolerated taint {b: }'],
  ])('%s', (_n, taints, tolerations, reason) => {
    const s = filterTaintToleration(makePod('p', { spec: { tolerations } as never }), ni('n', { taints }));
    expect(s ? s.reasons[0] : null).toBe(reason);
    if (s) expect(s.code).toBe('UnschedulableAndUnresolvable');
  });
  it('toleratesTaint: empty key with Exists matches any key', () => {
    expect(toleratesTaint({ operator: 'Exists' }, { key: 'x', effect: 'NoSchedule' })).toBe(true);
    expect(toleratesTaint({ operator: 'Exists', effect: 'NoExecute' }, { key: 'x', effect: 'NoSchedule' })).toBe(false);
  });
});

describe('NodeAffinity', () => {
  const node = ni('node-1', { labels: { zone: 'a', size: '10', disk: 'ssd' } });
  const req = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  it.each([
    ['nodeSelector match', { nodeSelector: { zone: 'a' } }, true],
    ['nodeSelector mismatch', { nodeSelector: { zone: 'b' } }, false],
    ['nodeSelector missing label', { nodeSelector: { gpu: 'yes' } }, false],
    ['In', req({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), true],
    ['NotIn', req({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), false],
    ['NotIn absent label', req({ matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['a'] }] }), true],
    ['Exists', req({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }), true],
    ['DoesNotExist', req({ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }), false],
    ['Gt', req({ matchExpressions: [{ key: 'size', operator: 'Gt', values: ['9'] }] }), true],
    ['Lt', req({ matchExpressions: [{ key: 'size', operator: 'Lt', values: ['10'] }] }), false],
    ['Gt non-integer', req({ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }), false],
    ['matchFields metadata.name', req({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }), true],
    ['matchFields other node', req({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }), false],
    ['terms ORed', req({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }), true],
    ['empty term matches nothing', req({}), false],
    ['selector AND affinity', { nodeSelector: { zone: 'b' }, ...req({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }) }, false],
  ])('%s', (_n, spec, ok) => {
    const s = filterNodeAffinity(makePod('p', { spec: spec as never }), node);
    expect(s === null).toBe(ok);
    if (s) expect(s.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });
});

describe('NodePorts', () => {
  const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: string) =>
    makePod(name, { spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }] } });
  it.each([
    ['free', withPort('a', 8080), withPort('b', 8081), true],
    ['same port', withPort('a', 8080), withPort('b', 8080), false],
    ['same port different protocol', withPort('a', 53, undefined, 'UDP'), withPort('b', 53), true],
    ['different specific IPs', withPort('a', 80, '10.0.0.1'), withPort('b', 80, '10.0.0.2'), true],
    ['wildcard vs specific IP', withPort('a', 80), withPort('b', 80, '10.0.0.2'), false],
  ])('%s', (_n, existing, pod, ok) => {
    const node = new NodeInfo(makeNode('n'), [existing]);
    const s = filterNodePorts(pod, node);
    expect(s === null).toBe(ok);
    if (s) {
      const port = pod.spec!.containers[0].ports![0];
      expect(s).toEqual({
        plugin: 'NodePorts',
        code: 'Unschedulable',
        reasons: ["node(s) didn't have free ports for the requested pod ports"],
        portsInUse: [{ ip: port.hostIP ?? '0.0.0.0', protocol: 'TCP', port: port.hostPort }],
      });
    }
  });
});

describe('NodeResourcesFit', () => {
  it('counts requests of pods on the node', () => {
    const node = new NodeInfo(makeNode('n', { cpu: '2', memory: '4Gi' }), [makePod('a', { cpu: '1500m', memory: '1Gi' })]);
    expect(filterNodeResourcesFit(makePod('p', { cpu: '500m' }), node)).toBeNull();
    expect(filterNodeResourcesFit(makePod('p', { cpu: '501m' }), node)).toEqual({
      plugin: 'NodeResourcesFit',
      code: 'Unschedulable',
      reasons: ['Insufficient cpu'],
      insufficient: [{ resource: 'cpu', requested: 501, used: 1500, allocatable: 2000 }],
    });
    expect(filterNodeResourcesFit(makePod('p', { cpu: '1', memory: '4Gi' }), node)?.reasons).toEqual(['Insufficient cpu', 'Insufficient memory']);
  });
  it('a request larger than the whole node is unresolvable', () => {
    expect(filterNodeResourcesFit(makePod('p', { cpu: '3' }), ni('n', { cpu: '2' }))?.code).toBe('UnschedulableAndUnresolvable');
  });
  it('pod count', () => {
    const node = new NodeInfo(makeNode('n', { pods: '1' }), [makePod('a')]);
    expect(filterNodeResourcesFit(makePod('p'), node)?.reasons).toEqual(['Too many pods']);
    expect(filterNodeResourcesFit(makePod('p'), node)?.insufficient).toEqual([{ resource: 'pods', requested: 1, used: 1, allocatable: 1 }]);
  });
  it('init containers: max(sum(containers), max(init)); sidecars add up', () => {
    const c = (cpu: string, restartPolicy?: string) => ({ name: cpu, image: 'x', restartPolicy, resources: { requests: { cpu } } });
    expect(podRequests(makePod('p', { spec: { containers: [c('100m'), c('200m')], initContainers: [c('250m')] } })).milliCPU).toBe(300);
    expect(podRequests(makePod('p', { spec: { containers: [c('100m')], initContainers: [c('500m'), c('200m')] } })).milliCPU).toBe(500);
    expect(podRequests(makePod('p', { spec: { containers: [c('100m')], initContainers: [c('200m', 'Always'), c('250m')] } })).milliCPU).toBe(450);
    expect(podRequests(makePod('p', { spec: { containers: [c('1')], initContainers: [c('200m', 'Always')] } })).milliCPU).toBe(1200);
  });
});

describe('InterPodAffinity', () => {
  const zoneA1 = makeNode('a1', { labels: { zone: 'a' } });
  const zoneA2 = makeNode('a2', { labels: { zone: 'a' } });
  const zoneB = makeNode('b1', { labels: { zone: 'b' } });
  const noZone = makeNode('x1');
  const term = (app: string, topologyKey = 'zone', extra: object = {}) => ({ labelSelector: { matchLabels: { app } }, topologyKey, ...extra });
  const snapWith = (placed: Record<string, Pod[]>) => {
    const nodes = [zoneA1, zoneA2, zoneB, noZone].map((n) => new NodeInfo(n, placed[n.metadata!.name!] ?? []));
    return { nodes };
  };
  const on = (snap: { nodes: NodeInfo[] }, name: string) => snap.nodes.find((n) => n.name === name)!;

  it('required affinity: only nodes in the domain of a matching pod', () => {
    const snap = snapWith({ a1: [makePod('db', { labels: { app: 'db' } })] });
    const pod = makePod('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } as never });
    expect(filterInterPodAffinity(pod, on(snap, 'a2'), snap)).toBeNull();
    expect(filterInterPodAffinity(pod, on(snap, 'b1'), snap)).toEqual({ plugin: 'InterPodAffinity', code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod affinity rules"] });
    expect(filterInterPodAffinity(pod, on(snap, 'x1'), snap)?.reasons).toEqual(["node(s) didn't match pod affinity rules"]);
  });
  it('required affinity: other namespaces do not count unless listed', () => {
    const snap = snapWith({ a1: [makePod('db', { ns: 'other', labels: { app: 'db' } })] });
    const pod = makePod('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db')] } } } as never });
    expect(filterInterPodAffinity(pod, on(snap, 'a1'), snap)).not.toBeNull();
    const pod2 = makePod('web', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone', { namespaces: ['other'] })] } } } as never });
    expect(filterInterPodAffinity(pod2, on(snap, 'a2'), snap)).toBeNull();
  });
  it('required affinity: the first pod of a self-selecting group may go anywhere with the label', () => {
    const snap = snapWith({});
    const pod = makePod('web', { labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } as never });
    expect(filterInterPodAffinity(pod, on(snap, 'b1'), snap)).toBeNull();
    expect(filterInterPodAffinity(pod, on(snap, 'x1'), snap)).not.toBeNull();
  });
  it('required anti-affinity of the pod', () => {
    const snap = snapWith({ a1: [makePod('w1', { labels: { app: 'web' } })] });
    const pod = makePod('w2', { labels: { app: 'web' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } as never });
    expect(filterInterPodAffinity(pod, on(snap, 'a2'), snap)).toEqual({ plugin: 'InterPodAffinity', code: 'Unschedulable', reasons: ["node(s) didn't match pod anti-affinity rules"] });
    expect(filterInterPodAffinity(pod, on(snap, 'b1'), snap)).toBeNull();
    expect(filterInterPodAffinity(pod, on(snap, 'x1'), snap)).toBeNull();
  });
  it("existing pods' anti-affinity", () => {
    const guard = makePod('g', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'kubernetes.io/hostname')] } } } as never });
    const snap = snapWith({ a1: [guard] });
    const pod = makePod('w', { labels: { app: 'web' } });
    expect(filterInterPodAffinity(pod, on(snap, 'a1'), snap)?.reasons).toEqual(["node(s) didn't satisfy existing pods anti-affinity rules"]);
    expect(filterInterPodAffinity(pod, on(snap, 'a2'), snap)).toBeNull();
  });
});
