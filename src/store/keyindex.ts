// A sorted key index split into buckets by resource prefix, so that listing
// `/registry/core/pods/...` never walks the keys of other resources.
//
// A key's bucket is its text up to and including its 4th '/', e.g. `/registry/core/pods/`
// for `/registry/core/pods/default/web-0`. Keys with fewer slashes share the bucket ''.
// Within a bucket keys are kept in a sorted array (binary search + splice), which is
// cheap for tens of thousands of keys and makes pagination plain index arithmetic.

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

export class KeyIndex {
  private readonly buckets = new Map<string, string[]>();

  add(key: string): void {
    const b = bucketOf(key);
    let arr = this.buckets.get(b);
    if (!arr) this.buckets.set(b, (arr = []));
    // appends in key order (the common case when loading) skip the search
    if (arr.length === 0 || arr[arr.length - 1]! < key) {
      arr.push(key);
      return;
    }
    const i = lowerBound(arr, key);
    if (arr[i] !== key) arr.splice(i, 0, key);
  }

  remove(key: string): void {
    const b = bucketOf(key);
    const arr = this.buckets.get(b);
    if (!arr) return;
    const i = lowerBound(arr, key);
    if (arr[i] === key) arr.splice(i, 1);
    if (arr.length === 0) this.buckets.delete(b);
  }

  /** the keys starting with prefix, in key order */
  range(prefix: string): KeyRange {
    const b = bucketOf(prefix);
    if (b !== '') {
      // every key with this prefix lives in the prefix's own bucket
      const arr = this.buckets.get(b);
      if (!arr) return { arr: [], lo: 0, hi: 0 };
      const lo = lowerBound(arr, prefix);
      return { arr, lo, hi: prefixEnd(arr, prefix, lo) };
    }
    // a short prefix (e.g. `/registry/`) spans buckets: gather them in order
    const names = [...this.buckets.keys()].filter((n) => n !== '' && n.startsWith(prefix)).sort();
    const out: string[] = [];
    for (const n of names) for (const k of this.buckets.get(n)!) out.push(k);
    const misc = this.buckets.get('');
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
