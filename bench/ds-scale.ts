// DaemonSet scale driver: node --import tsx bench/ds-scale.ts [--nodes N] [--timeout ms] [--no-rollouts] [--mem] [--heap file]
// Adds N workers, waits for them Ready and for the kube-system DaemonSets, then creates a
// DaemonSet over every node and rolls it out (maxUnavailable 10%, then maxSurge 10%).
// Prints each phase's time and the RSS (--mem: the store's share of it); asserts nothing. Profile with
// node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/ds-scale.ts --nodes 1000

import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { addNodes, daemonSetRollouts, rss } from './cluster.js';
import { fmtMs, printTable, machine, type Row } from './lib.js';

const argv = process.argv.slice(2);
const opt = (f: string, d: number) => {
  const i = argv.indexOf(f);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const nodes = opt('--nodes', 1000);
const timeout = opt('--timeout', 120_000);
const log = (s: string) => console.log(s);
const rows: Row[] = [];
const t0 = performance.now();
const { rows: addRows, big } = await addNodes(nodes, log);
rows.push(...addRows);
for (const r of addRows) log(`${r.name}: ${r.value}`);
rows.push(rss(`RSS with ${big.nodes} nodes and kube-system DaemonSets`));
if (!argv.includes('--no-rollouts')) {
  const r = await daemonSetRollouts(big.cluster.client, big.nodes, '', timeout);
  rows.push(...r);
  rows.push(rss(`RSS with a DaemonSet on ${big.nodes} nodes`, 1024 ** 3));
}
log(`total ${fmtMs(performance.now() - t0)}`);
if (argv.includes('--mem')) memReport(big.cluster.runtime.store);
if (argv.includes('--heap')) log(`heap snapshot: ${writeHeapSnapshot(argv[argv.indexOf('--heap') + 1])}`);

/** where the memory goes: the store's values by resource and its event log (strings counted once) */
function memReport(store: unknown): void {
  const s = store as { values?: Map<string, { value: string }>; log?: { kv: { value: string }; prevKv?: { value: string } }[]; logHead?: number };
  if (!s.values || !s.log) return log('(not a MemoryStore)');
  const by = new Map<string, [number, number]>();
  for (const [k, kv] of s.values) {
    const b = k.split('/').slice(0, 4).join('/');
    const e = by.get(b) ?? [0, 0];
    e[0]++;
    e[1] += kv.value.length;
    by.set(b, e);
  }
  for (const [b, [n, bytes]] of [...by].sort((a, b) => b[1][1] - a[1][1]).slice(0, 8)) log(`  store ${b}: ${n} keys, ${(bytes / 2 ** 20).toFixed(1)} MiB of JSON`);
  const seen = new Set<string>();
  let bytes = 0;
  const live = s.log.slice(s.logHead ?? 0);
  for (const ev of live) for (const v of [ev.kv.value, ev.prevKv?.value]) if (v !== undefined && !seen.has(v)) (seen.add(v), (bytes += v.length));
  for (const sp of getHeapSpaceStatistics()) if (sp.space_size > 8 * 2 ** 20) log(`  v8 ${sp.space_name}: size ${(sp.space_size / 2 ** 20).toFixed(0)} MiB, used ${(sp.space_used_size / 2 ** 20).toFixed(0)} MiB`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    log(`  after a full GC (node --expose-gc): heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  }
  log(`  store log: ${live.length} events, ${(bytes / 2 ** 20).toFixed(1)} MiB of distinct JSON; heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
}
printTable(`ds-scale --nodes ${nodes}: ${machine()}`, rows);
await big.cluster.stop();
process.exit(0);
