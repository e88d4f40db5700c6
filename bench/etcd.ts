// The DaemonSet-on-1,000-nodes figure on etcd beside the embedded store's, as a ratio measured
// in one run: one etcd member (Debian's etcd 3.4 through test/helpers/etcd.ts), then for each
// store (lmdb://<tmpdir>, the embedded default, and etcd://...) an in-process cluster with 1,000
// workers; once every node is Ready and the kube-system DaemonSets have settled, a DaemonSet is
// created and timed until numberAvailable = 1,000. Prints both times and etcd/embedded.
// Alone: node --import tsx bench/etcd.ts [--workers N] [--timeout ms]. Figures, never asserts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { startCluster } from '../src/index.js';
import { R, type KubeObject } from '../src/client/types.js';

type DS = DaemonSet & KubeObject;
import { startEtcd } from '../test/helpers/etcd.js';
import { daemonSet } from './cluster.js';
import { fmtInt, fmtMs, isMain, machine, printTable, until, type Row } from './lib.js';

interface Run {
  ms?: number;
  note?: string;
}

async function dsOnWorkers(storeUrl: string, workers: number, timeoutMs: number, log: (s: string) => void): Promise<Run> {
  const t0 = performance.now();
  const cluster = await startCluster({ workers, storeUrl });
  try {
    const client = cluster.client;
    await cluster.runtime.waitForNodesReady(timeoutMs);
    await until('kube-system DaemonSets on every node', async () => {
      const l = await client.list<DS>(R.daemonsets, 'kube-system');
      return l.items.length > 0 && l.items.every((d) => d.status?.numberAvailable === workers + 1);
    }, timeoutMs, 200).catch(() => log(`  ${storeUrl}: kube-system DaemonSets not settled; timing anyway`));
    log(`  ${storeUrl}: ${fmtInt(workers)} workers Ready and settled after ${fmtMs(performance.now() - t0)}`);
    const name = 'bench-etcd-ds';
    const start = performance.now();
    await client.create(R.daemonsets, 'default', daemonSet(name, 'registry.k8s.io/pause:3.9'));
    try {
      await until(`numberAvailable = ${workers}`, async () => (await client.get<DS>(R.daemonsets, 'default', name)).status?.numberAvailable === workers, timeoutMs, 50);
      return { ms: performance.now() - start };
    } catch {
      const s = (await client.get<DS>(R.daemonsets, 'default', name)).status;
      return { note: `> ${fmtMs(performance.now() - start)} (stopped at numberAvailable ${s?.numberAvailable ?? 0})` };
    }
  } finally {
    await cluster.stop();
  }
}

/** both stores in this run: the two times and the ratio etcd/embedded */
export async function etcdRatio(workers = 1000, log: (s: string) => void = console.log, timeoutMs = 300_000): Promise<Row[]> {
  const etcd = await startEtcd(1);
  const dir = mkdtempSync(join(tmpdir(), 'kindling-bench-lmdb-'));
  try {
    const label = `DaemonSet on ${fmtInt(workers)} nodes until numberAvailable = ${fmtInt(workers)}`;
    const embedded = await dsOnWorkers(`lmdb://${dir}`, workers, timeoutMs, log);
    const onEtcd = await dsOnWorkers(etcd.storeUrl(), workers, timeoutMs, log);
    const fmt = (r: Run) => (r.ms !== undefined ? fmtMs(r.ms) : r.note!);
    return [
      { name: `${label}, embedded store (lmdb)`, value: fmt(embedded) },
      { name: `${label}, etcd (1 member, loopback)`, value: fmt(onEtcd) },
      {
        name: `  ratio etcd / embedded (same run)`,
        value: embedded.ms !== undefined && onEtcd.ms !== undefined ? `${(onEtcd.ms / embedded.ms).toFixed(2)}x` : 'n/a (a run did not finish)',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await etcd.stop();
  }
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (f: string, d: number) => (argv.includes(f) ? Number(argv[argv.indexOf(f) + 1]) : d);
  const rows = await etcdRatio(opt('--workers', 1000), console.log, opt('--timeout', 300_000));
  printTable(`kindling bench, etcd vs embedded: ${machine()}`, rows);
  process.exit(0);
}
