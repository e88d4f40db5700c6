// A bare API server (memory store, HTTPS, token) with the namespaces a cluster has, for
// end-to-end tests of the API machinery without controllers or nodes.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/store/memory.js';
import { RealClock } from '../../src/clock/clock.js';
import { startApiServer, type ApiServer } from '../../src/apiserver/server.js';
import { generateClusterCerts, generateToken } from '../../src/cluster/certs.js';
import { buildKubeconfig, kubeconfigToYaml } from '../../src/cluster/kubeconfig.js';
import { R } from '../../src/client/types.js';

export interface TestApiServer {
  server: ApiServer;
  kubeconfig: string;
  token: string;
  caCert: string;
  close(): Promise<void>;
}

let certsCache: ReturnType<typeof generateClusterCerts> | undefined;

export async function startTestApiServer(opts: { namespaces?: string[] } = {}): Promise<TestApiServer> {
  certsCache ??= generateClusterCerts();
  const certs = certsCache;
  const token = generateToken();
  const store = new MemoryStore();
  const server = await startApiServer({ store, clock: new RealClock(), tls: { cert: certs.cert, key: certs.key }, token });
  for (const ns of opts.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await server.client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const dir = mkdtempSync(join(tmpdir(), 'kindling-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigToYaml(buildKubeconfig({ cluster: 'test', server: server.url, caCert: certs.caCert, token })));
  return {
    server,
    kubeconfig,
    token,
    caCert: certs.caCert,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}
