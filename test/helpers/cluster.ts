// A whole kindling cluster in the test process (store, API server, controllers, simulated
// nodes), reached by real kubectl through its kubeconfig.

import { readFileSync } from 'node:fs';
import { startCluster, type StartedCluster } from '../../src/index.js';
import { R } from '../../src/client/types.js';
import { eventually } from './kubectl.js';

export const FOUR_NODE_CONFIG = readFileSync(new URL('../../examples/four-node.yaml', import.meta.url), 'utf8');

/** start the seed's four-node cluster and wait until its nodes are Ready and kube-system DaemonSets available */
export async function startFourNodeCluster(opts: { waitForDaemonSets?: boolean } = {}): Promise<StartedCluster> {
  const cluster = await startCluster({ config: FOUR_NODE_CONFIG });
  await cluster.runtime.waitForNodesReady(30_000);
  if (opts.waitForDaemonSets ?? true) {
    await eventually(async () => {
      const list = await cluster.client.list<any>(R.daemonsets, 'kube-system');
      return list.items.length >= 2 && list.items.every((ds) => ds.status?.numberAvailable === 4);
    }, 30_000);
  }
  return cluster;
}
