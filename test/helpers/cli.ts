// The built `kindling` command (dist/cli/main.js) for end-to-end tests, each with its own
// KINDLING_HOME and KUBECONFIG. ensureBuilt() runs `npm run build` when dist is older than src.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(new URL('../..', import.meta.url).pathname);
export const CLI = join(repoRoot, 'dist/cli/main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  home: string;
  kubeconfig: string;
  env: Record<string, string>;
}

/** a fresh KINDLING_HOME and KUBECONFIG */
export function cliEnv(): CliEnv {
  const home = mkdtempSync(join(tmpdir(), 'kindling-home-'));
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kindling-kc-')), 'config');
  return { home, kubeconfig, env: { KINDLING_HOME: home, KUBECONFIG: kubeconfig, KIND_CLUSTER_NAME: '' } };
}

export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((res) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? repoRoot, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => res({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0, stdout, stderr }),
    );
  });
}

/** run `node dist/cli/main.js args...` */
export function kindling(e: CliEnv, ...args: string[]): Promise<CliResult> {
  return run(process.execPath, [CLI, ...args], { env: e.env });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestMtime(p));
    // sources of the CLI and of the web view's bundle (src/ui/web: .tsx, .css, .html)
    else if (/\.(ts|tsx|css|html)$/.test(ent.name) && !ent.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** build dist when it is missing or older than src (one build at a time across test files) */
export async function ensureBuilt(): Promise<void> {
  const lock = join(repoRoot, '.cache', 'build.lock');
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another test file is building; a lock older than 5 minutes is stale
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmdirSync(lock);
      } catch {
        // gone meanwhile
      }
      await sleep(200);
    }
  }
  try {
    const stale = !existsSync(CLI) || statSync(CLI).mtimeMs < newestMtime(join(repoRoot, 'src'));
    if (!stale) return;
    const r = await run('npm', ['run', 'build'], { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`npm run build failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
