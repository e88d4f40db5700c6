// Real kubectl binaries for end-to-end tests: Debian's kubectl 1.20 (fetched by
// scripts/get-kubectl.sh into .cache/) always, and a current kubectl found on PATH as a
// second client. Each run gets its own HOME so discovery caches never leak between tests.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

export interface Kubectl {
  /** e.g. '1.20' or '1.32' */
  version: string;
  path: string;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

export const KUBECTL_120 = join(repoRoot, '.cache/kubectl-1.20/usr/bin/kubectl');

/** the kubectl binaries to test with: 1.20 (required) and the one on PATH, if it is a different, newer one */
export function kubectls(): Kubectl[] {
  if (!existsSync(KUBECTL_120)) {
    throw new Error(`kubectl 1.20 not found at ${KUBECTL_120}: run scripts/get-kubectl.sh (npm test does it through pretest)`);
  }
  const out: Kubectl[] = [{ version: '1.20', path: KUBECTL_120 }];
  const onPath = process.env.KINDLING_KUBECTL ?? which('kubectl');
  if (onPath && resolve(onPath) !== KUBECTL_120) out.push({ version: '1.32', path: onPath });
  return out;
}

export class KubectlRunner {
  readonly home: string;
  constructor(
    readonly kubectl: Kubectl,
    readonly kubeconfig: string,
  ) {
    this.home = mkdtempSync(join(tmpdir(), `kindling-kubectl-${kubectl.version}-`));
  }

  /** run kubectl with args; never throws on a non-zero exit */
  run(args: string[], opts: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<KubectlResult> {
    return new Promise((resolvePromise) => {
      const child = execFile(
        this.kubectl.path,
        args,
        {
          env: { PATH: process.env.PATH ?? '', HOME: this.home, KUBECONFIG: this.kubeconfig, ...opts.env },
          timeout: opts.timeoutMs ?? 60_000,
          maxBuffer: 64 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
          resolvePromise({ stdout: stdout.toString(), stderr: stderr.toString(), code });
        },
      );
      if (opts.stdin !== undefined) {
        child.stdin?.end(opts.stdin);
      }
    });
  }

  /** run and expect success; returns stdout */
  async ok(args: string[], opts: { stdin?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** start a long-running kubectl (e.g. get -w); collect its output */
  spawn(args: string[]): { child: ChildProcess; output: () => string; stop: () => void } {
    const child = spawn(this.kubectl.path, args, {
      env: { PATH: process.env.PATH ?? '', HOME: this.home, KUBECONFIG: this.kubeconfig },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.stderr.on('data', (d) => (out += d.toString()));
    return { child, output: () => out, stop: () => child.kill('SIGTERM') };
  }

  /** write a manifest file in this runner's HOME and return its path */
  file(name: string, content: string): string {
    const p = join(this.home, name);
    writeFileSync(p, content);
    return p;
  }
}

/** split kubectl's table output into rows of cells (columns separated by 2+ spaces) */
export function parseTable(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s{2,}/));
}

/** wait until fn returns a truthy value or time runs out */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
