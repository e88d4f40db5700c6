import { describe, expect, it } from 'vitest';
import { bucketOf, KeyIndex, lowerBound, upperBound } from './keyindex.js';

describe('bucketOf', () => {
  it('is the key up to its 4th slash', () => {
    expect(bucketOf('/registry/core/pods/default/web-0')).toBe('/registry/core/pods/');
    expect(bucketOf('/registry/core/nodes/n1')).toBe('/registry/core/nodes/');
    expect(bucketOf('/registry/core/pods/')).toBe('/registry/core/pods/');
    expect(bucketOf('/registry/core/pods')).toBe('');
    expect(bucketOf('/registry/')).toBe('');
  });
});

describe('binary search', () => {
  const arr = ['a', 'b', 'b', 'd'];
  it('lowerBound / upperBound', () => {
    expect(lowerBound(arr, 'b')).toBe(1);
    expect(upperBound(arr, 'b')).toBe(3);
    expect(lowerBound(arr, 'c')).toBe(3);
    expect(upperBound(arr, 'c')).toBe(3);
    expect(lowerBound(arr, 'z')).toBe(4);
    expect(upperBound(arr, '')).toBe(0);
  });
});

describe('KeyIndex', () => {
  it('keeps each resource in its own sorted bucket, so a prefix list reads only that bucket', () => {
    const ix = new KeyIndex();
    for (let i = 0; i < 100; i++) ix.add(`/registry/core/events/ns/e${i}`);
    for (const k of ['/registry/core/pods/b/x', '/registry/core/pods/a/y', '/registry/core/pods/a/x']) ix.add(k);
    const r = ix.range('/registry/core/pods/');
    // the range is a window on the pods bucket itself: no other resource's keys in it
    expect(r.arr).toEqual(['/registry/core/pods/a/x', '/registry/core/pods/a/y', '/registry/core/pods/b/x']);
    expect([r.lo, r.hi]).toEqual([0, 3]);
    const ns = ix.range('/registry/core/pods/a/');
    expect(ns.arr.slice(ns.lo, ns.hi)).toEqual(['/registry/core/pods/a/x', '/registry/core/pods/a/y']);
    expect(ix.count('/registry/core/')).toBe(103);
  });

  it('adds idempotently and removes, dropping empty buckets', () => {
    const ix = new KeyIndex();
    ix.add('/r/g/x/1');
    ix.add('/r/g/x/1');
    ix.add('/r/g/x/0');
    expect(ix.count('/r/g/x/')).toBe(2);
    ix.remove('/r/g/x/1');
    ix.remove('/r/g/x/1');
    ix.remove('/r/g/x/0');
    expect(ix.count('/r/')).toBe(0);
    expect(ix.range('/r/g/x/').arr).toEqual([]);
  });

  it('merges keys with fewer than four slashes into short-prefix ranges in order', () => {
    const ix = new KeyIndex();
    for (const k of ['/registry/z', '/registry/core/pods/a/b', '/registry/a', '/registry/core/x']) ix.add(k);
    const r = ix.range('/registry/');
    expect(r.arr.slice(r.lo, r.hi)).toEqual(['/registry/a', '/registry/core/pods/a/b', '/registry/core/x', '/registry/z']);
  });

  it('stays sorted and exact under interleaved adds, removes and reads (pending writes are merged on read)', () => {
    const ix = new KeyIndex();
    const ref = new Set<string>();
    let x = 7;
    const rnd = (n: number) => (x = (x * 16807) % 2147483647) % n;
    for (let step = 0; step < 5000; step++) {
      const key = `/registry/core/events/ns${rnd(3)}/e${rnd(300)}`;
      const op = rnd(10);
      if (op < 6) {
        ix.add(key);
        ref.add(key);
      } else if (op < 9) {
        ix.remove(key);
        ref.delete(key);
      } else {
        const want = [...ref].filter((k) => k.startsWith('/registry/core/events/ns1/')).sort();
        const r = ix.range('/registry/core/events/ns1/');
        expect(r.arr.slice(r.lo, r.hi)).toEqual(want);
        expect(ix.count('/registry/core/events/')).toBe(ref.size);
      }
    }
    const all = ix.range('/registry/');
    expect(all.arr.slice(all.lo, all.hi)).toEqual([...ref].sort());
    for (const k of [...ref]) ix.remove(k);
    expect(ix.count('/registry/')).toBe(0);
  });
});
