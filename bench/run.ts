// npm run bench [-- --only a,b,...] [--nodes N] [--skip-store] [--skip-etcd] [--skip-process]
//                 [--upstream-limits [--limit-nodes N (default 1000)] [--speed X (default 20)]]
//                 [--user-sizes 1000,5000,10000] [--user-pods150k]
// Runs the benchmarks and prints one table with the machine it ran on. Figures, never asserts.
// Sections (--only picks some; each says how long it took when it ends):
//   store      the stores' raw speed                                  ~20 s
//   cluster    4-node cluster in-process and through the CLI          ~10 s
//   process    the process runtime (real containers)                  ~20 s
//   big        N nodes in-process: add, DaemonSet, memory, reads      ~1-2 min at 5,000
//   etcd       DaemonSet on 1,000 nodes, etcd vs the embedded store   ~1 min
//   limits     rollout under upstream's client limits (--upstream-limits)
//   user       the user's path: built CLI + kubectl on a served LMDB cluster at 1k, 5k, 10k
//              nodes (+ in-process at each for the ratio), start with 50,000 objects, and
//              with --user-pods150k 150,000 pods on 5,000 nodes   ~15-25 min (only with --only user)

import { storeBench } from './store.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCreate, fourNodeCreate } from './cluster.js';
import { limitedRollout } from './limits.js';
import { etcdRatio } from './etcd.js';
import { processBench } from './process.js';
import { userPath } from './userpath.js';
import { machine, printTable, sectionRunner, type Row } from './lib.js';

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const opt = (f: string, d: number) => {
  const i = argv.indexOf(f);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set(argv[onlyArg + 1].split(',')) : undefined;
/** a section runs when picked by --only, else unless skipped (user and limits only when asked) */
const wanted = (name: string, byDefault = true) => (only ? only.has(name) : byDefault && !flag(`--skip-${name}`));
const NODES = opt('--nodes', 5000);
const rows: Row[] = [];
const log = (s: string) => console.log(s);
const section = sectionRunner(rows, log);

log(`kindling bench on ${machine()}`);
if (wanted('store')) await section('store', () => storeBench(20_000));
if (wanted('cluster')) {
  await section('4-node cluster, in-process', () => fourNodeCreate(3));
  await section('4-node cluster, CLI', () => cliCreate());
}
if (wanted('process')) await section('process runtime, 4 nodes (real containers)', () => processBench());
// the 5,000-node phase runs in a fresh child process (--expose-gc), so its memory figures hold
// only that scenario, not the store benchmark or the 4-node clusters above
if (wanted('big')) await section(`add ${NODES} nodes, DaemonSet, memory, reads, writes (child process)`, () => bigPhase(NODES));
if (wanted('etcd')) await section('DaemonSet on 1,000 nodes: etcd vs the embedded store', () => etcdRatio(1000, log));
if (wanted('limits', flag('--upstream-limits'))) {
  await section('upstream client limits', () => limitedRollout(opt('--limit-nodes', 1000), opt('--speed', 20), log));
}
if (wanted('user', false)) {
  const i = argv.indexOf('--user-sizes');
  const sizes = i >= 0 ? argv[i + 1].split(',').map(Number) : [1000, 5000, 10000];
  await section('user path: built CLI and kubectl, served cluster on LMDB', () => userPath({ sizes, pods: flag('--user-pods150k'), fourNode: true, inProcess: true }, log));
}
printTable(`kindling bench: ${machine()}`, rows);
process.exit(0);

function bigPhase(nodes: number): Promise<Row[]> {
  const script = fileURLToPath(new URL('./big.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    let got: Row[] | undefined;
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, '--nodes', String(nodes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.on('message', (m) => (got = m as Row[]));
    child.on('error', reject);
    child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`bench/big.ts exited with ${code} before reporting`))));
  });
}
