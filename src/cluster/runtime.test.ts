import { describe, it, expect } from 'vitest';
import { startClusterRuntime } from './runtime.js';
import { planNodes } from './nodes.js';
import { parseKindConfig } from './config.js';
import { R } from '../client/types.js';

describe('cluster runtime', () => {
  it('starts a kind-like cluster in process: nodes Ready, bootstrap objects present, nodes added and removed', async () => {
    const { spec } = parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: t\nnodes: [{role: control-plane}, {role: worker}]\n');
    const rt = await startClusterRuntime({ cluster: spec.name, nodes: planNodes(spec), kubernetesVersion: spec.kubernetesVersion, log: () => {} });
    try {
      await rt.waitForNodesReady(10_000);
      const nodes = await rt.client.list(R.nodes, undefined);
      expect(nodes.items.map((n) => n.metadata.name).sort()).toEqual(['t-control-plane', 't-worker']);
      const ns = await rt.client.list(R.namespaces, undefined);
      expect(ns.items.map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']));
      const ds = await rt.client.list(R.daemonsets, 'kube-system');
      expect(ds.items.map((d) => d.metadata.name).sort()).toEqual(['kindnet', 'kube-proxy']);
      const svc = await rt.client.get<{ metadata: object; spec: { clusterIP: string } }>(R.services, 'default', 'kubernetes');
      expect(svc.spec.clusterIP).toBe('10.96.0.1');
      const pcs = await rt.client.list(R.priorityclasses, undefined);
      expect(pcs.items.map((p) => p.metadata.name)).toEqual(expect.arrayContaining(['system-node-critical', 'system-cluster-critical']));
      const ready = await fetch(`${rt.url}/readyz`);
      expect(ready.status).toBe(200);

      await rt.addNode({ name: 't-worker2', role: 'worker', index: 2, kubernetesVersion: 'v1.32.4' });
      await rt.waitForNodesReady(10_000);
      expect((await rt.client.get(R.nodes, undefined, 't-worker2')).metadata.name).toBe('t-worker2');
      await rt.removeNode('t-worker2');
      await expect(rt.client.get(R.nodes, undefined, 't-worker2')).rejects.toMatchObject({ code: 404 });
      expect(rt.nodeNames()).toEqual(['t-control-plane', 't-worker']);
    } finally {
      await rt.stop();
    }
  });
});
