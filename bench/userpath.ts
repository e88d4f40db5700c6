// The user's path: the BUILT CLI (node dist/cli/main.js) and kubectl against a cluster served by
// `kindling` in its own process, on the embedded LMDB store. Each figure is printed beside its
// goal (issue #10's table) with the machine's load average before and after it ran.
//   node --import tsx bench/userpath.ts [--sizes 1000,5000,10000] [--pods150k] [--no-4node] [--no-inprocess]
//     [--start-at N: the size whose cluster is filled to 50,000 objects and restarted, default 5000]
// Needs `npm run build` first (dist/) and kubectl on PATH. Figures, never asserts.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterDir, readServerInfo } from '../src/cluster/state.js';
import { agent, connFromKubeconfig, request, type Conn } from './http.js';
import { fmtInt, fmtMs, isMain, mib, percentile, printTable, sleep, timed, type Row } from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const NAME = 'bench';
const GiB = 1024 ** 3;

interface Env {
  home: string;
  env: NodeJS.ProcessEnv;
}

function newEnv(): Env {
  const home = mkdtempSync(join(tmpdir(), 'kindling-userpath-'));
  return { home, env: { ...process.env, KINDLING_HOME: home, KUBECONFIG: join(home, 'kubeconfig'), KIND_CLUSTER_NAME: '' } };
}

/** run a command to completion; resolves with its output and wall time, rejects on a non-zero exit */
function run(e: Env, cmd: string, args: string[], timeoutMs = 60 * 60_000): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: e.env, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[cmd, ...args].join(' ')}: ${String(stderr || err.message).trim().split('\n').slice(-3).join(' / ')}`));
      else resolve({ ms: performance.now() - t0, out: stdout });
    });
  });
}
const kindling = (e: Env, ...args: string[]) => run(e, process.execPath, [CLI, ...args]);
const kubectl = (e: Env, ...args: string[]) => run(e, 'kubectl', args);

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
/** a row with the load average before and after its measurement */
const withLoad = (r: Row, before: string): Row => ({ ...r, verdict: `${r.verdict ?? ''}  [load ${before} -> ${load()}]`.trim() });

function serverPid(e: Env): number {
  const info = readServerInfo(clusterDir(NAME, e.home));
  if (!info) throw new Error('the cluster server is not running');
  return info.pid;
}
function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
/** user+system CPU seconds of a process (clock ticks are 100 Hz on Linux) */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
function conn(e: Env): Conn {
  return connFromKubeconfig(readFileSync(join(e.home, 'kubeconfig'), 'utf8'));
}

function dsManifest(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: default}
spec:
  selector: {matchLabels: {app: ${name}}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: "10%"}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      tolerations: [{operator: Exists}]
      containers: [{name: app, image: "${image}"}]
`;
}

async function apply(e: Env, yaml: string): Promise<number> {
  const f = join(e.home, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, yaml);
  return (await kubectl(e, 'apply', '-f', f)).ms;
}

/** 50 keep-alive clients GETting worker nodes until stop() resolves; returns the latencies */
function getLoad(c: Conn, workers: number): { stop: () => Promise<number[]> } {
  let running = true;
  const lat: number[] = [];
  const clients = Array.from({ length: 50 }, async (_, i) => {
    const a = agent(c);
    let k = i;
    while (running) {
      const name = `${NAME}-worker${(k++ % (workers - 1)) + 2}`; // bench-worker2 .. bench-worker<workers>
      const t0 = performance.now();
      await request(c, a, 'GET', `/api/v1/nodes/${name}`).catch(() => undefined);
      lat.push(performance.now() - t0);
    }
    a.destroy();
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return lat.sort((a, b) => a - b);
    },
  };
}

/** how many objects the API serves for these resources (one LIST each) */
async function countObjects(c: Conn, paths: string[]): Promise<number> {
  const a = agent(c);
  let n = 0;
  for (const p of paths) n += (JSON.parse((await request(c, a, 'GET', p)).body) as { items: unknown[] }).items.length;
  a.destroy();
  return n;
}

/** `kindling create cluster` with four nodes until it returns: the first run and the median of the next two */
export async function fourNodeCli(log: (s: string) => void): Promise<Row[]> {
  const times: number[] = [];
  const before = load();
  for (let i = 0; i < 3; i++) {
    const e = newEnv();
    try {
      times.push((await kindling(e, 'create', 'cluster', '--config', join(ROOT, 'examples/four-node.yaml'), '--name', NAME)).ms);
    } finally {
      await kindling(e, 'delete', 'cluster', '--name', NAME).catch(() => undefined);
      rmSync(e.home, { recursive: true, force: true });
    }
  }
  log(`  create cluster (4 nodes): ${times.map(fmtMs).join(', ')}`);
  return [
    withLoad(timed('user: kindling create cluster (4 nodes) until it returns, first run', times[0], 300), before),
    withLoad(timed('user: kindling create cluster (4 nodes) until it returns, median of 2 more', [...times.slice(1)].sort((a, b) => a - b)[0], 300), before),
  ];
}

