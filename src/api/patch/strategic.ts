// Strategic merge patch (application/strategic-merge-patch+json), applied to plain JSON
// objects with upstream's semantics (k8s.io/apimachinery/pkg/util/strategicpatch, as the
// apiserver runs it: parallel deletion lists are applied, unmatched nulls are dropped).
// Field strategies and merge keys come from the swagger (see schema.ts).
import { ApiError, badRequest } from '../errors.js';
import { goTypeName, goValue } from './gofmt.js';
import { PatchSchema } from './schema.js';

type JsonMap = Record<string, unknown>;
type Kind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

// upstream's sentinel errors (mergepatch), each mapped to the HTTP status the apiserver gives it
const BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/** a 400 for the malformed-directive errors the apiserver recognises */
function formatError(message: string): ApiError {
  return badRequest(message);
}

/** 422 as apierrors.NewGenericServerResponse(422, ...) gives it: the detail is not passed on */
function unprocessable(): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

/** any other patch error reaches the client as a bare 500 Status carrying the Go error text */
function patchFailure(message: string): ApiError {
  return new ApiError(500, '', message);
}

function noMergeKey(m: unknown, key: string): ApiError {
  return patchFailure(`map: ${goValue(m)} does not contain declared merge key: ${key}`);
}

function badArgType(expected: string, actual: unknown): ApiError {
  return patchFailure(`expected a ${expected}, but received a ${goTypeName(actual)}`);
}

function badPatchType(t: unknown, m: unknown): ApiError {
  return patchFailure(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);
}

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int64' : 'float64';
}

function has(m: JsonMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, k);
}

/**
 * Apply a strategic merge patch to doc. definition names doc's swagger definition
 * (e.g. io.k8s.api.apps.v1.DaemonSet). Neither input is modified. Throws ApiError.
 */
