// A cluster's life as the CLI drives it: create, start, stop, delete, add and remove nodes,
// kubeconfig. Each operation works on the state dir and the background server.

import { existsSync, writeFileSync } from 'node:fs';
import { parseKindConfig, type ParseOptions, type NodeRole } from './config.js';
import { planNodes, nextNodeName, CONTROL_PLANE_TAINT, type NodePlan } from './nodes.js';
import { generateClusterCerts, generateToken } from './certs.js';
import { buildKubeconfig, kindContextName, kubeconfigToYaml, writeMergedKubeconfig, removeKindFromKubeconfigs, type Kubeconfig } from './kubeconfig.js';
import {
  clusterDir,
  clusterExists,
  readClusterState,
  readCerts,
  writeCerts,
  writeClusterState,
  removeClusterState,
  runningServer,
  statePaths,
  type ClusterState,
  type ClusterRuntimeKind,
  type ServerInfo,
} from './state.js';
import { probeSandbox } from '../nodes/process/sandbox.js';
import {
  freePort,
  spawnServer,
  waitForServer,
  waitForNodes,
  waitForDaemonSets,
  SYSTEM_DAEMONSETS,
  stopServer,
  signalReload,
  apiRequest,
  parseRules,
} from './daemon.js';
import { CONTROL_PREFIX } from './controlpath.js';
import type { Taint } from 'kubernetes-types/core/v1.js';

