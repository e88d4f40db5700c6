// Shared pieces for the seed tutorials as tests (test/tutorials/00N-*.test.ts): a fresh cluster per
// kubectl, the kindling CLI (for `kind ...` steps), the examples/ manifests, and the shell pipes the
// tutorials use (grep, head, tail, wc -l) applied to kubectl's output.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCluster, type StartClusterOptions, type StartedCluster } from '../../src/index.js';
import { R } from '../../src/client/types.js';
import { eventually } from '../helpers/kubectl.js';

export const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** the text of examples/<path> */
export function example(path: string): string {
  return readFileSync(EXAMPLES + path, 'utf8');
}

/** start a fresh cluster and wait until its nodes are Ready and the kube-system DaemonSets are available on all of them */
export async function startTutorialCluster(o: StartClusterOptions): Promise<StartedCluster> {
  const cluster = await startCluster(o);
  await cluster.runtime.waitForNodesReady(30_000);
  await waitForSystemDaemonSets(cluster, cluster.nodes.length);
  return cluster;
}

export async function waitForSystemDaemonSets(cluster: { client: StartedCluster['client'] }, nodes: number): Promise<void> {
  await eventually(async () => {
    const list = await cluster.client.list<any>(R.daemonsets, 'kube-system');
    return list.items.length >= 2 && list.items.every((ds) => ds.status?.numberAvailable === nodes);
  }, 30_000);
}

/** run the kindling CLI (from source, through tsx) the way a user runs `kind` */
export function kindling(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, KIND_CLUSTER_NAME: '', ...env }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `grep PATTERN [-A n]` over text (fixed string, as the tutorials use it); '--' between groups as grep prints it */
export function grep(text: string, pattern: string, after = 0): string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(pattern)) continue;
    const from = Math.max(i, last + 1);
    if (after > 0 && last >= 0 && from > last + 1) out.push('--');
    const to = Math.min(lines.length - 1, i + after);
    for (let j = from; j <= to; j++) out.push(lines[j]);
    last = Math.max(last, to);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** `head -n N` */
export function head(text: string, n: number): string {
  return text.split('\n').slice(0, n).join('\n') + (text.split('\n').length > n ? '\n' : '');
}

/** `tail -n N` of newline-terminated text */
export function tail(text: string, n: number): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.slice(-n).join('\n') + '\n';
}

/** `wc -l` */
export function wcL(text: string): number {
  return (text.match(/\n/g) ?? []).length;
}

/** the rows (without header) of a table whose first cell starts with prefix */
export function rowsNamed(rows: string[][], prefix: string): string[][] {
  return rows.slice(1).filter((r) => r[0].startsWith(prefix));
}
