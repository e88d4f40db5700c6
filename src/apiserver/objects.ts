// Small object helpers the registry uses: deep equality, cloning, names, uids.

import { randomBytes, randomUUID } from 'node:crypto';

/** upstream's generateName alphabet (k8s.io/apimachinery/pkg/util/rand): no vowels, no confusable digits */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[bytes[i] % ALPHANUMS.length];
  return s;
}

/** generateName + 5 random chars, with the base cut so the result fits in 63 characters (as upstream) */
export function generatedName(base: string): string {
  const maxBase = 63 - 5;
  return `${base.length > maxBase ? base.slice(0, maxBase) : base}${randomSuffix(5)}`;
}

export function newUid(): string {
  return randomUUID();
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** deep equality of JSON values; treats a missing key and `undefined` alike */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** RFC 3339 with seconds precision, as metav1.Time marshals */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** RFC 3339 with microseconds, as metav1.MicroTime marshals */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * drop null-valued fields, as decoding into Go's typed objects does (a null pointer field is
 * omitted on output); kubectl sends `creationTimestamp: null`, and `$patch: replace` keeps nulls
 */
export function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = dropNulls(v[i]);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else if (typeof o[k] === 'object') dropNulls(o[k]);
    }
  }
  return v;
}