export interface CreateOptions extends ParseOptions {
  configText?: string;
  insecureHttp?: boolean;
  host?: string;
  port?: number;
  home?: string;
  /** a store URL instead of the cluster's own lmdb store (etcd://...) */
  store?: string;
  /** lifecycle rules for the simulated kubelets (YAML), kept in the state dir */
  rulesText?: string;
  /** kube-controller-manager's --node-monitor-grace-period */
  nodeMonitorGracePeriodMs?: number;
  /** upstream's client-side rate limits (kube-controller-manager 20 QPS, kube-scheduler 50) */
  controllerQps?: number;
  schedulerQps?: number;
  /** the nodes' container runtime (default simulated) */
  runtime?: ClusterRuntimeKind;
  /** can this host build the process runtime's sandbox? (default probeSandbox; tests fake it) */
  probe?: () => string | undefined;
  /** the user accepts that --insecure-http on a non-loopback host hands the cluster to its network */
  insecureAllowRemote?: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** plain HTTP serves the API without TLS or a token: only on loopback unless the user says so */
export function checkInsecureHost(host: string, insecureHttp: boolean | undefined, allowRemote: boolean | undefined): void {
  if (!insecureHttp || allowRemote || isLoopbackHost(host)) return;
  throw new Error(
    `kindling: --insecure-http serves the API without TLS or a token, so anyone who can reach ${host} controls the cluster: use --host 127.0.0.1, drop --insecure-http, or add --insecure-allow-remote to accept that`,
  );
}

/** refuse the process runtime on a host that cannot build its sandbox, with probeSandbox()'s reason */
export function checkRuntime(runtime: ClusterRuntimeKind | undefined, probe: () => string | undefined = probeSandbox): void {
  if (runtime === undefined || runtime === 'simulated') return;
  if (runtime !== 'process') throw new Error(`unknown runtime "${runtime}" (simulated or process)`);
  const missing = probe();
  if (missing) throw new Error(`kindling: the process runtime cannot start on this host: ${missing}`);
}

/** write a new cluster's state (certs, token, port, node plan); throws like kind if it exists */
export async function createClusterState(o: CreateOptions): Promise<{ dir: string; state: ClusterState; warnings: string[] }> {
  const { spec, warnings } = parseKindConfig(o.configText, o);
  const dir = clusterDir(spec.name, o.home);
  if (clusterExists(dir)) throw new Error(`node(s) already exist for a cluster with the name "${spec.name}"`);
  if (o.rulesText !== undefined) parseRules(o.rulesText); // refuse bad rules before anything is written
  checkRuntime(o.runtime, o.probe); // and a runtime this host cannot run
  const nodes = planNodes(spec);
  const host = o.host ?? '127.0.0.1';
  checkInsecureHost(host, o.insecureHttp, o.insecureAllowRemote);
  const state: ClusterState = {
    name: spec.name,
    kubernetesVersion: spec.kubernetesVersion,
    image: spec.image,
    podSubnet: spec.podSubnet,
    host,
    port: o.port ?? (await freePort(host)),
    insecureHttp: !!o.insecureHttp,
    token: generateToken(),
    nodes,
    nextIndex: nodes.length,
    createdAt: new Date().toISOString(),
    ...(o.store ? { store: o.store } : {}),
  };
  if (o.nodeMonitorGracePeriodMs) state.nodeMonitorGracePeriodMs = o.nodeMonitorGracePeriodMs;
  if (o.controllerQps) state.controllerQps = o.controllerQps;
  if (o.schedulerQps) state.schedulerQps = o.schedulerQps;
  if (o.runtime && o.runtime !== 'simulated') state.runtime = o.runtime;
  if (!state.insecureHttp) {
    writeCerts(dir, generateClusterCerts({ dnsNames: [`${spec.name}-control-plane`], ips: host === '127.0.0.1' || host === '0.0.0.0' ? [] : [host] }));
  }
  writeClusterState(dir, state);
  if (o.rulesText !== undefined) writeFileSync(statePaths(dir).rules, o.rulesText, { mode: 0o600 });
  return { dir, state, warnings };
}

export function serverUrl(state: ClusterState): string {
  const host = state.host === '0.0.0.0' ? '127.0.0.1' : state.host;
  return `${state.insecureHttp ? 'http' : 'https'}://${host}:${state.port}`;
}

export function clusterKubeconfig(dir: string): Kubeconfig {
  const state = readClusterState(dir);
  return buildKubeconfig({ cluster: state.name, server: serverUrl(state), caCert: readCerts(dir)?.caCert, token: state.insecureHttp ? undefined : state.token });
}

export function clusterKubeconfigYaml(dir: string): string {
  return kubeconfigToYaml(clusterKubeconfig(dir));
}

/** merge the cluster's context into the user's kubeconfig and make it current; returns the file */
export function exportKubeconfig(dir: string, explicitPath?: string): string {
  return writeMergedKubeconfig(clusterKubeconfig(dir), explicitPath);
}

/**
 * start the background server of an existing cluster and wait until every node is Ready and the
 * kube-system DaemonSets (kindnet, kube-proxy) are available; daemonSets narrows or skips the latter
 */
export async function startClusterServer(dir: string, timeoutMs: number, o: { daemonSets?: string[] } = {}): Promise<ServerInfo> {
  const running = runningServer(dir);
  const deadline = Date.now() + timeoutMs;
  const info = running ?? (await waitForServer(dir, spawnServer(dir), deadline));
  await waitForNodes(dir, info, readClusterState(dir).nodes.map((n) => n.name), deadline);
  const ds = o.daemonSets ?? SYSTEM_DAEMONSETS;
  if (ds.length) await waitForDaemonSets(dir, info, deadline, ds);
  return info;
}

/** wait for kube-system DaemonSets of a running cluster to be available */
export async function waitForSystemDaemonSets(dir: string, timeoutMs: number, names = SYSTEM_DAEMONSETS): Promise<void> {
  const info = runningServer(dir);
  if (!info) throw new Error(`cluster "${readClusterState(dir).name}" is not running`);
  await waitForDaemonSets(dir, info, Date.now() + timeoutMs, names);
}

/** call the running server's control channel (/kindling/v1/...); throws the server's message */
async function control(dir: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const state = readClusterState(dir);
  const info = runningServer(dir);
  if (!info) throw new Error(`cluster "${state.name}" is not running (start it with: kindling start cluster --name ${state.name})`);
  const r = await apiRequest(dir, state, info.url, method, `${CONTROL_PREFIX}${path}`, body);
  let parsed: unknown;
  try {
    parsed = r.body ? JSON.parse(r.body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (r.status !== 200) throw new Error((parsed as { message?: string } | undefined)?.message ?? `the server answered ${r.status}: ${r.body}`);
  return parsed;
}

function knownNode(dir: string, name: string): void {
  const state = readClusterState(dir);
  if (!state.nodes.some((n) => n.name === name)) throw new Error(`node "${name}" not found in cluster "${state.name}"`);
}

/** stop a node's simulated kubelet: its lease and status go stale, node lifecycle marks it Unknown */
export async function stopNode(dir: string, name: string): Promise<void> {
  knownNode(dir, name);
  await control(dir, 'POST', `/nodes/${encodeURIComponent(name)}/stop`);
}

/** restart a node's simulated kubelet: it posts Ready status at once */
export async function startNode(dir: string, name: string): Promise<void> {
  knownNode(dir, name);
  await control(dir, 'POST', `/nodes/${encodeURIComponent(name)}/start`);
}

/** make a node's kubelet report a condition (e.g. MemoryPressure True, Ready False) */
export async function setNodeCondition(dir: string, name: string, type: string, status: string, reason?: string, message?: string): Promise<void> {
  knownNode(dir, name);
  await control(dir, 'POST', `/nodes/${encodeURIComponent(name)}/conditions`, { type, status, reason, message });
}

/** replace the lifecycle rules: saved in the state dir (kept over restarts) and applied to a running server */
export async function setRules(dir: string, text: string): Promise<{ applied: boolean }> {
  const rules = parseRules(text);
  writeFileSync(statePaths(dir).rules, text, { mode: 0o600 });
  if (!runningServer(dir)) return { applied: false };
  await control(dir, 'PUT', '/rules', rules);
  return { applied: true };
}

export async function stopCluster(dir: string): Promise<boolean> {
  return stopServer(dir);
}

/**
 * stop the server, remove the state and the kind-<name> kubeconfig entries; returns the node names.
 * A cluster on etcd (create --store etcd://...) also loses its objects: every key under the
 * store's /registry/ (within the URL's prefix, if any). kind has no equivalent; other kindling
 * processes still serving from that etcd are not stopped (they see an empty cluster).
 */
export async function deleteCluster(dir: string, name: string, kubeconfigPath?: string): Promise<string[]> {
  let nodes: string[] = [];
  let store: string | undefined;
  if (clusterExists(dir)) {
    const state = readClusterState(dir);
    nodes = state.nodes.map((n) => n.name);
    store = state.store;
    await stopServer(dir);
  }
  let storeError: Error | undefined;
  if (store && /^etcds?:/i.test(store)) {
    try {
      const { EtcdStore } = await import('../store/etcd.js');
      const etcd = await EtcdStore.open(store);
      try {
        await etcd.deletePrefix('/registry/');
      } finally {
        await etcd.close();
      }
    } catch (e) {
      storeError = new Error(`could not delete the cluster's objects from ${store}: ${(e as Error).message}`);
    }
  }
  if (existsSync(dir)) removeClusterState(dir);
  removeKindFromKubeconfigs(name, kubeconfigPath);
  if (storeError) throw storeError;
  return nodes;
}

export interface AddNodesOptions {
  count: number;
  role: NodeRole;
  labels?: Record<string, string>;
  taints?: Taint[];
  timeoutMs: number;
}

/** add nodes to a cluster (kind cannot); a running cluster gets them at once, Ready */
export async function addNodes(dir: string, o: AddNodesOptions): Promise<NodePlan[]> {
  const state = readClusterState(dir);
  const added: NodePlan[] = [];
  for (let i = 0; i < o.count; i++) {
    const plan: NodePlan = {
      name: nextNodeName(state.name, o.role, state.nodes.map((n) => n.name)),
      role: o.role,
      index: state.nextIndex++,
      labels: { ...(o.labels ?? {}) },
      taints: o.taints ?? (o.role === 'control-plane' ? [CONTROL_PLANE_TAINT] : []),
      kubernetesVersion: state.kubernetesVersion,
    };
    state.nodes.push(plan);
    added.push(plan);
  }
  writeClusterState(dir, state);
  const info = runningServer(dir);
  if (info && signalReload(dir)) {
    await waitForNodes(dir, info, added.map((n) => n.name), Date.now() + o.timeoutMs);
  }
  return added;
}

export async function deleteNode(dir: string, name: string, timeoutMs: number): Promise<void> {
  const state = readClusterState(dir);
  if (!state.nodes.some((n) => n.name === name)) throw new Error(`node "${name}" not found in cluster "${state.name}"`);
  state.nodes = state.nodes.filter((n) => n.name !== name);
  writeClusterState(dir, state);
  const info = runningServer(dir);
  if (info && signalReload(dir)) await waitForNodes(dir, info, [name], Date.now() + timeoutMs, true);
}

export { kindContextName };
