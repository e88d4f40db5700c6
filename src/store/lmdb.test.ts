import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, storeConformance } from './conformance.js';
import { LmdbStore } from './lmdb.js';
import type { Store, WatchEvent } from './types.js';

const dirs = new Map<Store, string>();

storeConformance(
  'lmdb',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-lmdb-'));
    const s = await LmdbStore.open(join(dir, 'db'));
    dirs.set(s, dir);
    return s;
  },
  async (s) => {
    rmSync(dirs.get(s)!, { recursive: true, force: true });
    dirs.delete(s);
  },
);

describe('LmdbStore persistence', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('reopens with the same values, revisions and current revision; old history is compacted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-lmdb-'));
    const path = join(dir, 'db');
    const s1 = await LmdbStore.open(path);
    await s1.create('/registry/core/pods/ns/a', 'a1');
    await s1.create('/registry/core/pods/ns/b', 'b1');
    await s1.update('/registry/core/pods/ns/a', 'a2');
    await s1.create('/registry/core/nodes/n1', 'n1');
    await s1.delete('/registry/core/nodes/n1'); // the last write leaves no key: revision must still persist
    await s1.close();

    const s2 = await LmdbStore.open(path);
    expect(await s2.currentRevision()).toBe(5);
    expect(await s2.compactedRevision()).toBe(5);
    expect((await s2.list('/registry/')).items).toEqual([
      { key: '/registry/core/pods/ns/a', value: 'a2', createRevision: 1, modRevision: 3 },
      { key: '/registry/core/pods/ns/b', value: 'b1', createRevision: 2, modRevision: 2 },
    ]);
    expect(await s2.count('/registry/core/nodes/')).toBe(0);
    // history before the restart is gone; the present is watchable and writable
    await expect(s2.list('/registry/', { revision: 4 })).rejects.toThrow(/compacted/);
    const got: WatchEvent[] = [];
    s2.watch('/registry/', { afterRevision: 5 }, (ev) => got.push(ev));
    expect(await s2.update('/registry/core/pods/ns/b', 'b2', 2)).toBe(6);
    await eventually(() => expect(got.map((e) => e.revision)).toEqual([6]));
    await s2.close();

    const s3 = await LmdbStore.open(path);
    expect((await s3.get('/registry/core/pods/ns/b'))?.value).toBe('b2');
    expect(await s3.currentRevision()).toBe(6);
    await s3.close();
  });

  it('publishes a write to watchers only once it is on disk', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-lmdb-'));
    const s = await LmdbStore.open(join(dir, 'db'));
    const got: WatchEvent[] = [];
    s.watch('/registry/', {}, (ev) => got.push(ev));
    const write = s.create('/registry/core/pods/ns/a', 'x');
    for (let i = 0; i < 20; i++) await Promise.resolve();
    // the commit needs at least a turn of the event loop and the write thread
    expect(got).toEqual([]);
    // but reads see the write at once (it decides later compare-and-swap)
    expect((await s.get('/registry/core/pods/ns/a'))?.value).toBe('x');
    await write;
    await eventually(() => expect(got).toHaveLength(1));
    await s.close();
  });

  it('refuses keys too long for LMDB without disturbing other writes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-lmdb-'));
    const s = await LmdbStore.open(join(dir, 'db'));
    const ok = s.create('/registry/core/pods/ns/a', 'x');
    await expect(s.create('/registry/core/pods/ns/' + 'n'.repeat(3000), 'x')).rejects.toThrow(/key too long for lmdb/);
    expect(await ok).toBe(1);
    expect(await s.create('/registry/core/pods/ns/b', 'x')).toBe(2);
    await s.close();
  });

  it('close waits for writes still being committed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-lmdb-'));
    const path = join(dir, 'db');
    const s = await LmdbStore.open(path);
    const writes = Array.from({ length: 100 }, (_, i) => s.create(`/registry/core/pods/ns/p${i}`, String(i)));
    await s.close();
    await Promise.all(writes);
    const again = await LmdbStore.open(path);
    expect(await again.count('/registry/core/pods/')).toBe(100);
    await again.close();
  });
});
