import { describe, expect, it } from 'vitest';
import { eventually, storeConformance } from './conformance.js';
import { MemoryStore, StoreClosedError } from './memory.js';
import { CompactedError, type WatchEvent } from './types.js';

storeConformance('memory', async () => new MemoryStore());

describe('MemoryStore specifics', () => {
  it('compacts automatically to keep about historyLimit events', async () => {
    const s = new MemoryStore({ historyLimit: 100 });
    for (let i = 0; i < 1000; i++) await s.create(`/registry/core/pods/ns/p${i}`, 'x');
    const compacted = await s.compactedRevision();
    expect(compacted).toBeGreaterThanOrEqual(1000 - 100 - 100 / 8 - 1);
    expect(compacted).toBeLessThanOrEqual(1000 - 100);
    await expect(s.list('/registry/', { revision: compacted - 1 })).rejects.toBeInstanceOf(CompactedError);
    // the last historyLimit revisions stay readable
    expect((await s.list('/registry/', { revision: 900 })).items).toHaveLength(900);
    expect(await s.count('/registry/')).toBe(1000);
  });

  it('historyLimit 0 keeps all history', async () => {
    const s = new MemoryStore({ historyLimit: 0 });
    for (let i = 0; i < 300; i++) await s.create(`/registry/core/pods/ns/p${i}`, 'x');
    expect(await s.compactedRevision()).toBe(0);
    expect((await s.list('/registry/', { revision: 1 })).items).toHaveLength(1);
  });

  it('a handler that throws ends its watch with onError; other watchers go on', async () => {
    const s = new MemoryStore();
    const errors: Error[] = [];
    let calls = 0;
    s.watch('/registry/', {}, () => {
      calls++;
      throw new Error('boom');
    }, (e) => errors.push(e));
    const ok: WatchEvent[] = [];
    s.watch('/registry/', {}, (ev) => ok.push(ev));
    await s.create('/registry/core/pods/ns/a', 'x');
    await s.create('/registry/core/pods/ns/b', 'x');
    await eventually(() => expect(ok).toHaveLength(2));
    await eventually(() => expect(errors.map((e) => e.message)).toEqual(['boom']));
    expect(calls).toBe(1);
  });

  it('a long replay is delivered in order without starving the event loop', async () => {
    const s = new MemoryStore({ historyLimit: 0 });
    for (let i = 0; i < 5000; i++) await s.create(`/registry/core/pods/ns/p${i}`, String(i));
    const revs: number[] = [];
    // (afterRevision 0 means "from now", so replay from revision 1: events 2..5000)
    s.watch('/registry/', { afterRevision: 1 }, (ev) => revs.push(ev.revision));
    const seenAtImmediate = await new Promise<number>((r) => setImmediate(() => r(revs.length)));
    expect(seenAtImmediate).toBeLessThan(4999);
    await eventually(() => expect(revs).toHaveLength(4999));
    expect(revs).toEqual(Array.from({ length: 4999 }, (_, i) => i + 2));
  });

  it('close ends watches and rejects later calls', async () => {
    const s = new MemoryStore();
    const got: WatchEvent[] = [];
    s.watch('/registry/', {}, (ev) => got.push(ev));
    await s.close();
    await expect(s.create('/registry/core/pods/ns/a', 'x')).rejects.toBeInstanceOf(StoreClosedError);
    await expect(s.get('/registry/core/pods/ns/a')).rejects.toBeInstanceOf(StoreClosedError);
    const errors: Error[] = [];
    s.watch('/registry/', {}, () => {}, (e) => errors.push(e));
    await eventually(() => expect(errors[0]).toBeInstanceOf(StoreClosedError));
    expect(got).toEqual([]);
  });

  it('values handed out cannot be modified', async () => {
    const s = new MemoryStore();
    await s.create('/registry/core/pods/ns/a', 'x');
    const kv = (await s.get('/registry/core/pods/ns/a'))!;
    expect(() => {
      (kv as { value: string }).value = 'y';
    }).toThrow(TypeError);
    expect((await s.get('/registry/core/pods/ns/a'))!.value).toBe('x');
  });
});
