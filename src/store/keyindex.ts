// A sorted key index split into buckets by resource prefix, so that listing
// `/registry/core/pods/...` never walks the keys of other resources.
//
// A key's bucket is its text up to and including its 4th '/', e.g. `/registry/core/pods/`
// for `/registry/core/pods/default/web-0`. Keys with fewer slashes share the bucket ''.
// Within a bucket keys are kept in a sorted array, which makes pagination plain index
// arithmetic; adds and removes are merged into it when it is next read.

export function bucketOf(key: string): string {
  let i = -1;
  for (let n = 0; n < 4; n++) {
    i = key.indexOf('/', i + 1);
    if (i < 0) return '';
  }
  return key.slice(0, i + 1);
}

/** first index i in sorted arr with arr[i] >= s */
export function lowerBound(arr: readonly string[], s: string, lo = 0, hi = arr.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** first index i in sorted arr with arr[i] > s */
export function upperBound(arr: readonly string[], s: string, lo = 0, hi = arr.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** index one past the last key in arr[lo..] that starts with prefix */
function prefixEnd(arr: readonly string[], prefix: string, lo: number): number {
  // the smallest string greater than every string with this prefix: bump the last code unit
  let p = prefix;
  while (p.length > 0 && p.charCodeAt(p.length - 1) === 0xffff) p = p.slice(0, -1);
  if (p.length === 0) return arr.length;
  const end = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
  return lowerBound(arr, end, lo);
}

/** a sorted run of keys: arr[lo..hi) all start with the requested prefix */
export interface KeyRange {
  arr: readonly string[];
  lo: number;
  hi: number;
}

/** one bucket: a sorted array, plus adds and removes not merged into it yet */
interface Bucket {
  sorted: string[];
  /** keys added since the last merge (not in sorted) */
  added: Set<string>;
  /** keys of sorted removed since the last merge */
  removed: Set<string>;
}

export class KeyIndex {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * Writes are O(1): keys are merged into the sorted array when it is next read, in one pass
   * (an insert into the middle of a sorted array of 50,000 event keys per write was O(n)).
   */
  add(key: string): void {
    const b = bucketOf(key);
    let bk = this.buckets.get(b);
    if (!bk) this.buckets.set(b, (bk = { sorted: [], added: new Set(), removed: new Set() }));
    if (bk.removed.delete(key)) return; // still in sorted
    const arr = bk.sorted;
    // appends in key order (the common case when loading) go straight in
    if (bk.added.size === 0 && bk.removed.size === 0 && (arr.length === 0 || arr[arr.length - 1]! < key)) {
      arr.push(key);
      return;
    }
    if (bk.added.has(key)) return;
    const i = lowerBound(arr, key);
    if (arr[i] !== key) bk.added.add(key);
  }

  remove(key: string): void {
    const b = bucketOf(key);
    const bk = this.buckets.get(b);
    if (!bk) return;
    if (bk.added.delete(key)) return;
    const arr = bk.sorted;
    if (arr.length > 0 && arr[arr.length - 1] === key && bk.removed.size === 0) arr.pop();
    else if (arr[lowerBound(arr, key)] === key) bk.removed.add(key);
    if (arr.length - bk.removed.size + bk.added.size === 0) this.buckets.delete(b);
  }

  /** the bucket's keys, sorted (merging pending adds and removes) */
  private keysOf(b: string): string[] | undefined {
    const bk = this.buckets.get(b);
    if (!bk) return undefined;
    if (bk.added.size === 0 && bk.removed.size === 0) return bk.sorted;
    const old = bk.removed.size ? bk.sorted.filter((k) => !bk.removed.has(k)) : bk.sorted;
    const add = [...bk.added].sort(compareKeys);
    const out: string[] = new Array(old.length + add.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < old.length && j < add.length) out[o++] = old[i]! < add[j]! ? old[i++]! : add[j++]!;
    while (i < old.length) out[o++] = old[i++]!;
    while (j < add.length) out[o++] = add[j++]!;
    bk.sorted = out;
    bk.added.clear();
    bk.removed.clear();
    return out;
  }

  /** the keys starting with prefix, in key order */
  range(prefix: string): KeyRange {
    const b = bucketOf(prefix);
    if (b !== '') {
      // every key with this prefix lives in the prefix's own bucket
      const arr = this.keysOf(b);
      if (!arr) return { arr: [], lo: 0, hi: 0 };
      const lo = lowerBound(arr, prefix);
      return { arr, lo, hi: prefixEnd(arr, prefix, lo) };
    }
    // a short prefix (e.g. `/registry/`) spans buckets: gather them in order
    const names = [...this.buckets.keys()].filter((n) => n !== '' && n.startsWith(prefix)).sort();
    const out: string[] = [];
    for (const n of names) for (const k of this.keysOf(n)!) out.push(k);
    const misc = this.keysOf('');
    if (misc) {
      let mixed = false;
      for (const k of misc) {
        if (k.startsWith(prefix)) {
          out.push(k);
          mixed = true;
        }
      }
      if (mixed) out.sort(compareKeys);
    }
    return { arr: out, lo: 0, hi: out.length };
  }

  /** number of keys starting with prefix */
  count(prefix: string): number {
    const r = this.range(prefix);
    return r.hi - r.lo;
  }
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
