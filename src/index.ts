// kindling as a library: start a kind-like cluster inside a test suite's process and talk to it
// with @kubernetes/client-node (via the kubeconfig) or with the in-process ApiClient.
//
//   const cluster = await startCluster({ workers: 2 });
//   const kc = new KubeConfig(); kc.loadFromString(cluster.kubeconfig);
//   ...
//   await cluster.stop();

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from './client/types.js';
import type { Clock } from './clock/clock.js';
import { parseKindConfig } from './cluster/config.js';
import { planNodes, type NodePlan } from './cluster/nodes.js';
import { generateClusterCerts, generateToken } from './cluster/certs.js';
import { buildKubeconfig, kubeconfigToYaml, kindContextName } from './cluster/kubeconfig.js';
import { startClusterRuntime, type ClusterRuntime } from './cluster/runtime.js';
import { prepareSnapshot, type SnapshotReport } from './snapshot/index.js';
import { installCRDs, type CRDSource } from './apiextensions/index.js';

export interface StartClusterOptions {
  /** cluster name (default "kind"); the context is kind-<name> */
  name?: string;
  /** a kind Cluster config (YAML text, kind.x-k8s.io/v1alpha4) */
  config?: string;
  /** worker nodes to add (to the config's nodes, or to a lone control-plane) */
  workers?: number;
  /** default v1.32.4 */
  kubernetesVersion?: string;
  /** plain HTTP without a token (default: HTTPS with a fresh CA and a bearer token) */
  insecureHttp?: boolean;
  /** 'memory://' (default) or 'lmdb:///abs/path' */
  storeUrl?: string;
  clock?: Clock;
  /** the nodes' container runtime: simulated (default) or process (real, sandboxed processes) */
  runtime?: 'simulated' | 'process';
  /** each controller's client-side QPS, as kube-controller-manager's --kube-api-qps (upstream 20; default unlimited) */
  controllerQps?: number;
  /** the scheduler's client-side QPS (upstream 50; default unlimited) */
  schedulerQps?: number;
  /** called with each config warning (default: ignored) */
  onWarning?: (warning: string) => void;
  log?: (msg: string) => void;
  /**
   * CustomResourceDefinitions to install before startCluster returns (envtest's
   * CRDInstallOptions): manifest files, folders of them, or CRD objects. startCluster waits
   * until every served version is in discovery.
   */
  crds?: CRDSource[];
  /** how long to wait for the CRDs to be served (default 10 s) */
  crdTimeoutMs?: number;
  /**
   * build the cluster from a snapshot (kindling snapshot export's List, `kubectl get -o yaml`
   * output, or a kwok k8s-yaml snapshot): its nodes instead of kind's, its objects loaded before
   * the controllers start; objects that cannot be loaded are named in `snapshotReport`
   */
  snapshot?: string;
  /** refuse a snapshot with any object that cannot be loaded */
  strictSnapshot?: boolean;
}

export interface StartedCluster {
  name: string;
  /** kind-<name> */
  context: string;
  url: string;
  /** kubeconfig YAML with the cluster's CA and token */
  kubeconfig: string;
  /** the same kubeconfig in a temporary file (removed by stop()) */
  kubeconfigPath: string;
  /** in-process client, no HTTP */
  client: ApiClient;
  /** the node names, kind style */
  nodes: string[];
  runtime: ClusterRuntime;
  /** what loading the snapshot did, when started from one */
  snapshotReport?: SnapshotReport;
  stop(): Promise<void>;
}

export async function startCluster(o: StartClusterOptions = {}): Promise<StartedCluster> {
  const { spec, warnings } = parseKindConfig(o.config, { name: o.name, workers: o.workers, kubernetesVersion: o.kubernetesVersion });
  for (const w of warnings) o.onWarning?.(w);
  const snapshot = o.snapshot !== undefined ? prepareSnapshot(o.snapshot, { kubernetesVersion: spec.kubernetesVersion, strict: o.strictSnapshot }) : undefined;
  const nodes: NodePlan[] = snapshot ? snapshot.plans : planNodes(spec);
  let snapshotReport: SnapshotReport | undefined;
  const certs = o.insecureHttp ? undefined : generateClusterCerts({ dnsNames: [`${spec.name}-control-plane`] });
  const token = o.insecureHttp ? undefined : generateToken();
  const runtime = await startClusterRuntime({
    cluster: spec.name,
    nodes,
    kubernetesVersion: spec.kubernetesVersion,
    podSubnet: spec.podSubnet,
    storeUrl: o.storeUrl,
    clock: o.clock,
    runtime: o.runtime,
    tls: certs ? { cert: certs.cert, key: certs.key } : undefined,
    token,
    log: o.log ?? (() => {}),
    limits: { controllerQps: o.controllerQps, schedulerQps: o.schedulerQps },
    ...(snapshot ? { systemWorkloads: false, preload: async (c: ApiClient) => void (snapshotReport = await snapshot.load(c)) } : {}),
  });
  if (o.crds?.length) {
    try {
      await installCRDs(runtime.server.registry, o.crds, { timeoutMs: o.crdTimeoutMs });
    } catch (err) {
      await runtime.stop();
      throw err;
    }
  }
  const kubeconfig = kubeconfigToYaml(buildKubeconfig({ cluster: spec.name, server: runtime.url, caCert: certs?.caCert, token }));
  const dir = mkdtempSync(join(tmpdir(), 'kindling-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  let stopped = false;
  return {
    name: spec.name,
    context: kindContextName(spec.name),
    url: runtime.url,
    kubeconfig,
    kubeconfigPath,
    client: runtime.client,
    nodes: nodes.map((n) => n.name),
    runtime,
    snapshotReport,
    async stop() {
      if (stopped) return;
      stopped = true;
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { parseKindConfig } from './cluster/config.js';
export { kindNodeObject } from './cluster/nodes.js';
export type { ApiClient } from './client/types.js';
export { installCRDs, readCRDs, structuralSchemaFor, type CRDSource, type Schema } from './apiextensions/index.js';
