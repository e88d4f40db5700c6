// The behaviour every Store backend must show (etcd semantics). Each backend's test file
// calls storeConformance() with a factory for a fresh, empty store.

import { afterEach, describe, expect, it } from 'vitest';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type Store,
  type WatchEvent,
} from './types.js';

const PODS = '/registry/core/pods/';

/** wait until check() passes (polling across event-loop turns), or fail after timeoutMs */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (performance.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

function summary(ev: WatchEvent): string {
  return `${ev.type} ${ev.kv.key}=${ev.kv.value}@${ev.revision}`;
}

export function storeConformance(
  name: string,
  make: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void>,
): void {
  describe(`Store conformance: ${name}`, () => {
    let open: Store[] = [];
    const fresh = async () => {
      const s = await make();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open) {
        await s.close();
        if (cleanup) await cleanup(s);
      }
      open = [];
    });

    it('starts empty at revision 0', async () => {
      const s = await fresh();
      expect(await s.currentRevision()).toBe(0);
      expect(await s.compactedRevision()).toBe(0);
      expect(await s.get(PODS + 'default/a')).toBeUndefined();
      expect(await s.list('/registry/')).toEqual({ items: [], revision: 0, more: false });
      expect(await s.count('/registry/')).toBe(0);
    });

    it('create stores the value with create and mod revision; a second create fails', async () => {
      const s = await fresh();
      const k = PODS + 'default/a';
      expect(await s.create(k, '{"a":1}')).toBe(1);
      expect(await s.get(k)).toEqual({ key: k, value: '{"a":1}', createRevision: 1, modRevision: 1 });
      const err = await s.create(k, 'other').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyExistsError);
      expect((err as KeyExistsError).key).toBe(k);
      // a failed write does not use a revision, and does not change the value
      expect(await s.currentRevision()).toBe(1);
      expect((await s.get(k))?.value).toBe('{"a":1}');
    });

    it('update with and without an expected revision; conflicts and missing keys fail', async () => {
      const s = await fresh();
      const k = PODS + 'default/a';
      await s.create(k, 'v1');
      expect(await s.update(k, 'v2')).toBe(2);
      expect(await s.get(k)).toEqual({ key: k, value: 'v2', createRevision: 1, modRevision: 2 });
      expect(await s.update(k, 'v3', 2)).toBe(3);
      expect(await s.get(k)).toEqual({ key: k, value: 'v3', createRevision: 1, modRevision: 3 });

      const conflict = await s.update(k, 'v4', 2).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(ConflictError);
      expect((conflict as ConflictError).expected).toBe(2);
      expect((conflict as ConflictError).actual).toBe(3);
      expect((await s.get(k))?.value).toBe('v3');

      const missing = await s.update(PODS + 'default/nope', 'x').catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(KeyNotFoundError);
      expect(await s.currentRevision()).toBe(3);
    });

    it('delete returns the deleted value; compare-and-swap on delete', async () => {
      const s = await fresh();
      const k = PODS + 'default/a';
      await s.create(k, 'v1');
      await s.update(k, 'v2');
      const conflict = await s.delete(k, 1).catch((e: unknown) => e);
      expect(conflict).toBeInstanceOf(ConflictError);
      expect(await s.get(k)).toBeDefined();

      const del = await s.delete(k, 2);
      expect(del).toEqual({ revision: 3, prev: { key: k, value: 'v2', createRevision: 1, modRevision: 2 } });
      expect(await s.get(k)).toBeUndefined();
      expect(await s.delete(k).catch((e: unknown) => e)).toBeInstanceOf(KeyNotFoundError);

      // re-creating starts a new life: new create revision
      expect(await s.create(k, 'v3')).toBe(4);
      expect(await s.get(k)).toEqual({ key: k, value: 'v3', createRevision: 4, modRevision: 4 });
    });

    it('every write increases the one global revision by exactly 1', async () => {
      const s = await fresh();
      const revs: number[] = [];
      revs.push(await s.create(PODS + 'ns/a', '1'));
      revs.push(await s.create('/registry/core/nodes/n1', '1'));
      revs.push(await s.update(PODS + 'ns/a', '2'));
      revs.push((await s.delete('/registry/core/nodes/n1')).revision);
      revs.push(await s.create('/registry/apps/daemonsets/ns/ds', '1'));
      expect(revs).toEqual([1, 2, 3, 4, 5]);
      expect(await s.currentRevision()).toBe(5);
    });

    it('lists by prefix in key order, respecting prefix boundaries', async () => {
      const s = await fresh();
      const keys = [
        '/registry/core/podsx/default/p',
        PODS + 'kube-system/c',
        PODS + 'default/b',
        PODS + 'default/a',
        PODS + 'defaultx/z',
        '/registry/core/nodes/n1',
        '/registry/apps/daemonsets/default/ds',
        '/registry/masterleases',
        '/other/x',
      ];
      for (const k of keys) await s.create(k, k);

      const pods = await s.list(PODS);
      expect(pods.items.map((i) => i.key)).toEqual([
        PODS + 'default/a',
        PODS + 'default/b',
        PODS + 'defaultx/z',
        PODS + 'kube-system/c',
      ]);
      expect(pods.revision).toBe(keys.length);
      expect(pods.more).toBe(false);
      expect(pods.items[0]).toEqual({ key: PODS + 'default/a', value: PODS + 'default/a', createRevision: 4, modRevision: 4 });

      expect((await s.list(PODS + 'default/')).items.map((i) => i.key)).toEqual([PODS + 'default/a', PODS + 'default/b']);
      expect((await s.list('/registry/core/pods')).items.map((i) => i.key)).toEqual([
        PODS + 'default/a',
        PODS + 'default/b',
        PODS + 'defaultx/z',
        PODS + 'kube-system/c',
        '/registry/core/podsx/default/p',
      ]);
      const all = (await s.list('/registry/')).items.map((i) => i.key);
      expect(all).toEqual(keys.filter((k) => k.startsWith('/registry/')).sort());
      expect((await s.list('/')).items.map((i) => i.key)).toEqual([...keys].sort());
      expect((await s.list('/registry/core/pods/nothing/')).items).toEqual([]);

      expect(await s.count(PODS)).toBe(4);
      expect(await s.count(PODS + 'default/')).toBe(2);
      expect(await s.count('/registry/core/')).toBe(6);
      expect(await s.count('/registry/')).toBe(8);
      expect(await s.count('/nothing/')).toBe(0);
    });

    it('lists at an older revision', async () => {
      const s = await fresh();
      await s.create(PODS + 'ns/a', 'a1');
      await s.create(PODS + 'ns/b', 'b1');
      await s.create('/registry/core/nodes/n1', 'n1');
      const r = await s.currentRevision();
      await s.update(PODS + 'ns/a', 'a2');
      await s.delete(PODS + 'ns/b');
      await s.create(PODS + 'ns/c', 'c1');
      await s.update(PODS + 'ns/a', 'a3');
      await s.create(PODS + 'ns/0', '01');
      await s.delete('/registry/core/nodes/n1');
      await s.delete(PODS + 'ns/c');

      const old = await s.list(PODS, { revision: r });
      expect(old.revision).toBe(r);
      expect(old.items).toEqual([
        { key: PODS + 'ns/a', value: 'a1', createRevision: 1, modRevision: 1 },
        { key: PODS + 'ns/b', value: 'b1', createRevision: 2, modRevision: 2 },
      ]);
      expect((await s.list('/registry/', { revision: r })).items.map((i) => i.key)).toEqual([
        '/registry/core/nodes/n1',
        PODS + 'ns/a',
        PODS + 'ns/b',
      ]);
      // a revision in the middle: after a2 and the delete of b, before c
      const mid = await s.list(PODS, { revision: r + 2 });
      expect(mid.items.map((i) => `${i.key}=${i.value}`)).toEqual([PODS + 'ns/a=a2']);
      const mid2 = await s.list(PODS, { revision: r + 3 });
      expect(mid2.items.map((i) => `${i.key}=${i.value}@${i.modRevision}`)).toEqual([
        PODS + 'ns/a=a2@4',
        PODS + 'ns/c=c1@6',
      ]);
      // revision 0 is the latest
      const latest = await s.list(PODS, { revision: 0 });
      expect(latest.revision).toBe(await s.currentRevision());
      expect(latest.items.map((i) => i.value)).toEqual(['01', 'a3']);
      // the future is an error
      await expect(s.list(PODS, { revision: 1000 })).rejects.toThrow(/future revision/);
    });

    it('paginates with limit / startAfter, reporting more and remaining', async () => {
      const s = await fresh();
      for (let i = 0; i < 10; i++) await s.create(`${PODS}ns/p${i}`, String(i));
      await s.create('/registry/core/podsx/ns/later', 'x');

      const p1 = await s.list(PODS, { limit: 4 });
      expect(p1.items.map((i) => i.value)).toEqual(['0', '1', '2', '3']);
      expect(p1.more).toBe(true);
      expect(p1.remaining).toBe(6);

      // pages read at the first page's revision, even while writes continue
      await s.create(`${PODS}ns/p45`, 'new');
      await s.delete(`${PODS}ns/p5`);
      const p2 = await s.list(PODS, { limit: 4, startAfter: p1.items[3]!.key, revision: p1.revision });
      expect(p2.items.map((i) => i.value)).toEqual(['4', '5', '6', '7']);
      expect(p2.revision).toBe(p1.revision);
      expect(p2.more).toBe(true);
      expect(p2.remaining).toBe(2);
      const p3 = await s.list(PODS, { limit: 4, startAfter: p2.items[3]!.key, revision: p1.revision });
      expect(p3.items.map((i) => i.value)).toEqual(['8', '9']);
      expect(p3.more).toBe(false);

      // at the latest revision
      const l1 = await s.list(PODS, { limit: 5 });
      expect(l1.items.map((i) => i.value)).toEqual(['0', '1', '2', '3', '4']);
      expect(l1.remaining).toBe(5);
      const l2 = await s.list(PODS, { limit: 5, startAfter: l1.items[4]!.key });
      expect(l2.items.map((i) => i.value)).toEqual(['new', '6', '7', '8', '9']);
      expect(l2.more).toBe(false);
      // startAfter need not be an existing key; limit exactly reaching the end is not "more"
      const l3 = await s.list(PODS, { startAfter: `${PODS}ns/p8a`, limit: 1 });
      expect(l3.items.map((i) => i.value)).toEqual(['9']);
      expect(l3.more).toBe(false);
    });

    it('watch replays from a revision, then delivers live events in order', async () => {
      const s = await fresh();
      await s.create(PODS + 'ns/a', 'a1');
      const r1 = await s.create(PODS + 'ns/b', 'b1');
      await s.update(PODS + 'ns/a', 'a2');
      const got: string[] = [];
      const w = s.watch(PODS, { afterRevision: r1 - 1 }, (ev) => got.push(summary(ev)));
      await s.create(PODS + 'ns/c', 'c1');
      await eventually(() =>
        expect(got).toEqual([
          `PUT ${PODS}ns/b=b1@2`,
          `PUT ${PODS}ns/a=a2@3`,
          `PUT ${PODS}ns/c=c1@4`,
        ]),
      );
      w.close();
      w.close(); // idempotent
      await s.create(PODS + 'ns/d', 'd1');
      await new Promise((r) => setTimeout(r, 20));
      expect(got).toHaveLength(3);
    });

    it('watch without a revision sees only later events', async () => {
      const s = await fresh();
      await s.create(PODS + 'ns/a', 'a1');
      const got: WatchEvent[] = [];
      s.watch(PODS, {}, (ev) => got.push(ev));
      await s.update(PODS + 'ns/a', 'a2');
      await eventually(() => expect(got.map(summary)).toEqual([`PUT ${PODS}ns/a=a2@2`]));
      expect(got[0]!.prevKv).toEqual({ key: PODS + 'ns/a', value: 'a1', createRevision: 1, modRevision: 1 });
      expect(got[0]!.kv).toEqual({ key: PODS + 'ns/a', value: 'a2', createRevision: 1, modRevision: 2 });
    });

    it('watch sees only its prefix', async () => {
      const s = await fresh();
      const pods: string[] = [];
      const ns: string[] = [];
      const all: string[] = [];
      s.watch(PODS, { afterRevision: 0 }, (ev) => pods.push(ev.kv.key));
      s.watch(PODS + 'default/', {}, (ev) => ns.push(ev.kv.key));
      s.watch('/registry/', {}, (ev) => all.push(ev.kv.key));
      await s.create('/registry/core/podsx/default/a', 'x');
      await s.create(PODS + 'other/a', 'x');
      await s.create(PODS + 'default/a', 'x');
      await s.create('/registry/core/nodes/n', 'x');
      await s.create('/elsewhere/k', 'x');
      await eventually(() => expect(all).toHaveLength(4));
      expect(pods).toEqual([PODS + 'other/a', PODS + 'default/a']);
      expect(ns).toEqual([PODS + 'default/a']);
      expect(all).toEqual([
        '/registry/core/podsx/default/a',
        PODS + 'other/a',
        PODS + 'default/a',
        '/registry/core/nodes/n',
      ]);
    });

    it('DELETE events carry the deleted value and prevKv', async () => {
      const s = await fresh();
      await s.create(PODS + 'ns/a', 'a1');
      await s.update(PODS + 'ns/a', 'a2');
      const got: WatchEvent[] = [];
      s.watch(PODS, {}, (ev) => got.push(ev));
      await s.delete(PODS + 'ns/a');
      await eventually(() => expect(got).toHaveLength(1));
      expect(got[0]).toEqual({
        type: 'DELETE',
        kv: { key: PODS + 'ns/a', value: 'a2', createRevision: 1, modRevision: 3 },
        prevKv: { key: PODS + 'ns/a', value: 'a2', createRevision: 1, modRevision: 2 },
        revision: 3,
      });
      // a create has no prevKv
      await s.create(PODS + 'ns/a', 'a3');
      await eventually(() => expect(got).toHaveLength(2));
      expect(got[1]!.prevKv).toBeUndefined();
      expect(got[1]!.type).toBe('PUT');
    });

    it('delivers events asynchronously, one at a time, in revision order', async () => {
      const s = await fresh();
      const revs: number[] = [];
      let inHandler = false;
      let overlapped = false;
      s.watch('/registry/', {}, (ev) => {
        if (inHandler) overlapped = true;
        inHandler = true;
        revs.push(ev.revision);
        inHandler = false;
      });
      const writes: Promise<number>[] = [];
      for (let i = 0; i < 50; i++) writes.push(s.create(`${PODS}ns/p${i}`, 'x'));
      // nothing is delivered on the writer's stack
      expect(revs).toEqual([]);
      await Promise.all(writes);
      await eventually(() => expect(revs).toHaveLength(50));
      expect(revs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(overlapped).toBe(false);
    });

    it('compaction: reads and watches below the compacted revision fail with CompactedError', async () => {
      const s = await fresh();
      for (let i = 0; i < 5; i++) await s.create(`${PODS}ns/p${i}`, String(i));
      await s.update(`${PODS}ns/p0`, 'changed');
      await s.compact(4);
      expect(await s.compactedRevision()).toBe(4);

      const err = await s.list(PODS, { revision: 3 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CompactedError);
      expect((err as CompactedError).requested).toBe(3);
      expect((err as CompactedError).compacted).toBe(4);
      // the compacted revision itself is still readable
      expect((await s.list(PODS, { revision: 4 })).items.map((i) => i.value)).toEqual(['0', '1', '2', '3']);

      const errors: Error[] = [];
      const events: WatchEvent[] = [];
      s.watch(PODS, { afterRevision: 2 }, (ev) => events.push(ev), (e) => errors.push(e));
      await eventually(() => expect(errors).toHaveLength(1));
      expect(errors[0]).toBeInstanceOf(CompactedError);
      expect(events).toEqual([]);

      // watching from the compacted revision replays what follows it
      const later: string[] = [];
      s.watch(PODS, { afterRevision: 4 }, (ev) => later.push(summary(ev)));
      await eventually(() => expect(later).toEqual([`PUT ${PODS}ns/p4=4@5`, `PUT ${PODS}ns/p0=changed@6`]));

      // compacting again below is a no-op; compacting the future is an error
      await s.compact(2);
      expect(await s.compactedRevision()).toBe(4);
      await expect(s.compact(100)).rejects.toThrow(/future revision/);
      // current data is untouched by compaction
      expect(await s.count(PODS)).toBe(5);
      expect((await s.get(`${PODS}ns/p0`))?.value).toBe('changed');
    });

    it('1,000 concurrent creates all succeed with distinct, consecutive revisions', async () => {
      const s = await fresh();
      const start = await s.currentRevision();
      const revs = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => s.create(`${PODS}ns/p${String(i).padStart(4, '0')}`, `{"i":${i}}`)),
      );
      expect(new Set(revs).size).toBe(1000);
      expect([...revs].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => start + i + 1));
      expect(await s.count(PODS)).toBe(1000);
      const listed = await s.list(PODS);
      expect(listed.items).toHaveLength(1000);
      expect(listed.items[999]!.value).toBe('{"i":999}');
      expect(listed.items[999]!.modRevision).toBe(revs[999]);
    });

    it('concurrent compare-and-swap updates: exactly one wins', async () => {
      const s = await fresh();
      const k = PODS + 'ns/a';
      const r = await s.create(k, '0');
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => s.update(k, String(i + 1), r)));
      expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      expect(rejected).toHaveLength(19);
      for (const x of rejected) expect(x.reason).toBeInstanceOf(ConflictError);
    });
  });
}
