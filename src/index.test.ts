import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { startCluster } from './index.js';
import { R } from './client/types.js';

describe('startCluster (library entry point)', () => {
  it('starts an in-process cluster that client-node reaches over HTTPS with the kubeconfig', async () => {
    const cluster = await startCluster({ name: 'lib', workers: 1 });
    try {
      expect(cluster.context).toBe('kind-lib');
      expect(cluster.nodes).toEqual(['lib-control-plane', 'lib-worker']);
      expect(readFileSync(cluster.kubeconfigPath, 'utf8')).toBe(cluster.kubeconfig);
      const kc = new KubeConfig();
      kc.loadFromString(cluster.kubeconfig);
      expect(kc.getCurrentContext()).toBe('kind-lib');
      const core = kc.makeApiClient(CoreV1Api);
      const nodes = await core.listNode();
      expect(nodes.items.map((n) => n.metadata!.name)).toEqual(['lib-control-plane', 'lib-worker']);
      const ns = await core.readNamespace({ name: 'kube-system' });
      expect(ns.metadata!.name).toBe('kube-system');
      const inproc = await cluster.client.get(R.nodes, undefined, 'lib-worker');
      expect(inproc.metadata.name).toBe('lib-worker');
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.kubeconfigPath)).toBe(false);
  });
});
