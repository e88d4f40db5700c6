// The background server: `kindling create/start cluster` spawns `kindling serve --state DIR`
// detached, waits until it answers /readyz, every node is Ready and the kube-system DaemonSets are
// available; `stop cluster` sends SIGTERM.
// The server re-reads cluster.json on SIGHUP (nodes added or deleted by the CLI).

import { spawn } from 'node:child_process';
import { openSync, readFileSync, existsSync, closeSync, fchmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { parse as parseYaml } from 'yaml';
import { validateRules, type LifecycleRules } from '../nodes/rules.js';
import {
  readClusterState,
  readCerts,
  readServerInfo,
  writeServerInfo,
  removeServerInfo,
  isAlive,
  statePaths,
  type ClusterState,
  type ServerInfo,
} from './state.js';
import type { ClusterRuntime } from './runtime.js';

/** a free TCP port on host, chosen now and kept for the cluster's life */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** how to run this kindling's CLI: dist/cli/main.js, or src/cli/main.ts through tsx when running from source */
export function cliCommand(): { cmd: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { cmd: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('../cli/main.ts', import.meta.url))] };
  }
  return { cmd: process.execPath, args: [fileURLToPath(new URL('../cli/main.js', import.meta.url))] };
}

/** start `kindling serve --state dir` detached, its output appended to server.log; returns its pid */
export function spawnServer(dir: string): number {
  const { cmd, args } = cliCommand();
  const log = openSync(statePaths(dir).log, 'a', 0o600);
  fchmodSync(log, 0o600);
  const child = spawn(cmd, [...args, 'serve', '--state', dir], {
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start the kindling server process');
  return child.pid;
}

export function logTail(dir: string, lines = 20): string {
  const p = statePaths(dir).log;
  if (!existsSync(p)) return '';
  return readFileSync(p, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export interface ApiResponse {
  status: number;
  body: string;
}

/** GET a path on the cluster's API with its CA and token (works for --insecure-http too) */
export function apiGet(dir: string, state: ClusterState, url: string, path: string): Promise<ApiResponse> {
  return apiRequest(dir, state, url, 'GET', path);
}

/** a request to the cluster's API with its CA and token; body is sent as JSON */
export function apiRequest(dir: string, state: ClusterState, url: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const certs = state.insecureHttp ? undefined : readCerts(dir);
  const mod = url.startsWith('https:') ? https : http;
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Bearer ${state.token}`, Accept: 'application/json' };
  if (data !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(data));
  }
  return new Promise((resolve, reject) => {
    const req = mod.request(
      new URL(path, url),
      { method, ca: certs?.caCert, headers, timeout: 5000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** wait for the spawned server to write server.json and answer /readyz */
export async function waitForServer(dir: string, pid: number, deadline: number): Promise<ServerInfo> {
  const state = readClusterState(dir);
  for (;;) {
    if (!isAlive(pid)) {
      throw new Error(`the kindling server exited during start; its log (${statePaths(dir).log}) ends with:\n${logTail(dir)}`);
    }
    const info = readServerInfo(dir);
    if (info && info.pid === pid) {
      try {
        const r = await apiGet(dir, state, info.url, '/readyz');
        if (r.status === 200) return info;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new Error(`the kindling server did not become ready in time; see ${statePaths(dir).log}`);
    await sleep(20); // short polls: a cluster is ready in well under a second
  }
}

function nodeReady(n: Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** wait until the named nodes exist and are Ready (or, with gone=true, until they no longer exist) */
export async function waitForNodes(dir: string, info: ServerInfo, names: string[], deadline: number, gone = false): Promise<void> {
  const state = readClusterState(dir);
  for (;;) {
    try {
      const r = await apiGet(dir, state, info.url, '/api/v1/nodes');
      if (r.status === 200) {
        const items = (JSON.parse(r.body) as { items: Node[] }).items;
        const byName = new Map(items.map((n) => [n.metadata?.name, n]));
        const pending = names.filter((n) => (gone ? byName.has(n) : !(byName.has(n) && nodeReady(byName.get(n)!))));
        if (pending.length === 0) return;
        if (Date.now() > deadline) throw new Error(`timed out waiting for nodes ${gone ? 'to go away' : 'to be Ready'}: ${pending.join(', ')}`);
      }
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await sleep(20);
  }
}

/** the kube-system DaemonSets a kind cluster has; create and start wait for them */
export const SYSTEM_DAEMONSETS = ['kindnet', 'kube-proxy'];

/** available as kind's `--wait` sees it: every desired pod scheduled, up to date and available */
export function daemonSetAvailable(ds: DaemonSet | undefined): boolean {
  const st = ds?.status;
  if (!ds || !st) return false;
  const desired = st.desiredNumberScheduled ?? 0;
  return (
    desired > 0 &&
    (st.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0) &&
    st.numberAvailable === desired &&
    (st.updatedNumberScheduled ?? 0) === desired
  );
}

/** wait until the kube-system DaemonSets (kindnet, kube-proxy) are available */
export async function waitForDaemonSets(dir: string, info: ServerInfo, deadline: number, names = SYSTEM_DAEMONSETS): Promise<void> {
  const state = readClusterState(dir);
  let pending = names;
  for (;;) {
    try {
      const r = await apiGet(dir, state, info.url, '/apis/apps/v1/namespaces/kube-system/daemonsets');
      if (r.status === 200) {
        const byName = new Map((JSON.parse(r.body) as { items: DaemonSet[] }).items.map((d) => [d.metadata?.name, d]));
        pending = names.filter((n) => !daemonSetAvailable(byName.get(n)));
        if (pending.length === 0) return;
      }
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for DaemonSets to be available: ${pending.map((n) => `kube-system/${n}`).join(', ')}`);
    await sleep(20);
  }
}

/** SIGTERM the cluster's server and wait for it to exit (SIGKILL after timeoutMs) */
export async function stopServer(dir: string, timeoutMs = 15_000): Promise<boolean> {
  const info = readServerInfo(dir);
  if (!info) return false;
  if (isAlive(info.pid)) {
    process.kill(info.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isAlive(info.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  }
  removeServerInfo(dir, info.pid);
  return true;
}

/** tell the running server that cluster.json changed */
export function signalReload(dir: string): boolean {
  const info = readServerInfo(dir);
  if (!info || !isAlive(info.pid)) return false;
  process.kill(info.pid, 'SIGHUP');
  return true;
}

/** start a runtime from a cluster's state dir (persistent lmdb store, saved certs, port and token) */
export async function startRuntimeFromState(
  dir: string,
  log: (m: string) => void = (m) => console.error(m),
  o: { nodeMonitorGracePeriodMs?: number } = {},
): Promise<ClusterRuntime> {
  const state = readClusterState(dir);
  const certs = state.insecureHttp ? undefined : readCerts(dir);
  // loaded here, not at the top: the CLI imports this file and should start fast
  const { startClusterRuntime } = await import('./runtime.js');
  return startClusterRuntime({
    cluster: state.name,
    nodes: state.nodes,
    kubernetesVersion: state.kubernetesVersion,
    podSubnet: state.podSubnet,
    storeUrl: state.store ?? `lmdb://${statePaths(dir).store}`,
    host: state.host,
    port: state.port,
    tls: certs ? { cert: certs.cert, key: certs.key } : undefined,
    // plain HTTP (debugging) means no token, as startCluster({ insecureHttp }): kubectl does not
    // send a bearer token over http, so a token here would lock every client out (401)
    token: state.insecureHttp ? undefined : state.token,
    log,
    rules: readRules(dir),
    nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs ?? state.nodeMonitorGracePeriodMs,
    limits: { controllerQps: state.controllerQps, schedulerQps: state.schedulerQps },
    ...(state.runtime === 'process' ? { runtime: 'process' as const, runtimeDir: statePaths(dir).runtime } : {}),
  });
}

/** parse and validate lifecycle rules (YAML or JSON: a list, or {rules: [...]}) */
export function parseRules(text: string): LifecycleRules {
  return validateRules(parseYaml(text));
}

/** the cluster's saved lifecycle rules (rules.yaml in the state dir), if any */
export function readRules(dir: string): LifecycleRules | undefined {
  const p = statePaths(dir).rules;
  return existsSync(p) ? parseRules(readFileSync(p, 'utf8')) : undefined;
}

/**
 * Run the cluster in this process until SIGTERM/SIGINT: writes server.json when ready, follows
 * cluster.json's node list on SIGHUP, removes server.json on exit.
 */
export async function serveState(
  dir: string,
  log: (m: string) => void = (m) => console.error(m),
  o: { nodeMonitorGracePeriodMs?: number } = {},
): Promise<void> {
  const rt = await startRuntimeFromState(dir, log, o);
  writeServerInfo(dir, { pid: process.pid, port: rt.port, url: rt.url });
  log(`kindling: cluster "${readClusterState(dir).name}" serving at ${rt.url} (pid ${process.pid})`);

  let work: Promise<void> = Promise.resolve();
  const reload = () => {
    work = work.then(async () => {
      const wanted = readClusterState(dir).nodes;
      const have = new Set(rt.nodeNames());
      await rt.addNodes(wanted.filter((plan) => !have.has(plan.name)));
      const wantedNames = new Set(wanted.map((p) => p.name));
      for (const name of have) if (!wantedNames.has(name)) await rt.removeNode(name);
    }).catch((e) => log(`kindling: reloading nodes failed: ${(e as Error).stack ?? e}`));
  };
  process.on('SIGHUP', reload);

  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  process.off('SIGHUP', reload);
  await work;
  log('kindling: shutting down');
  await rt.stop();
  removeServerInfo(dir, process.pid);
}
