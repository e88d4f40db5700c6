// Child process for lmdb.durability.test.ts: writes to an LmdbStore as fast as it can and
// prints one line per acknowledged write, until it is killed.
//   node --import tsx durability-child.ts <db path> <writers>
// Lines: `ack create <key> <value> <rev>`, `ack update <key> <value> <rev>`, `ack delete <key> - <rev>`.

import { LmdbStore } from './lmdb.js';

const [path, writersArg] = process.argv.slice(2);
if (!path) throw new Error('usage: durability-child.ts <db path> [writers]');
const writers = Number(writersArg ?? 20);

const store = await LmdbStore.open(path);
const ack = (line: string) => process.stdout.write(`ack ${line}\n`);

async function writer(w: number): Promise<void> {
  const counter = `/registry/test/counters/w${w}`;
  await store.create(counter, '0');
  for (let i = 1; ; i++) {
    const key = `/registry/core/pods/w${w}/p${i}`;
    const value = JSON.stringify({ w, i, pad: 'x'.repeat(200) });
    ack(`create ${key} ${value} ${await store.create(key, value)}`);
    ack(`update ${counter} ${i} ${await store.update(counter, String(i))}`);
    if (i % 3 === 0) {
      const gone = `/registry/core/pods/w${w}/p${i - 1}`;
      ack(`delete ${gone} - ${(await store.delete(gone)).revision}`);
    }
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
