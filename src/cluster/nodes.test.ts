import { describe, it, expect } from 'vitest';
import { kindNodeObject, planNodes, nextNodeName, kindNodeName, OS_IMAGE } from './nodes.js';
import { parseKindConfig } from './config.js';

const now = '2026-01-01T00:00:00Z';

describe('kind nodes', () => {
  it('names nodes like kind', () => {
    const { spec } = parseKindConfig(`kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: four-node-kind
nodes: [{role: worker}, {role: control-plane}, {role: worker}, {role: worker}]`);
    const plan = planNodes(spec);
    expect(plan.map((p) => p.name)).toEqual([
      'four-node-kind-control-plane',
      'four-node-kind-worker',
      'four-node-kind-worker2',
      'four-node-kind-worker3',
    ]);
    expect(plan.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(plan[0].taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(plan[1].taints).toEqual([]);
    expect(kindNodeName('kind', 'control-plane', 2)).toBe('kind-control-plane2');
    expect(nextNodeName('kind', 'worker', ['kind-worker', 'kind-worker3'])).toBe('kind-worker2');
  });

  it('a control-plane without workers has no taint, as kind removes it', () => {
    const plan = planNodes(parseKindConfig(undefined).spec);
    expect(plan).toHaveLength(1);
    expect(plan[0].taints).toEqual([]);
    const n = kindNodeObject({ cluster: 'kind', name: plan[0].name, role: 'control-plane', index: 0, taints: plan[0].taints, kubernetesVersion: 'v1.32.4', now });
    expect(n.spec!.taints).toBeUndefined();
  });

  it('a control-plane node looks like kind', () => {
    const n = kindNodeObject({ cluster: 'four-node-kind', name: 'four-node-kind-control-plane', role: 'control-plane', index: 0, kubernetesVersion: 'v1.32.4', now });
    const labels = n.metadata!.labels!;
    expect(labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(labels['kubernetes.io/hostname']).toBe('four-node-kind-control-plane');
    expect(labels['kubernetes.io/os']).toBe('linux');
    expect(labels['beta.kubernetes.io/os']).toBe('linux');
    expect(labels['kubernetes.io/arch']).toBe(labels['beta.kubernetes.io/arch']);
    expect(n.spec!.taints).toEqual([{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]);
    expect(n.spec!.podCIDR).toBe('10.244.0.0/24');
    expect(n.spec!.podCIDRs).toEqual(['10.244.0.0/24']);
    expect(n.spec!.providerID).toBe('kind://docker/four-node-kind/four-node-kind-control-plane');
    expect(n.status!.addresses).toEqual([
      { type: 'InternalIP', address: '172.18.0.2' },
      { type: 'Hostname', address: 'four-node-kind-control-plane' },
    ]);
    const info = n.status!.nodeInfo!;
    expect(info.kubeletVersion).toBe('v1.32.4');
    expect(info.osImage).toBe(OS_IMAGE);
    expect(OS_IMAGE).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(info.containerRuntimeVersion).toMatch(/^containerd:\/\/\d+\.\d+\.\d+$/);
    expect(info.operatingSystem).toBe('linux');
    const ready = n.status!.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({ status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now });
    expect(n.status!.conditions!.map((c) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    expect(n.status!.capacity!.pods).toBe('110');
    expect(Number(n.status!.allocatable!.cpu)).toBeGreaterThan(0);
  });

  it('a worker has no role label and no taint; labels and taints given are applied', () => {
    const n = kindNodeObject({
      cluster: 'kind', name: 'kind-worker2', role: 'worker', index: 2, kubernetesVersion: 'v1.31.0', now,
      labels: { gpu: 'true' }, taints: [{ key: 'a', value: 'b', effect: 'NoExecute' }],
    });
    expect(Object.keys(n.metadata!.labels!).filter((k) => k.startsWith('node-role'))).toEqual([]);
    expect(n.metadata!.labels!.gpu).toBe('true');
    expect(n.spec!.taints).toEqual([{ key: 'a', value: 'b', effect: 'NoExecute' }]);
    expect(n.spec!.podCIDR).toBe('10.244.2.0/24');
    expect(n.status!.addresses![0].address).toBe('172.18.0.4');
    expect(n.status!.nodeInfo!.kubeletVersion).toBe('v1.31.0');
    const plain = kindNodeObject({ cluster: 'kind', name: 'kind-worker', role: 'worker', index: 1, kubernetesVersion: 'v1.32.4', now });
    expect(plain.spec!.taints).toBeUndefined();
  });
});
