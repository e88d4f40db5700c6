// ControllerRevisions of a DaemonSet: the `data` patch in Go's canonical JSON form, the
// template hash (FNV-1a 32 rendered in the safe alphabet) and the Match test that kubectl
// and the controller both use (byte equality of `data`).

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** Go's encoding/json string escaping (HTML-safe: <, >, & and U+2028/2029 escaped) */
function goString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** compact JSON with keys sorted at every level, as json.Marshal of a map[string]interface{} */
export function canonicalJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${goString(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/**
 * The template as Go would marshal the typed PodTemplateSpec: the zero-value fields without
 * omitempty appear (`metadata.creationTimestamp: null`, every container's `resources: {}`).
 */
export function goTemplate(template: PodTemplateSpec | undefined): Record<string, unknown> {
  const t = structuredClone(template ?? {}) as Record<string, unknown>;
  const meta = { ...((t.metadata as Record<string, unknown>) ?? {}) };
  if (meta.creationTimestamp === undefined) meta.creationTimestamp = null;
  t.metadata = meta;
  const spec = { ...((t.spec as Record<string, unknown>) ?? {}) };
  if (spec.containers === undefined) spec.containers = null;
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const cs = spec[list];
    if (Array.isArray(cs)) spec[list] = cs.map((c: Record<string, unknown>) => (c.resources === undefined ? { ...c, resources: {} } : c));
  }
  t.spec = spec;
  return t;
}

/** getPatch: `{"spec":{"template":{...,"$patch":"replace"}}}` in canonical form */
export function revisionData(ds: DaemonSet): string {
  const template = goTemplate(ds.spec?.template);
  template.$patch = 'replace';
  return canonicalJSON({ spec: { template } });
}

/** the raw bytes of a ControllerRevision's data as a string, however the client decoded it */
export function rawData(data: unknown): string {
  if (typeof data === 'string') return data;
  return canonicalJSON(data);
}

/** Match: does the revision hold exactly this DaemonSet's template? */
export function matchRevision(ds: DaemonSet, cr: { data?: unknown }): boolean {
  return rawData(cr.data) === revisionData(ds);
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHANUMS[s.charCodeAt(i) % SAFE_ALPHANUMS.length];
  return out;
}

function fnv1a32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * controller.ComputeHash: FNV-1a 32 of the template (here its canonical JSON, as a TS
 * stand-in for Go's spew dump), then the collision count as 8 little-endian bytes, written
 * in decimal and mapped through the safe alphabet.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJSON(goTemplate(template))));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(b, h);
  }
  return safeEncodeString(String(h));
}
