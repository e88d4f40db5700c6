// JSON responses spliced from the stored JSON strings, without decoding them: the store keeps
// each object as JSON without metadata.resourceVersion (the revision is the resourceVersion),
// so a GET or LIST answer is the stored text with `"resourceVersion":"<modRevision>"` put into
// metadata. The output is byte for byte what decodeStored + JSON.stringify would give (the
// stored text is JSON.stringify output, which round-trips exactly); anything this module does
// not recognise (whitespace, a missing metadata, a selector, paging) returns undefined and the
// caller takes the decoding path.

import type { ResourceInfo } from '../api/resources.js';
import { groupVersion, storageKey, storagePrefix } from '../api/resources.js';
import { notFound } from '../api/errors.js';
import type { Store } from '../store/types.js';

const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACK = 91;
const RBRACK = 93;
const COMMA = 44;
const COLON = 58;

/** index just after the string starting at s[i] === '"', or -1 */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    let b = q - 1;
    while (s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** index just after the compact JSON value starting at s[i], or -1 */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return skipString(s, i);
  if (c === LBRACE || c === LBRACK) {
    let depth = 0;
    let j = i;
    while (j < s.length) {
      const d = s.charCodeAt(j);
      if (d === QUOTE) {
        j = skipString(s, j);
        if (j < 0) return -1;
        continue;
      }
      if (d === LBRACE || d === LBRACK) depth++;
      else if (d === RBRACE || d === RBRACK) {
        if (--depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // number, true, false, null
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d === COMMA || d === RBRACE || d === RBRACK) return j > i ? j : -1;
    if (d <= 32) return -1; // whitespace: not compact JSON
    j++;
  }
  return -1;
}

interface Member {
  valueStart: number;
  valueEnd: number;
}

/**
 * walk the members of the compact JSON object at s[i] === '{' until `key` (returns its value's
 * range) or the closing brace (returns its index as a number); undefined when not compact JSON
 */
function findMember(s: string, i: number, key: string): Member | number | undefined {
  if (s.charCodeAt(i) !== LBRACE) return undefined;
  let j = i + 1;
  if (s.charCodeAt(j) === RBRACE) return j;
  const quoted = `"${key}"`;
  for (;;) {
    if (s.charCodeAt(j) !== QUOTE) return undefined;
    const keyEnd = skipString(s, j);
    if (keyEnd < 0 || s.charCodeAt(keyEnd) !== COLON) return undefined;
    const valueStart = keyEnd + 1;
    const valueEnd = skipValue(s, valueStart);
    if (valueEnd < 0) return undefined;
    if (keyEnd - j === quoted.length && s.startsWith(quoted, j)) return { valueStart, valueEnd };
    const c = s.charCodeAt(valueEnd);
    if (c === COMMA) j = valueEnd + 1;
    else if (c === RBRACE) return valueEnd;
    else return undefined;
  }
}

/**
 * the stored JSON of an object with metadata.resourceVersion set to `rv` (replaced in place when
 * present, else the last member of metadata, as decodeStored + JSON.stringify place it);
 * undefined when the text is not a compact JSON object with a metadata object
 */
export function spliceResourceVersion(stored: string, rv: string): string | undefined {
  const meta = findMember(stored, 0, 'metadata');
  if (meta === undefined || typeof meta === 'number') return undefined;
  if (stored.charCodeAt(meta.valueStart) !== LBRACE) return undefined;
  const member = `"resourceVersion":${JSON.stringify(rv)}`;
  const inner = findMember(stored, meta.valueStart, 'resourceVersion');
  if (inner === undefined) return undefined;
  if (typeof inner === 'number') {
    const empty = inner === meta.valueStart + 1;
    return `${stored.slice(0, inner)}${empty ? '' : ','}${member}${stored.slice(inner)}`;
  }
  return `${stored.slice(0, inner.valueStart)}${JSON.stringify(rv)}${stored.slice(inner.valueEnd)}`;
}

/**
 * GET of one object as JSON, spliced; undefined when the caller must take the decoding path
 * (subresources, a stored text without the expected apiVersion and kind in front). Throws
 * NotFound like the registry.
 */
export async function getJson(store: Store, info: ResourceInfo, namespace: string | undefined, name: string): Promise<string | undefined> {
  if (info.namespaced && !namespace) return undefined;
  const kv = await store.get(storageKey(info, info.namespaced ? namespace : undefined, name));
  if (!kv) throw notFound({ group: info.group, resource: info.plural }, name);
  // the registry sets apiVersion and kind on a GET; the stored text normally starts with them
  const head = `{"apiVersion":${JSON.stringify(groupVersion(info))},"kind":${JSON.stringify(info.kind)},`;
  if (!kv.value.startsWith(head)) return undefined;
  return spliceResourceVersion(kv.value, String(kv.modRevision));
}

export interface RawListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
}

/**
 * LIST as JSON, spliced: the whole collection at the latest revision (no limit, no continue,
 * no exact resourceVersion; selectors are the caller's business: it passes only requests without
 * them). undefined = take the decoding path.
 */
export async function listJson(store: Store, info: ResourceInfo, namespace: string | undefined, o: RawListOptions): Promise<string | undefined> {
  if (o.continue || (o.limit !== undefined && o.limit > 0)) return undefined;
  // custom objects are stored in their storage version; other versions are re-encoded
  if (info.custom && info.custom.storageVersion !== info.version) return undefined;
  if (o.resourceVersion !== undefined && o.resourceVersion !== '') {
    if (!/^\d+$/.test(o.resourceVersion)) return undefined; // the registry answers the 400
    if (o.resourceVersionMatch === 'Exact' && Number(o.resourceVersion) !== 0) return undefined;
  }
  const prefix = info.namespaced && namespace ? `${storagePrefix(info)}${namespace}/` : storagePrefix(info);
  const page = await store.list(prefix, {});
  if (page.more) return undefined;
  const parts: string[] = new Array(page.items.length);
  for (let i = 0; i < page.items.length; i++) {
    const kv = page.items[i];
    const json = spliceResourceVersion(kv.value, String(kv.modRevision));
    if (json === undefined) return undefined;
    parts[i] = json;
  }
  return `{"apiVersion":${JSON.stringify(groupVersion(info))},"kind":${JSON.stringify(info.listKind)},"metadata":{"resourceVersion":${JSON.stringify(String(page.revision))}},"items":[${parts.join(',')}]}`;
}
