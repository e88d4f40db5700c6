// Container log files in the CRI format the kubelet reads ("<RFC3339Nano> <stream> F <line>").

import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface LogLine {
  /** ms since the epoch */
  at: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

const nanoTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

/** splits a stream into lines and appends them to path, stamped with now() */
export class LogWriter {
  private partial: Record<string, string> = { stdout: '', stderr: '' };
  constructor(
    readonly path: string,
    private readonly now: () => number,
  ) {}

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    if (parts.length) appendFileSync(this.path, parts.map((l) => `${nanoTime(this.now())} ${stream} F ${l}\n`).join(''));
  }

  /** the stream ended: a last line without newline is written as a partial line */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) appendFileSync(this.path, `${nanoTime(this.now())} ${stream} P ${this.partial[stream]}\n`);
      this.partial[stream] = '';
    }
  }
}

export function readLogFile(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  const out: LogLine[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const m = /^(\S+) (stdout|stderr) [FP] (.*)$/.exec(raw);
    if (m) out.push({ at: Date.parse(m[1]), stream: m[2] as 'stdout' | 'stderr', text: m[3] });
  }
  return out;
}
