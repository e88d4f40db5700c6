// JSON patch (RFC 6902, application/json-patch+json) through fast-json-patch, with the
// answers the apiserver gives: a body that is not a list of operations is 400, more than
// 10000 operations is 413, and any failure while applying is a bare 422.
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { ApiError, badRequest, requestEntityTooLarge } from '../errors.js';

/** the apiserver's limit on operations in one JSON patch */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Apply JSON patch operations to doc. Neither input is modified. */
export function applyJsonPatch<T = unknown>(doc: unknown, ops: unknown): T {
  if (ops === null || ops === undefined) return structuredClone(doc) as T;
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (op !== null && (typeof op !== 'object' || Array.isArray(op))) {
      throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  try {
    const copy = structuredClone(doc);
    const result = fastJsonPatch.applyPatch(copy, structuredClone(ops) as Operation[], true, true);
    return result.newDocument as T;
  } catch {
    // apierrors.NewGenericServerResponse(422, ...) replaces the library's message with its own
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}