export function applyStrategicMergePatch<T = unknown>(doc: unknown, patch: unknown, definition: string): T {
  if (patch === null || patch === undefined) return structuredClone(doc) as T;
  if (!isMap(patch)) {
    // the apiserver decodes the body into a map first
    const what = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${what} into Go value of type map[string]interface {}`);
  }
  if (doc !== null && doc !== undefined && !isMap(doc)) throw formatError('invalid JSON document');
  const original = (doc ? structuredClone(doc) : {}) as JsonMap;
  const schema = PatchSchema.forDefinition(definition);
  return mergeMap(original, structuredClone(patch), schema) as T;
}

/** merge patch into original (both are private copies and are modified) */
function mergeMap(original: JsonMap | null, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (has(patch, DIRECTIVE)) return directiveOnMap(patch[DIRECTIVE], patch);
  const out = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey];
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    // null deletes; a null for a field the object lacks is simply dropped
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!has(out, key) || kindOf(out[key]) !== kindOf(patchV)) {
      if (!isDeleteList) setCleaned(out, key, patchV);
      continue;
    }
    const kind = kindOf(out[key]);
    if (kind === 'map') {
      const meta = schema.lookup(key);
      const strategy = otherStrategy(meta.strategies);
      out[key] = strategy === REPLACE ? patchV : mergeMap(out[key] as JsonMap, patchV as JsonMap, meta.schema);
    } else if (kind === 'slice') {
      const meta = schema.lookup(key);
      const strategy = otherStrategy(meta.strategies);
      out[key] = mergeSliceByStrategy(out[key] as unknown[], patchV as unknown[], meta.schema, strategy, meta.mergeKey, isDeleteList);
    } else {
      setCleaned(out, key, patchV);
    }
  }
  return out;
}

/** a value taken from the patch as it is: without nulls and without directive-only maps */
function setCleaned(out: JsonMap, key: string, patchV: unknown): void {
  discardNulls(patchV);
  const [v, keep] = removeDirectives(patchV);
  if (keep) out[key] = v;
  else delete out[key];
}

function directiveOnMap(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  throw badPatchType(directive, patch);
}

/** the strategy besides retainKeys ("merge,retainKeys" -> "merge") */
function otherStrategy(strategies: string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0];
  if (strategies.length === 2) {
    if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1];
    if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0];
  }
  throw patchFailure(`unexpected patch strategy: ${goValue(strategies)}`);
}

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw formatError(BAD_PRIMITIVE_LIST);
    throw formatError(BAD_SET_ELEMENT_ORDER);
  }
  return s.slice(slash + 1);
}

/** $retainKeys: drop every field of original not listed; the patch may only set listed fields */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw formatError(BAD_RETAIN_KEYS);
  const retained = new Set<unknown>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw formatError(BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/**
 * $setElementOrder/<list>: merge <list> now and order the result: the directive's order for the
 * items it names, the live order for the others, interleaved as upstream does.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, listKey);
    const foundPatch = has(patch, listKey);
    let originalList: unknown[] = [];
    let patchList: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[listKey])) throw badArgType('[]interface {}', original[listKey]);
      originalList = original[listKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[listKey])) throw badArgType('[]interface {}', patch[listKey]);
      patchList = patch[listKey] as unknown[];
    }
    const meta = schema.lookup(listKey);
    const strategy = otherStrategy(meta.strategies);
    validateAgainstOrder(patchList, order, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch) {
      merged = mergeSliceByStrategy(originalList, patchList, meta.schema, strategy, meta.mergeKey, false);
    } else continue;

    const [patchItems, serverOnly] = meta.mergeKey
      ? partitionMaps(merged, order, meta.mergeKey)
      : partitionPrimitives(merged, order);
    const kind = elementKind(originalList, patchList);
    original[listKey] = normalizeElementOrder(patchItems, serverOnly, order, originalList, meta.mergeKey, kind);
    delete patch[listKey];
  }
}

/** the relative order of patch items must agree with the $setElementOrder list */
function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? splitDeletions(patchList)[0] : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && has(items[p] as JsonMap, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw patchFailure(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isMap(left)) throw badArgType('map[string]interface {}', left);
  if (!isMap(right)) throw badArgType('map[string]interface {}', right);
  if (!has(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceByStrategy(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  // deletion lists are applied whatever the field's strategy; other lists without "merge" are atomic
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const gone = new Set(patch);
      return original.filter((v) => !gone.has(v));
    }
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw patchFailure(`cannot merge lists without merge key for ${schema.name}`);
    [original, patch] = applyListDirectives(original, patch, mergeKey);
    merged = mergeByKey(original, patch, mergeKey, schema);
  }
  const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, patch, mergeKey) : partitionPrimitives(merged, patch);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** `$patch: delete` / `$patch: replace` elements; returns the new original and the plain patch items */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === DELETE) {
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const value = item[mergeKey];
      for (;;) {
        const i = findByKey(original, mergeKey, value);
        if (i < 0) break;
        original = [...original.slice(0, i), ...original.slice(i + 1)];
      }
    } else if (directive === REPLACE) {
      replace = true;
    } else if (directive === MERGE) {
      throw patchFailure('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, item);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, schema: PatchSchema): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const i = findByKey(out, mergeKey, item[mergeKey]);
    if (i >= 0) out[i] = mergeMap(out[i] as JsonMap, item, schema);
    else out.push(v);
  }
  return out;
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isMap(m)) throw patchFailure(`value for key ${i} is not a map`);
    if (has(m, key) && m[key] === value) return i;
  }
  return -1;
}

/** the common kind of every element; lists of lists and mixed lists are refused */
function elementKind(...lists: unknown[][]): Kind {
  let kind: Kind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        // ErrNoListOfLists ("lists of lists are not supported") is answered with a bare 422
        if (k === 'slice') throw unprocessable();
        kind = k;
      } else if (k !== kind) {
        throw patchFailure(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (kind === undefined) throw patchFailure('no elements in any of the given slices');
  return kind;
}

function dedupe(list: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  return list.filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
}

function partitionPrimitives(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(by);
  return [list.filter((v) => inPatch.has(v)), list.filter((v) => !inPatch.has(v))];
}

function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map[string]interface {}', v);
    if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? patchItems : serverOnly).push(v);
  }
  return [patchItems, serverOnly];
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  const valueOf = kind === 'map' ? (x: unknown) => (isMap(x) ? x[mergeKey] : undefined) : (x: unknown) => x;
  const want = valueOf(item);
  return list.findIndex((x) => valueOf(x) === want);
}

function splitDeletions(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const deletions: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map[string]interface {}', v);
    (v[DIRECTIVE] === DELETE ? deletions : keep).push(v);
  }
  return [keep, deletions];
}

/** sort list by the positions its items have in order (items not in order keep their place) */
function sortByOrder(list: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let deletions: unknown[] = [];
  if (kind === 'map') {
    for (const l of [list, order]) {
      for (const v of l) {
        if (!isMap(v)) throw badArgType('map[string]interface {}', v);
        if (!has(v, mergeKey)) throw noMergeKey(v, mergeKey);
      }
    }
    [list, deletions] = splitDeletions(list);
  }
  const sorted = [...list].sort((a, b) => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia - ib : 0;
  });
  return [...sorted, ...deletions];
}

/**
 * Patch items in patch order, server-only items in live order, then interleaved: each
 * server-only item goes before the first patch item that comes after it in the live list.
 */
function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** drop null-valued fields everywhere inside a value being added */
function discardNulls(v: unknown): void {
  if (Array.isArray(v)) v.forEach(discardNulls);
  else if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  }
}

/** remove maps that carry a $patch directive; returns [value, keep] */
function removeDirectives(obj: unknown): [unknown, boolean] {
  if (isMap(obj)) {
    if (has(obj, DIRECTIVE)) return [null, false];
    for (const k of Object.keys(obj)) {
      const [v, keep] = removeDirectives(obj[k]);
      if (keep) obj[k] = v;
      else delete obj[k];
    }
    return [obj, true];
  }
  if (Array.isArray(obj)) {
    const out: unknown[] = [];
    for (const v of obj) {
      const [nv, keep] = removeDirectives(v);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  return [obj, true];
}
