// DaemonSet scale driver: node --import tsx bench/ds-scale.ts [--nodes N] [--timeout ms] [--no-rollouts]
// Adds N workers, waits for them Ready and for the kube-system DaemonSets, then creates a
// DaemonSet over every node and rolls it out (maxUnavailable 10%, then maxSurge 10%).
// Prints each phase's time and the RSS; asserts nothing. Profile with
// node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/ds-scale.ts --nodes 1000

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
printTable(`ds-scale --nodes ${nodes}: ${machine()}`, rows);
await big.cluster.stop();
process.exit(0);
