// Cluster benchmarks: start-up, adding thousands of nodes, LIST/GET over HTTPS, writes, memory,
// and a DaemonSet over every node (create, rolling update by maxUnavailable and by maxSurge).
// Prints figures; asserts nothing.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { startCluster, type StartedCluster } from '../src/index.js';
import { R, type ApiClient, type KubeObject } from '../src/client/types.js';
import type { NodePlan } from '../src/cluster/nodes.js';
import { agent, connFromKubeconfig, request, type Conn } from './http.js';
import { fmtInt, fmtMs, mib, percentile, timed, until, type Row } from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FOUR_NODE_CONFIG = readFileSync(join(ROOT, 'examples/four-node.yaml'), 'utf8');

type DS = DaemonSet & KubeObject;

export async function fourNodeCreate(runs = 3): Promise<Row[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = await startCluster({ config: FOUR_NODE_CONFIG });
    await c.runtime.waitForNodesReady(30_000);
    await until('kube-system DaemonSets available on 4 nodes', async () => {
      const l = await c.client.list<DS>(R.daemonsets, 'kube-system');
      return l.items.length >= 2 && l.items.every((d) => d.status?.numberAvailable === 4);
    }, 30_000, 5);
    times.push(performance.now() - t0);
    await c.stop();
  }
  const warm = [...times.slice(1)].sort((a, b) => a - b);
  return [
    timed('create 4-node cluster in-process (first), nodes Ready + kube-system DS available', times[0], 500),
    ...(warm.length ? [timed(`create 4-node cluster in-process (median of ${warm.length} more)`, warm[Math.floor(warm.length / 2)], 500)] : []),
  ];
}

/** `kindling create cluster` end to end: the CLI process until it returns, then delete */
export function cliCreate(): Row[] {
  const dist = join(ROOT, 'dist/cli/main.js');
  const viaDist = existsSync(dist);
  const args = viaDist ? [dist] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  const home = mkdtempSync(join(tmpdir(), 'kindling-bench-home-'));
  const env = { ...process.env, KINDLING_HOME: home, KUBECONFIG: join(home, 'kubeconfig') };
  const rows: Row[] = [];
  try {
    const t0 = performance.now();
    execFileSync(process.execPath, [...args, 'create', 'cluster', '--config', join(ROOT, 'examples/four-node.yaml'), '--name', 'bench'], { env, stdio: 'pipe', timeout: 120_000 });
    const ms = performance.now() - t0;
    rows.push(timed(`kindling create cluster (CLI, ${viaDist ? 'dist' : 'tsx, no dist'}), until it returns`, ms, viaDist ? 500 : undefined));
  } catch (e) {
    rows.push({ name: 'kindling create cluster (CLI)', value: `failed: ${String((e as Error).message).split('\n')[0]}` });
  } finally {
    try {
      execFileSync(process.execPath, [...args, 'delete', 'cluster', '--name', 'bench'], { env, stdio: 'pipe', timeout: 60_000 });
    } catch {
      // nothing to delete
    }
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

function workerPlan(i: number, index: number): NodePlan {
  return { name: `kind-worker${i === 1 ? '' : i}`, role: 'worker', index, labels: {}, taints: [], kubernetesVersion: 'v1.32.4' };
}

function countReady(items: KubeObject[]): number {
  let n = 0;
  for (const o of items) if ((o.status as { conditions?: { type: string; status: string }[] })?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) n++;
  return n;
}

async function dsDone(client: ApiClient, ns: string, name: string, n: number): Promise<boolean> {
  const d = await client.get<DS>(R.daemonsets, ns, name);
  const s = d.status;
  return !!s && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) && s.desiredNumberScheduled === n && s.updatedNumberScheduled === n && s.numberAvailable === n;
}

export interface BigCluster {
  cluster: StartedCluster;
  conn: Conn;
  nodes: number;
}

/** a control-plane node, then `count` workers added through runtime.addNode (50 at a time) */
export async function addNodes(count: number, log: (s: string) => void): Promise<{ rows: Row[]; big: BigCluster }> {
  const cluster = await startCluster({});
  await cluster.runtime.waitForNodesReady(30_000);
  const t0 = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let i = next++; i <= count; i = next++) await cluster.runtime.addNode(workerPlan(i, i));
    }),
  );
  const added = performance.now() - t0;
  await until(`${count} nodes Ready`, async () => countReady((await cluster.client.list(R.nodes, undefined)).items) === count + 1, 120_000, 50);
  const ready = performance.now() - t0;
  log(`  ${count} nodes Ready after ${fmtMs(ready)}`);
  let settledNote = '';
  await until('kube-system DaemonSets on every node', async () => {
    const l = await cluster.client.list<DS>(R.daemonsets, 'kube-system');
    settledNote = l.items.map((d) => `${d.metadata.name} ${d.status?.numberAvailable ?? 0}`).join(', ');
    return l.items.every((d) => d.status?.numberAvailable === count + 1);
  }, 150_000, 100).catch(() => (settledNote = `not done: ${settledNote}`));
  const settled = performance.now() - t0;
  return {
    rows: [
      { name: `add ${fmtInt(count)} nodes: runtime.addNode calls return`, value: fmtMs(added) },
      timed(`add ${fmtInt(count)} nodes until all Ready`, ready, 5000),
      { name: `  ... and kube-system DaemonSets (kindnet, kube-proxy) available on all`, value: settledNote.startsWith('not done') ? `> ${fmtMs(settled)}` : fmtMs(settled), verdict: settledNote.startsWith('not done') ? settledNote : '' },
    ],
    big: { cluster, conn: connFromKubeconfig(cluster.kubeconfig), nodes: count + 1 },
  };
}

