// Unknown and duplicate fields in a write, as a Go apiserver decodes the body into its type:
// unknown fields are dropped (built-in types by their OpenAPI schema, custom objects by their
// CRD's structural schema); fieldValidation decides what the client hears about them and
// about duplicate keys: Strict refuses the request (400 strict decoding error), Warn (the
// default) answers with a Warning header per field, Ignore says nothing.

import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../client/types.js';
import { duplicateFieldMessage, pruneUnknownFields, strictDecodingError, unknownFieldMessage } from '../api/openapi/fields.js';

/**
 * prune `obj` (in place) to the fields its type has; returns the warnings for Warn, nothing
 * for Ignore, and throws upstream's 400 for Strict. `duplicates` are the duplicate keys the
 * HTTP layer found in the raw JSON body.
 */
export function decodeFields(info: ResourceInfo, obj: unknown, mode: 'Strict' | 'Warn' | 'Ignore', duplicates: string[] = []): string[] {
  const unknown = info.custom ? info.custom.prune(obj as KubeObject) : pruneUnknownFields(info.definition, obj);
  if (mode === 'Ignore') return [];
  const problems = [...unknown.map(unknownFieldMessage), ...duplicates.map(duplicateFieldMessage)];
  if (problems.length && mode === 'Strict') throw strictDecodingError(info.kind, info.version, problems);
  return problems;
}