export interface SizeFigures {
  add: number;
  ds: number;
  rollout: number;
}

/**
 * one cluster of n workers + the control plane: add nodes, a DaemonSet via kubectl, a rolling
 * update, memory, idle CPU, GET latency during a second rollout; at withStart, 50,000 objects
 * and a stop/start of the cluster
 */
export async function sizeRun(n: number, withStart: boolean, log: (s: string) => void): Promise<{ rows: Row[]; figures: SizeFigures }> {
  const rows: Row[] = [];
  const e = newEnv();
  const total = n + 1;
  const goal = (ms: number) => (n === 5000 ? ms : undefined);
  const N = fmtInt(n);
  try {
    await kindling(e, 'create', 'cluster', '--name', NAME);
    const pid = serverPid(e);
    let before = load();
    const add = (await kindling(e, 'add', 'nodes', '--name', NAME, '--count', String(n), '--wait', '60m')).ms;
    rows.push(withLoad(timed(`user: kindling add nodes --count ${N} until all Ready`, add, goal(3000)), before));
    log(`  add ${N}: ${fmtMs(add)}`);

    before = load();
    const t0 = performance.now();
    await apply(e, dsManifest('bench', 'busybox:1'));
    await kubectl(e, 'wait', '--for', `jsonpath={.status.numberAvailable}=${total}`, 'ds/bench', '--timeout', '60m');
    const ds = performance.now() - t0;
    rows.push(withLoad(timed(`user: DaemonSet on ${fmtInt(total)} nodes via kubectl until numberAvailable = ${fmtInt(total)}`, ds, goal(3000)), before));
    log(`  DaemonSet: ${fmtMs(ds)}`);

    await sleep(2000);
    const rss = rssOf(pid);
    rows.push({ name: `user: server RSS, ${fmtInt(total)} nodes + kube-system + one DaemonSet`, value: mib(rss), goal: n === 5000 ? '< 768 MiB' : undefined, verdict: n === 5000 ? (rss < 0.75 * GiB ? 'met' : 'MISSED') : '' });
    rows.push({ name: `user:   ... per node`, value: `${(rss / total / 1024).toFixed(0)} KiB` });

    before = load();
    const cpu0 = cpuOf(pid);
    const idleMs = 20_000;
    await sleep(idleMs);
    const idle = ((cpuOf(pid) - cpu0) / (idleMs / 1000)) * 100;
    rows.push(withLoad({ name: `user: idle CPU of the ${fmtInt(total)}-node cluster (20 s, % of one core)`, value: `${idle.toFixed(1)} %`, goal: n === 5000 ? '< 10 %' : undefined, verdict: n === 5000 ? (idle < 10 ? 'met' : 'MISSED') : '' }, before));

    before = load();
    const t1 = performance.now();
    await kubectl(e, 'set', 'image', 'ds/bench', 'app=busybox:2');
    await kubectl(e, 'rollout', 'status', 'ds/bench', '--timeout', '60m');
    const rollout = performance.now() - t1;
    rows.push(withLoad(timed(`user: rolling update (maxUnavailable 10%) on ${fmtInt(total)} nodes until rollout status returns`, rollout, goal(15_000)), before));
    log(`  rollout: ${fmtMs(rollout)}`);

    before = load();
    const gets = getLoad(conn(e), n);
    const t2 = performance.now();
    await kubectl(e, 'set', 'image', 'ds/bench', 'app=busybox:3');
    await kubectl(e, 'rollout', 'status', 'ds/bench', '--timeout', '60m');
    const rollout2 = performance.now() - t2;
    const lat = await gets.stop();
    rows.push(withLoad(timed(`user: GET node p99, 50 clients, during a rollout on ${fmtInt(total)} nodes`, percentile(lat, 99), n === 5000 ? 20 : undefined), before));
    rows.push({ name: `user:   ... p50 / requests / that rollout's time`, value: `${fmtMs(percentile(lat, 50))} / ${fmtInt(lat.length)} / ${fmtMs(rollout2)}` });

    if (withStart) rows.push(...(await startWithObjects(e, total, log)));
    return { rows, figures: { add, ds, rollout } };
  } finally {
    await kindling(e, 'delete', 'cluster', '--name', NAME).catch(() => undefined);
    rmSync(e.home, { recursive: true, force: true });
  }
}

