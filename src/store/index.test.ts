import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LmdbStore, MemoryStore, openStore } from './index.js';

describe('openStore', () => {
  it('memory:// is a MemoryStore', async () => {
    const s = await openStore('memory://');
    expect(s).toBeInstanceOf(MemoryStore);
    expect(s).not.toBeInstanceOf(LmdbStore);
    await s.close();
  });

  it('lmdb:///abs/path and a bare path open the same LMDB store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-open-'));
    try {
      const a = await openStore(`lmdb://${join(dir, 'db')}`);
      expect(a).toBeInstanceOf(LmdbStore);
      expect((a as LmdbStore).path).toBe(join(dir, 'db'));
      await a.create('/registry/core/pods/ns/a', 'x');
      await a.close();
      const b = await openStore(join(dir, 'db'));
      expect((await b.get('/registry/core/pods/ns/a'))?.value).toBe('x');
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown schemes with a clear message', async () => {
    await expect(openStore('redis://127.0.0.1:6379')).rejects.toThrow(
      'unsupported store URL "redis://127.0.0.1:6379": scheme "redis://" is not one of memory://, lmdb://, etcd://',
    );
    await expect(openStore('')).rejects.toThrow(/empty/);
  });
});
