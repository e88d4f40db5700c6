// Crash test: a child process writes to an LmdbStore and reports each acknowledged write;
// we SIGKILL it mid-stream, reopen the store, and every acknowledged write must be there.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LmdbStore } from './lmdb.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Acked {
  creates: Map<string, string>;
  deletes: Set<string>;
  counters: Map<string, number>;
  maxRevision: number;
  count: number;
}

/** run the writer child until it has acknowledged `acks` writes, then kill -9 it */
async function crashAfter(dbPath: string, acks: number): Promise<Acked> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'durability-child.ts'), dbPath, '20'], {
    cwd: join(here, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acked: Acked = { creates: new Map(), deletes: new Set(), counters: new Map(), maxRevision: 0, count: 0 };
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let buf = '';
  let killed = false;
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const [tag, op, key, value, rev] = line.split(' ');
      if (tag !== 'ack' || !key || value === undefined) continue;
      acked.count++;
      acked.maxRevision = Math.max(acked.maxRevision, Number(rev));
      if (op === 'create') acked.creates.set(key, value);
      else if (op === 'delete') acked.deletes.add(key);
      else acked.counters.set(key, Math.max(acked.counters.get(key) ?? 0, Number(value)));
      if (acked.count >= acks && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  const signal = await exited;
  expect(signal, `child ended without being killed; stderr: ${stderr}`).toBe('SIGKILL');
  return acked;
}

describe('LmdbStore durability', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write across kill -9, twice over', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-durability-'));
    const dbPath = join(dir, 'db');

    for (const round of [1, 2]) {
      const acked = await crashAfter(dbPath, 1500);
      expect(acked.count).toBeGreaterThanOrEqual(1500);
      const s = await LmdbStore.open(dbPath);
      try {
        expect(await s.currentRevision()).toBeGreaterThanOrEqual(acked.maxRevision);
        for (const [key, value] of acked.creates) {
          if (acked.deletes.has(key)) {
            expect(await s.get(key), `${key} was deleted`).toBeUndefined();
          } else {
            expect((await s.get(key))?.value, `${key} (round ${round})`).toBe(value);
          }
        }
        for (const [key, n] of acked.counters) {
          // the last acknowledged update is there, or a later one that was written but not yet acked
          expect(Number((await s.get(key))?.value), key).toBeGreaterThanOrEqual(n);
        }
        // clear the writer keys so the next round's child can create them again
        await Promise.all((await s.list('/registry/')).items.map((kv) => s.delete(kv.key)));
        expect(await s.count('/registry/')).toBe(0);
      } finally {
        await s.close();
      }
    }
  });
});
