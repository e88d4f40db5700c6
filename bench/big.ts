// The 5,000-node phase of `npm run bench`, in a fresh child process started with --expose-gc
// (node --expose-gc --import tsx bench/big.ts --nodes N; run.ts starts it and collects the rows
// over IPC). Order: add N workers, a DaemonSet over every node and its two rollouts, then the
// memory of exactly that scenario (N+1 nodes, the kube-system DaemonSets, the DaemonSet: live
// heap after a full GC, and RSS), then reads and writes over HTTPS and the RSS after them.
// Prints figures; asserts nothing. --rollouts-only stops after the DaemonSet's phases (the
// in-process rows bench/userpath.ts compares the user path with).

import { addNodes, daemonSetRollouts, httpReads, memoryRows, rss, writes } from './cluster.js';
import { sectionRunner, type Row } from './lib.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--nodes');
const NODES = i >= 0 ? Number(argv[i + 1]) : 5000;
const rows: Row[] = [];
const log = (s: string) => console.log(s);
const section = sectionRunner(rows, log);

let big: Awaited<ReturnType<typeof addNodes>>['big'] | undefined;
await section(`add ${NODES} nodes (fresh process)`, async () => {
  const r = await addNodes(NODES, log);
  big = r.big;
  return r.rows;
});
if (big) {
  const b = big;
  await section('DaemonSet over every node', () => daemonSetRollouts(b.cluster.client, b.nodes, ''));
  if (!argv.includes('--rollouts-only')) {
    await section(`memory: ${b.nodes} nodes, kube-system DaemonSets and one DaemonSet, nothing else`, () =>
      memoryRows(`with a DaemonSet on ${b.nodes} nodes (only)`, 1024 ** 3),
    );
    await section('reads over HTTPS', () => httpReads(b));
    await section('writes', () => writes(b));
    rows.push(rss(`server RSS with ${b.nodes} nodes and the DaemonSet, after reads and 15,000 writes`));
  }
  await b.cluster.stop();
}
if (process.send) process.send(rows, () => process.exit(0));
else process.exit(0);