export async function httpReads(big: BigCluster): Promise<Row[]> {
  const { conn } = big;
  const ag = agent(conn);
  const rows: Row[] = [];
  const listOnce = async (headers: Record<string, string>, check: (b: unknown) => number) => {
    const t0 = performance.now();
    const r = await request(conn, ag, 'GET', '/api/v1/nodes', undefined, headers);
    const n = check(JSON.parse(r.body));
    const ms = performance.now() - t0;
    if (r.status !== 200 || n !== big.nodes) throw new Error(`LIST nodes: ${r.status}, ${n} items`);
    return ms;
  };
  const median = async (f: () => Promise<number>, runs = 5) => {
    await f(); // warm the connection
    const t = [];
    for (let i = 0; i < runs; i++) t.push(await f());
    return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
  };
  rows.push(timed(`LIST ${fmtInt(big.nodes)} nodes over HTTPS, JSON (median of 5, incl. parse)`, await median(() => listOnce({}, (b) => (b as { items: unknown[] }).items.length)), 500));
  rows.push(
    timed(
      `LIST ${fmtInt(big.nodes)} nodes over HTTPS as Table (kubectl get nodes)`,
      await median(() => listOnce({ accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }, (b) => (b as { rows: unknown[] }).rows.length)),
      500,
    ),
  );

  // GET latency: 50 clients, each with its own keep-alive connection, for 3 s
  const clients = 50;
  const lat: number[] = [];
  const until3 = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const a = agent(conn);
      let i = c;
      while (performance.now() < until3) {
        const name = `kind-worker${(i++ % (big.nodes - 2)) + 2}`; // kind-worker2 .. kind-worker<count>
        const t0 = performance.now();
        const r = await request(conn, a, 'GET', `/api/v1/nodes/${name}`);
        lat.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`GET node ${name}: ${r.status}`);
      }
      a.destroy();
    }),
  );
  lat.sort((a, b) => a - b);
  rows.push({ name: `GET node, 50 concurrent keep-alive clients: requests/s`, value: fmtInt(lat.length / 3) });
  rows.push({ name: `GET node, 50 concurrent clients: p50`, value: fmtMs(percentile(lat, 50)) });
  rows.push(timed(`GET node, 50 concurrent clients: p99`, percentile(lat, 99), 20));
  ag.destroy();
  return rows;
}

export async function writes(big: BigCluster): Promise<Row[]> {
  const { cluster, conn } = big;
  const client = cluster.client;
  const rows: Row[] = [];
  await client.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-writes' } });
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench-writes' }, data: { k: 'x'.repeat(200) } });
  {
    const total = 10_000;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        for (let i = next++; i < total; i = next++) await client.create(R.configmaps, 'bench-writes', cm(`r-${i}`));
      }),
    );
    rows.push({ name: `writes/s through the registry (200 writers, ${fmtInt(total)} ConfigMap creates)`, value: fmtInt(total / ((performance.now() - t0) / 1000)) });
  }
  {
    const total = 5_000;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const a = agent(conn);
        for (let i = next++; i < total; i = next++) {
          const r = await request(conn, a, 'POST', '/api/v1/namespaces/bench-writes/configmaps', cm(`h-${i}`));
          if (r.status !== 201) throw new Error(`POST configmap: ${r.status} ${r.body}`);
        }
        a.destroy();
      }),
    );
    rows.push({ name: `writes/s over HTTPS (50 keep-alive clients, ${fmtInt(total)} POSTs)`, value: fmtInt(total / ((performance.now() - t0) / 1000)) });
  }
  await client.delete(R.namespaces, undefined, 'bench-writes');
  return rows;
}

