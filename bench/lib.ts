// Shared bits of the benchmarks: result rows, the machine, a printed table. Figures are
// printed, never asserted.

import { cpus, totalmem } from 'node:os';

export interface Row {
  /** what was measured */
  name: string;
  /** the figure, formatted */
  value: string;
  /** the goal, when there is one (e.g. "< 0.5 s") */
  goal?: string;
  /** met / missed / '' */
  verdict?: string;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** a row with a goal in ms: verdict "met" when below */
export function timed(name: string, ms: number, goalMs?: number): Row {
  return { name, value: fmtMs(ms), goal: goalMs === undefined ? undefined : `< ${fmtMs(goalMs)}`, verdict: goalMs === undefined ? '' : ms < goalMs ? 'met' : 'MISSED' };
}

export function machine(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'unknown cpu'}, ${c.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, node ${process.version}, ${process.platform}/${process.arch}`;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function printTable(title: string, rows: Row[]): void {
  const w = [Math.max(9, ...rows.map((r) => r.name.length)), Math.max(6, ...rows.map((r) => r.value.length)), Math.max(4, ...rows.map((r) => (r.goal ?? '').length))];
  console.log(`\n${title}`);
  console.log(`${'benchmark'.padEnd(w[0])}  ${'figure'.padStart(w[1])}  ${'goal'.padEnd(w[2])}  `);
  console.log(`${'-'.repeat(w[0])}  ${'-'.repeat(w[1])}  ${'-'.repeat(w[2])}  ------`);
  for (const r of rows) console.log(`${r.name.padEnd(w[0])}  ${r.value.padStart(w[1])}  ${(r.goal ?? '').padEnd(w[2])}  ${r.verdict ?? ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** poll fn until it returns true; throws after timeoutMs */
export async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** true when this module is the script node was started with */
export function isMain(url: string): boolean {
  return !!process.argv[1] && url === new URL(`file://${process.argv[1]}`).href;
}

/**
 * a runner of named bench sections: each prints its rows as they come and adds them to
 * `rows`; a section that throws becomes a "failed" row instead of ending the run
 */
export function sectionRunner(rows: Row[], log: (s: string) => void) {
  return async (name: string, f: () => Promise<Row[]> | Row[]): Promise<void> => {
    log(`- ${name}`);
    const t0 = performance.now();
    try {
      const r = await f();
      rows.push(...r);
      for (const x of r) log(`  ${x.name}: ${x.value}${x.goal ? ` (goal ${x.goal})` : ''}`);
    } catch (e) {
      rows.push({ name, value: `failed: ${(e as Error).message}` });
      log(`  failed: ${(e as Error).stack}`);
    }
    log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };
}
