// JSON merge patch (RFC 7386, application/merge-patch+json), as evanphx/json-patch's
// MergePatch that the apiserver uses: objects merge recursively, null deletes, anything else
// (arrays included) replaces. Nulls inside replacing values are pruned from nested objects.
import { ApiError } from '../errors.js';

type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** the apiserver returns evanphx's plain errors as a bare 500 Status */
function patchFailure(message: string): ApiError {
  return new ApiError(500, '', message);
}

/** Apply a JSON merge patch. Neither input is modified. */
export function applyMergePatch<T = unknown>(doc: unknown, patch: unknown): T {
  if (patch === null || patch === undefined) throw patchFailure('Invalid JSON Patch');
  if (isMap(doc) && isMap(patch)) return mergeObjects(structuredClone(doc), patch) as T;
  if (doc === null) throw patchFailure('Invalid JSON Document');
  // a document or patch that is not an object: the result is the patch itself
  if (isMap(patch)) return pruneNulls(structuredClone(patch)) as T;
  if (Array.isArray(patch)) return pruneArray(structuredClone(patch)) as T;
  throw patchFailure('Invalid JSON Patch');
}

function mergeObjects(doc: JsonMap, patch: JsonMap): JsonMap {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
    } else if (isMap(v) && isMap(doc[k])) {
      doc[k] = mergeObjects(doc[k] as JsonMap, v);
    } else if (isMap(doc[k])) {
      // evanphx keeps nulls when a non-object replaces an object
      doc[k] = structuredClone(v);
    } else {
      doc[k] = prune(structuredClone(v));
    }
  }
  return doc;
}

function prune(v: unknown): unknown {
  if (isMap(v)) return pruneNulls(v);
  if (Array.isArray(v)) return pruneArray(v);
  return v;
}

function pruneNulls(m: JsonMap): JsonMap {
  for (const k of Object.keys(m)) {
    if (m[k] === null) delete m[k];
    else prune(m[k]);
  }
  return m;
}

/** null elements stay; objects inside lose their null fields */
function pruneArray(a: unknown[]): unknown[] {
  for (const v of a) if (v !== null) prune(v);
  return a;
}