/** fill the cluster to 50,000 objects (ConfigMaps over HTTPS), stop it, start it: API answers, nodes Ready */
async function startWithObjects(e: Env, nodes: number, log: (s: string) => void): Promise<Row[]> {
  const c = conn(e);
  const have = await countObjects(c, ['/api/v1/nodes', '/api/v1/pods', '/apis/coordination.k8s.io/v1/leases', '/api/v1/events', '/apis/apps/v1/controllerrevisions']);
  const want = Math.max(0, 50_000 - have);
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      const a = agent(c);
      for (let i = next++; i < want; i = next++) {
        await request(c, a, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `fill-${i}` }, data: { k: 'x'.repeat(200) } });
      }
      a.destroy();
    }),
  );
  log(`  ${fmtInt(have)} objects, ${fmtInt(want)} ConfigMaps added`);
  await kindling(e, 'stop', 'cluster', '--name', NAME);
  const before = load();
  const t0 = performance.now();
  const started = kindling(e, 'start', 'cluster', '--name', NAME, '--wait', '10m');
  let answered = NaN;
  const a = agent(c);
  while (Number.isNaN(answered)) {
    const ok = await request(c, a, 'GET', '/api/v1/namespaces/default').then((r) => r.status === 200, () => false);
    if (ok) answered = performance.now() - t0;
    else await sleep(10);
  }
  a.destroy();
  await started;
  const ready = performance.now() - t0;
  return [
    withLoad(timed(`user: start cluster (${fmtInt(have + want)} objects, ${fmtInt(nodes)} nodes) until the API answers`, answered, 2000), before),
    withLoad(timed(`user: start cluster ... until it returns (nodes Ready, kube-system DaemonSets available)`, ready, 5000), before),
  ];
}

