// npm run bench [-- --nodes N] [--skip-store] [--skip-etcd] [--skip-process] [--upstream-limits [--limit-nodes N (default 1000)] [--speed X (default 20)]]
// Runs every benchmark and prints one table with the machine it ran on. Figures, never asserts.

import { storeBench } from './store.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliCreate, fourNodeCreate } from './cluster.js';
import { limitedRollout } from './limits.js';
import { etcdRatio } from './etcd.js';
import { processBench } from './process.js';
import { machine, printTable, sectionRunner, type Row } from './lib.js';

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const opt = (f: string, d: number) => {
  const i = argv.indexOf(f);
  return i >= 0 ? Number(argv[i + 1]) : d;
};
const NODES = opt('--nodes', 5000);
const rows: Row[] = [];
const log = (s: string) => console.log(s);
const section = sectionRunner(rows, log);

log(`kindling bench on ${machine()}`);
if (!flag('--skip-store')) await section('store', () => storeBench(20_000));
await section('4-node cluster, in-process', () => fourNodeCreate(3));
await section('4-node cluster, CLI', () => cliCreate());
if (!flag('--skip-process')) await section('process runtime, 4 nodes (real containers)', () => processBench());
// the 5,000-node phase runs in a fresh child process (--expose-gc), so its memory figures hold
// only that scenario, not the store benchmark or the 4-node clusters above
await section(`add ${NODES} nodes, DaemonSet, memory, reads, writes (child process)`, () => bigPhase(NODES));
if (!flag('--skip-etcd')) await section('DaemonSet on 1,000 nodes: etcd vs the embedded store', () => etcdRatio(1000, log));
if (flag('--upstream-limits')) {
  await section('upstream client limits', () => limitedRollout(opt('--limit-nodes', 1000), opt('--speed', 20), log));
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
