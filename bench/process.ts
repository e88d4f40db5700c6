// The process runtime: a 4-node cluster whose containers really run (sandboxed processes).
// Times `kubectl apply` of a DaemonSet with a real command until every pod is Ready, and measures
// what each container costs in memory: the sandbox's launcher (unshare, outside the container)
// plus the container's own processes. Prints figures; asserts nothing.
//   node --import tsx bench/process.ts

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startCluster } from '../src/index.js';
import { R, type KubeObject } from '../src/client/types.js';
import { probeSandbox } from '../src/nodes/process/sandbox.js';
import { KUBECTL_120 } from '../test/helpers/kubectl.js';
import { FOUR_NODE_CONFIG } from './cluster.js';
import { fmtMs, isMain, machine, printTable, until, type Row } from './lib.js';

const ds = (name: string, probe: boolean) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      tolerations: [{operator: Exists}]
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: busybox
        command: ['sh', '-c', 'echo started on $(hostname); exec sleep 3600']
${probe ? "        readinessProbe: {exec: {command: ['true']}, periodSeconds: 1}\n" : ''}`;

function kubectl(kubeconfig: string, args: string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = execFile(KUBECTL_120, ['--kubeconfig', kubeconfig, ...args], (err, out, errOut) => (err ? reject(new Error(errOut || err.message)) : resolve(out)));
    if (stdin !== undefined) c.stdin!.end(stdin);
  });
}

/** kB from a /proc status-like file */
function kb(path: string, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(path, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** per container: the launcher (unshare) and the container's process tree, RSS and PSS in kB */
function sandboxMemory(): { containers: number; launcherRss: number; launcherPss: number; insideRss: number; insidePss: number } {
  const out = { containers: 0, launcherRss: 0, launcherPss: 0, insideRss: 0, insidePss: 0 };
  for (const pid of children(process.pid)) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.includes('sandbox.sh')) continue;
    out.containers++;
    out.launcherRss += kb(`/proc/${pid}/status`, 'VmRSS');
    out.launcherPss += kb(`/proc/${pid}/smaps_rollup`, 'Pss');
    const stack = children(pid);
    while (stack.length) {
      const p = stack.pop()!;
      out.insideRss += kb(`/proc/${p}/status`, 'VmRSS');
      out.insidePss += kb(`/proc/${p}/smaps_rollup`, 'Pss');
      stack.push(...children(p));
    }
  }
  return out;
}

export async function processBench(log: (s: string) => void = () => {}): Promise<Row[]> {
  const missing = probeSandbox();
  if (missing) return [{ name: 'process runtime', value: `not run: ${missing}` }];
  if (!existsSync(KUBECTL_120)) return [{ name: 'process runtime', value: `not run: no kubectl at ${KUBECTL_120} (scripts/get-kubectl.sh)` }];
  const c = await startCluster({ config: FOUR_NODE_CONFIG, runtime: 'process' });
  const rows: Row[] = [];
  try {
    await c.runtime.waitForNodesReady(30_000);
    for (const [name, probe] of [
      ['bench-cmd', false],
      ['bench-probe', true],
    ] as const) {
      const t0 = performance.now();
      await kubectl(c.kubeconfigPath, ['apply', '-f', '-'], ds(name, probe));
      await until(`4 Ready pods of ${name}`, async () => {
        const pods = (await c.client.list<Pod & KubeObject>(R.pods, 'default', { labelSelector: `app=${name}` })).items;
        return pods.length === 4 && pods.every((p) => p.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'));
      }, 60_000, 10);
      const ms = performance.now() - t0;
      rows.push({ name: `process runtime: kubectl apply of a 4-node DaemonSet (sh -c ... exec sleep${probe ? ', exec readiness probe every 1 s' : ''}) until all pods Ready`, value: fmtMs(ms) });
      log(`  ${name}: ${fmtMs(ms)}`);
    }
    const m = sandboxMemory();
    if (m.containers) {
      const per = (kbs: number) => `${(kbs / m.containers / 1024).toFixed(2)} MiB`;
      rows.push({ name: `process runtime: per-container RSS, sandbox launcher (unshare), ${m.containers} containers`, value: per(m.launcherRss) });
      rows.push({ name: 'process runtime: per-container RSS, the container\'s processes (sleep)', value: per(m.insideRss) });
      rows.push({ name: 'process runtime: per-container PSS, launcher + container (shared pages split)', value: per(m.launcherPss + m.insidePss) });
    } else rows.push({ name: 'process runtime: per-container memory', value: 'no sandbox processes found' });
  } finally {
    await c.stop();
  }
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await processBench(console.log);
  printTable(`kindling process runtime bench: ${machine()}`, rows);
  process.exit(0);
}