/** 5,000 nodes, then DaemonSets and Deployments for 150,000 pods in all; until all are available */
export async function pods150k(log: (s: string) => void): Promise<Row[]> {
  const e = newEnv();
  const nodes = 5000;
  const dsCount = 5;
  const deployments = 25;
  const replicas = (150_000 - dsCount * (nodes + 1)) / deployments;
  try {
    await kindling(e, 'create', 'cluster', '--name', NAME);
    const pid = serverPid(e);
    await kindling(e, 'add', 'nodes', '--name', NAME, '--count', String(nodes), '--wait', '60m');
    const docs: string[] = [];
    for (let i = 0; i < dsCount; i++) docs.push(dsManifest(`daemon-${i}`, 'busybox:1'));
    for (let i = 0; i < deployments; i++) {
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web-${i}, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web-${i}}}
  template:
    metadata: {labels: {app: web-${i}}}
    spec: {containers: [{name: app, image: "nginx:1"}]}
`);
    }
    const before = load();
    const t0 = performance.now();
    await apply(e, docs.join('---\n'));
    const c = conn(e);
    const a = agent(c);
    let peak = 0;
    let running = 0;
    for (;;) {
      peak = Math.max(peak, rssOf(pid));
      const ds = JSON.parse((await request(c, a, 'GET', '/apis/apps/v1/namespaces/default/daemonsets')).body) as { items: { status?: { numberAvailable?: number } }[] };
      const dep = JSON.parse((await request(c, a, 'GET', '/apis/apps/v1/namespaces/default/deployments')).body) as { items: { status?: { availableReplicas?: number } }[] };
      running = ds.items.reduce((s, d) => s + (d.status?.numberAvailable ?? 0), 0) + dep.items.reduce((s, d) => s + (d.status?.availableReplicas ?? 0), 0);
      if (running >= 150_000 || performance.now() - t0 > 60 * 60_000) break;
      log(`  ${fmtInt(running)} pods available after ${fmtMs(performance.now() - t0)} (RSS ${mib(rssOf(pid))})`);
      await sleep(5000);
    }
    a.destroy();
    const ms = performance.now() - t0;
    const rss = rssOf(pid);
    return [
      withLoad({ name: `user: ${fmtInt(nodes)} nodes + 150,000 pods (${dsCount} DaemonSets, ${deployments} Deployments x ${fmtInt(replicas)}) until all available`, value: running >= 150_000 ? fmtMs(ms) : `> ${fmtMs(ms)} (${fmtInt(running)} available)`, goal: 'works', verdict: running >= 150_000 ? 'met' : 'MISSED' }, before),
      { name: 'user:   ... server RSS then (peak while creating)', value: `${mib(rss)} (${mib(peak)})`, goal: '< 2048 MiB', verdict: Math.max(rss, peak) < 2 * GiB ? 'met' : 'MISSED' },
      { name: 'user:   ... RSS per pod', value: `${(rss / 150_000 / 1024).toFixed(1)} KiB` },
    ];
  } finally {
    await kindling(e, 'delete', 'cluster', '--name', NAME).catch(() => undefined);
    rmSync(e.home, { recursive: true, force: true });
  }
}

/** the in-process figures for the same sizes (bench/big.ts --rollouts-only in a fresh child) */
function inProcess(n: number): Promise<Row[]> {
  const script = fileURLToPath(new URL('./big.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    let got: Row[] | undefined;
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--nodes', String(n), '--rollouts-only'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.on('message', (m) => (got = m as Row[]));
    child.on('error', reject);
    child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`bench/big.ts exited with ${code} before reporting`))));
  });
}

const msOf = (r: Row | undefined) => {
  const m = r && /^([\d.]+) (ms|s)$/.exec(r.value);
  return m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
};

/** every row of the user path: 4-node create, each size, growth ratios, in-process ratios, 150k pods */
export async function userPath(o: { sizes: number[]; pods: boolean; fourNode: boolean; inProcess: boolean; startAt?: number }, log: (s: string) => void): Promise<Row[]> {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run npm run build first');
  const rows: Row[] = [];
  const section = async (name: string, f: () => Promise<Row[]>) => {
    log(`- ${name} (load ${load()})`);
    const t0 = performance.now();
    try {
      const r = await f();
      rows.push(...r);
      for (const x of r) log(`  ${x.name}: ${x.value}${x.goal ? ` (goal ${x.goal})` : ''} ${x.verdict ?? ''}`);
    } catch (err) {
      rows.push({ name: `user: ${name}`, value: `failed: ${(err as Error).message}` });
      log(`  failed: ${(err as Error).stack}`);
    }
    log(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  };
  if (o.fourNode) await section('create cluster, 4 nodes', () => fourNodeCli(log));
  const figures = new Map<number, SizeFigures>();
  for (const n of o.sizes) {
    await section(`${fmtInt(n)} nodes through the CLI and kubectl`, async () => {
      const r = await sizeRun(n, n === (o.startAt ?? 5000), log);
      figures.set(n, r.figures);
      return r.rows;
    });
    if (o.inProcess && figures.has(n)) {
      await section(`${fmtInt(n)} nodes in-process (memory store, no HTTP) for comparison`, async () => {
        const r = await inProcess(n);
        const f = figures.get(n)!;
        const add = msOf(r.find((x) => /until all Ready/.test(x.name)));
        const ds = msOf(r.find((x) => /until numberAvailable/.test(x.name)));
        const roll = msOf(r.find((x) => /maxUnavailable 10%/.test(x.name)));
        const ratio = (u: number, i: number) => (Number.isFinite(u) && Number.isFinite(i) && i > 0 ? `x${(u / i).toFixed(1)}` : 'n/a');
        return [
          ...r.map((x) => ({ ...x, name: `in-process: ${x.name}`, goal: undefined, verdict: '' })),
          { name: `user path / in-process at ${fmtInt(n)} nodes: add, DaemonSet, rollout`, value: `${ratio(f.add, add)}, ${ratio(f.ds, ds)}, ${ratio(f.rollout, roll)}` },
        ];
      });
    }
  }
  const sizes = o.sizes.filter((n) => figures.has(n));
  if (sizes.length > 1) {
    const growth = (k: keyof SizeFigures) =>
      sizes
        .slice(1)
        .map((n, i) => `x${(figures.get(n)![k] / figures.get(sizes[i])![k]).toFixed(1)}`)
        .join(' -> ');
    const span = sizes.map((n) => `${n / 1000}k`).join(' -> ');
    rows.push({ name: `user: growth ${span} nodes (linear: x${sizes.slice(1).map((n, i) => (n / sizes[i]).toFixed(0)).join(' -> x')}): add nodes`, value: growth('add') });
    rows.push({ name: `user: growth ${span}: DaemonSet create`, value: growth('ds') });
    rows.push({ name: `user: growth ${span}: rolling update`, value: growth('rollout') });
  }
  if (o.pods) await section('5,000 nodes + 150,000 pods', () => pods150k(log));
  return rows;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const i = argv.indexOf('--sizes');
  const sizes = i >= 0 ? argv[i + 1].split(',').map(Number) : [1000, 5000, 10000];
  const j = argv.indexOf('--start-at');
  const startAt = j >= 0 ? Number(argv[j + 1]) : undefined;
  const rows = await userPath({ sizes, pods: argv.includes('--pods150k'), fourNode: !argv.includes('--no-4node'), inProcess: !argv.includes('--no-inprocess'), startAt }, console.log);
  printTable('kindling user path', rows);
  process.exit(0);
}
