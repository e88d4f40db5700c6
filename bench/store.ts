// Store throughput: creates/second with 1, 10 and 200 concurrent writers, and the time to
// list 5,000 keys, for the memory and lmdb backends. Prints figures; asserts nothing.
//   node --import tsx bench/store.ts [creates per run, default 20000]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbStore } from '../src/store/lmdb.js';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/types.js';
import { fmtInt, isMain, type Row } from './lib.js';
const VALUE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'x', namespace: 'default', labels: { app: 'bench' } },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], nodeName: 'node-1' },
  pad: 'x'.repeat(800),
}); // ~1 KB

interface Backend {
  name: string;
  open(): Promise<{ store: Store; dispose(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    async open() {
      const store = new MemoryStore();
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'lmdb',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'kindling-bench-'));
      const store = await LmdbStore.open(join(dir, 'db'));
      return {
        store,
        async dispose() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

async function writes(store: Store, writers: number, total: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < total; i = next++) {
        await store.create(`/registry/core/pods/ns${i % 50}/pod-${i}`, VALUE);
      }
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

async function listTime(store: Store): Promise<{ ms: number; items: number }> {
  for (let i = 0; i < 5000; i++) void store.create(`/registry/core/nodes/node-${String(i).padStart(5, '0')}`, VALUE);
  await store.create('/registry/core/nodes/zz-last', VALUE);
  const runs = 20;
  let items = 0;
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) items = (await store.list('/registry/core/nodes/')).items.length;
  return { ms: (performance.now() - t0) / runs, items };
}

/** the store figures as rows; log gets one line per figure as it is measured */
export async function storeBench(creates = 20_000, log: (line: string) => void = () => {}): Promise<Row[]> {
  const rows: Row[] = [];
  log(`store bench: ${fmtInt(creates)} creates of ${VALUE.length} B values per run`);
  for (const b of backends) {
    for (const writers of [1, 10, 200]) {
      // one writer at a time against a durable disk is fsync-bound: fewer creates keep it short
      const total = b.name === 'lmdb' && writers === 1 ? Math.min(creates, 1000) : creates;
      const { store, dispose } = await b.open();
      const rate = await writes(store, writers, total);
      log(`${b.name.padEnd(6)} ${String(writers).padStart(3)} writers: ${fmtInt(rate).padStart(9)} creates/s  (${fmtInt(total)} creates)`);
      rows.push({ name: `store ${b.name}: creates/s, ${writers} writers (${fmtInt(total)} x 1 KB)`, value: fmtInt(rate) });
      await dispose();
    }
    const { store, dispose } = await b.open();
    const { ms, items } = await listTime(store);
    log(`${b.name.padEnd(6)} list of ${fmtInt(items)} keys: ${ms.toFixed(2)} ms`);
    rows.push({ name: `store ${b.name}: list of ${fmtInt(items)} keys`, value: `${ms.toFixed(2)} ms` });
    await dispose();
  }
  return rows;
}

if (isMain(import.meta.url)) await storeBench(Number(process.argv[2] ?? 20_000), console.log);
