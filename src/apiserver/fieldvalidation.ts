// fieldValidation=Strict|Warn on writes: unknown fields in the body, found through the
// OpenAPI schema of the resource, are an error (Strict) or a Warning header (Warn).

import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../client/types.js';
import { findUnknownFields, strictDecodingError, unknownFieldMessage } from '../api/openapi/fields.js';

/** returns warnings for Warn mode; throws upstream's 400 for Strict */
export function checkUnknownFields(info: ResourceInfo, body: unknown, mode: 'Strict' | 'Warn'): string[] {
  const unknown = findUnknownFields(info.definition, body).map(unknownFieldMessage);
  if (!unknown.length) return [];
  if (mode === 'Strict') throw strictDecodingError(info.kind, info.version, unknown);
  return unknown;
}

/** the same for a custom object: its unknown fields are those pruning would drop */
export function checkCustomUnknownFields(info: ResourceInfo, body: unknown, mode: 'Strict' | 'Warn'): string[] {
  if (!info.custom || !body || typeof body !== 'object') return [];
  const unknown = info.custom.prune(structuredClone(body) as KubeObject).map(unknownFieldMessage);
  if (!unknown.length) return [];
  if (mode === 'Strict') throw strictDecodingError(info.kind, info.version, unknown);
  return unknown;
}
