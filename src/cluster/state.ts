// A cluster's state on disk, under $KINDLING_HOME/clusters/<name>/ (default ~/.kindling):
//   cluster.json  what the cluster is (version, nodes, port, token)
//   pki/          CA and API serving certificate (PEM)
//   store/        the lmdb store: every object, so a stopped cluster comes back whole
//   server.json   the running server (pid, port, url); absent when stopped
//   server.log    the server's output
//   rules.yaml    the simulated kubelets' lifecycle rules, when set (create --rules, rules set)
//   runtime/      the process runtime's pod volumes, logs and hostPath directories (--runtime process)

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodePlan } from './nodes.js';
import type { ClusterCerts } from './certs.js';

export interface ClusterState {
  name: string;
  kubernetesVersion: string;
  image: string;
  podSubnet: string;
  host: string;
  port: number;
  insecureHttp: boolean;
  /** the store's URL when it is not the lmdb store in store/ (etcd://h1:p1,h2:p2 shared by several processes) */
  store?: string;
  token: string;
  nodes: NodePlan[];
  /** the next node index (IPs and podCIDRs are never reused) */
  nextIndex: number;
  createdAt: string;
  /** kube-controller-manager's --node-monitor-grace-period for this cluster (default 50 s) */
  nodeMonitorGracePeriodMs?: number;
  /** client-side QPS of each controller and of the scheduler (create --controller-qps/--scheduler-qps; default unlimited) */
  controllerQps?: number;
  schedulerQps?: number;
  /** the nodes' container runtime (create --runtime): simulated (default) or process (real, sandboxed) */
  runtime?: ClusterRuntimeKind;
}

export type ClusterRuntimeKind = 'simulated' | 'process';
export const RUNTIME_KINDS: readonly ClusterRuntimeKind[] = ['simulated', 'process'];

export interface ServerInfo {
  pid: number;
  port: number;
  url: string;
}

export function kindlingHome(env: Record<string, string | undefined> = process.env): string {
  return env.KINDLING_HOME || join(env.HOME || homedir(), '.kindling');
}

export function clusterDir(name: string, home = kindlingHome()): string {
  return join(home, 'clusters', name);
}

export const statePaths = (dir: string) => ({
  cluster: join(dir, 'cluster.json'),
  server: join(dir, 'server.json'),
  log: join(dir, 'server.log'),
  rules: join(dir, 'rules.yaml'),
  runtime: join(dir, 'runtime'),
  store: join(dir, 'store'),
  pki: join(dir, 'pki'),
  caCert: join(dir, 'pki', 'ca.crt'),
  caKey: join(dir, 'pki', 'ca.key'),
  cert: join(dir, 'pki', 'apiserver.crt'),
  key: join(dir, 'pki', 'apiserver.key'),
});

function writeAtomic(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

export function clusterExists(dir: string): boolean {
  return existsSync(statePaths(dir).cluster);
}

export function readClusterState(dir: string): ClusterState {
  const p = statePaths(dir).cluster;
  if (!existsSync(p)) throw new Error(`no cluster state at ${dir}`);
  return JSON.parse(readFileSync(p, 'utf8')) as ClusterState;
}

export function writeClusterState(dir: string, state: ClusterState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomic(statePaths(dir).cluster, JSON.stringify(state, null, 2) + '\n');
}

export function writeCerts(dir: string, certs: ClusterCerts): void {
  const p = statePaths(dir);
  mkdirSync(p.pki, { recursive: true, mode: 0o700 });
  writeAtomic(p.caCert, certs.caCert);
  writeAtomic(p.caKey, certs.caKey);
  writeAtomic(p.cert, certs.cert);
  writeAtomic(p.key, certs.key);
}

export function readCerts(dir: string): ClusterCerts | undefined {
  const p = statePaths(dir);
  if (!existsSync(p.cert)) return undefined;
  return {
    caCert: readFileSync(p.caCert, 'utf8'),
    caKey: readFileSync(p.caKey, 'utf8'),
    cert: readFileSync(p.cert, 'utf8'),
    key: readFileSync(p.key, 'utf8'),
  };
}

export function readServerInfo(dir: string): ServerInfo | undefined {
  try {
    return JSON.parse(readFileSync(statePaths(dir).server, 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
}

export function writeServerInfo(dir: string, info: ServerInfo): void {
  writeAtomic(statePaths(dir).server, JSON.stringify(info) + '\n');
}

export function removeServerInfo(dir: string, pid?: number): void {
  const info = readServerInfo(dir);
  if (info && (pid === undefined || info.pid === pid)) rmSync(statePaths(dir).server, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** the running server of a cluster, if its process is alive */
export function runningServer(dir: string): ServerInfo | undefined {
  const info = readServerInfo(dir);
  return info && isAlive(info.pid) ? info : undefined;
}

/** names of clusters with state under the home, sorted like `kind get clusters` */
export function listClusters(home = kindlingHome()): string[] {
  const root = join(home, 'clusters');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => clusterExists(join(root, n)))
    .sort();
}

export function removeClusterState(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