export function rss(label: string, goalBytes?: number): Row {
  const v = process.memoryUsage().rss;
  return { name: label, value: mib(v), goal: goalBytes ? `< ${mib(goalBytes)}` : undefined, verdict: goalBytes ? (v < goalBytes ? 'met' : 'MISSED') : '' };
}

/**
 * The process's memory now: the live heap after a full GC (needs node --expose-gc; without it
 * the row says so) and RSS, with the goal on RSS. Waits a moment first so queued work settles.
 */
export async function memoryRows(label: string, goalBytes?: number): Promise<Row[]> {
  const gc = (globalThis as { gc?: (opts?: unknown) => unknown }).gc;
  await new Promise((r) => setTimeout(r, 500));
  const rows: Row[] = [];
  if (gc) {
    gc();
    gc();
    const m = process.memoryUsage();
    rows.push({ name: `live heap after a full GC ${label}`, value: mib(m.heapUsed), verdict: '' });
    rows.push({ name: `  ... external + array buffers`, value: mib(m.external + m.arrayBuffers), verdict: '' });
  } else rows.push({ name: `live heap after a full GC ${label}`, value: 'n/a (run with node --expose-gc)' });
  rows.push(rss(`server RSS ${label}`, goalBytes));
  return rows;
}

export function daemonSet(name: string, image: string): DS {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' as never, maxSurge: 0 as never } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  } as DS;
}

/** create a DaemonSet on every schedulable node, then roll it out twice; returns the rows */
export async function daemonSetRollouts(client: ApiClient, n: number, label: string, timeoutMs = 120_000, now: () => number = () => performance.now()): Promise<Row[]> {
  const rows: Row[] = [];
  const name = 'bench-ds';
  const goal = (ms: number) => (n >= 5000 ? ms : undefined);
  /** wait for the rollout; a phase that does not finish in timeoutMs is reported as such and ends the run */
  const phase = async (what: string, goalMs: number | undefined, start: () => Promise<void>): Promise<boolean> => {
    const t0 = now();
    await start();
    try {
      await until(what, () => dsDone(client, 'default', name, n), timeoutMs, 50);
      rows.push(timed(`${label}${what}`, now() - t0, goalMs));
      return true;
    } catch {
      const s = (await client.get<DS>(R.daemonsets, 'default', name)).status;
      rows.push({ name: `${label}${what}`, value: `> ${fmtMs(now() - t0)}`, goal: goalMs ? `< ${fmtMs(goalMs)}` : undefined, verdict: `MISSED (stopped: available ${s?.numberAvailable ?? 0}, updated ${s?.updatedNumberScheduled ?? 0})` });
      return false;
    }
  };
  const setImage = async (image: string, strategy?: DS['spec'] extends infer S ? (S extends { updateStrategy?: infer U } ? U : never) : never) => {
    const ds = await client.get<DS>(R.daemonsets, 'default', name);
    ds.spec!.template.spec!.containers[0].image = image;
    if (strategy) ds.spec!.updateStrategy = strategy;
    await client.update(R.daemonsets, 'default', ds);
  };
  if (!(await phase(`DaemonSet on ${fmtInt(n)} nodes until numberAvailable = ${fmtInt(n)}`, goal(10_000), async () => void (await client.create(R.daemonsets, 'default', daemonSet(name, 'registry.k8s.io/pause:3.9'))))))
    return rows;
  if (!(await phase(`rolling update at maxUnavailable 10% on ${fmtInt(n)} nodes`, goal(30_000), () => setImage('registry.k8s.io/pause:3.10')))) return rows;
  await phase(`rolling update at maxSurge 10% on ${fmtInt(n)} nodes`, goal(30_000), () =>
    setImage('registry.k8s.io/pause:3.9', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 as never, maxSurge: '10%' as never } }),
  );
  return rows;
}
