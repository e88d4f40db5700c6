// Schema-driven strict field validation for `fieldValidation=Strict|Warn`: which fields of a
// request body the API types do not have (upstream's strict JSON decoding reports them as
// `unknown field "spec.template.spec.containers[0].imagee"`), duplicate keys in the raw JSON,
// and the messages the API server builds from them.
import { ApiError } from '../errors.js';
import { DEFINITION_PREFIX, isObject, loadSwagger, type JsonObject } from './swagger.js';

/** types with their own JSON form: whatever is inside is theirs, never an unknown field */
const OPAQUE_DEFINITIONS = new Set([
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
]);

function definitionSchema(ref: string): { name: string; schema: JsonObject | undefined } {
  const name = ref.startsWith(DEFINITION_PREFIX) ? ref.slice(DEFINITION_PREFIX.length) : ref;
  return { name, schema: loadSwagger().definitions[name] };
}

function walk(schema: JsonObject, value: unknown, path: string, out: string[], prune = false): void {
  // follow $ref (a property's own description sits beside it; the type is the definition's)
  while (typeof schema.$ref === 'string') {
    const { name, schema: target } = definitionSchema(schema.$ref);
    if (!target || OPAQUE_DEFINITIONS.has(name)) return;
    schema = target;
  }
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    if (isObject(schema.items)) value.forEach((item, i) => walk(schema.items as JsonObject, item, `${path}[${i}]`, out, prune));
    return;
  }
  if (!isObject(value)) return;
  const props = isObject(schema.properties) ? schema.properties : undefined;
  if (props) {
    for (const [key, v] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      const prop = props[key];
      if (!isObject(prop)) {
        out.push(field);
        if (prune) delete (value as Record<string, unknown>)[key];
      } else walk(prop, v, field, out, prune);
    }
  } else if (isObject(schema.additionalProperties)) {
    // a map: its keys are data, its values have a type
    for (const [key, v] of Object.entries(value)) {
      walk(schema.additionalProperties, v, path ? `${path}.${key}` : key, out, prune);
    }
  }
  // an object without properties or a value schema (Patch, FieldsV1, ...) takes anything
}

/**
 * the paths of fields in `obj` that the swagger definition (e.g. 'io.k8s.api.apps.v1.DaemonSet')
 * does not have, in document order: `spec.foo`, `spec.template.spec.containers[0].imagee`.
 * An unknown definition yields [] (nothing to check against).
 */
export function findUnknownFields(definition: string, obj: unknown): string[] {
  const { schema } = definitionSchema(definition);
  if (!schema) return [];
  const out: string[] = [];
  walk(schema, obj, '', out);
  return out;
}

/**
 * remove the fields the definition does not have from `obj` (in place), as decoding into the
 * Go type drops them; returns their paths as findUnknownFields does
 */
export function pruneUnknownFields(definition: string, obj: unknown): string[] {
  const { schema } = definitionSchema(definition);
  if (!schema) return [];
  const out: string[] = [];
  walk(schema, obj, '', out, true);
  return out;
}

/**
 * the paths of keys that appear twice in the same JSON object of a raw body, in document
 * order (`spec.replicas`, `spec.template.spec.containers[0].name`). Invalid JSON yields []
 * (the decoder reports that itself).
 */
export function findDuplicateFields(rawJson: string): string[] {
  const out: string[] = [];
  let i = 0;
  const s = rawJson;
  const ws = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    if (i >= s.length) throw new Error('unterminated string');
    i++;
    return JSON.parse(s.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (s[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') throw new Error('expected key');
        const key = str();
        const field = path ? `${path}.${key}` : key;
        if (seen.has(key)) out.push(field);
        seen.add(key);
        ws();
        if (s[i++] !== ':') throw new Error('expected colon');
        value(field);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === '}') {
          i++;
          return;
        } else throw new Error('expected , or }');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') {
          i++;
          return;
        } else throw new Error('expected , or ]');
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i, i + 64));
      if (!m) throw new Error('bad literal');
      i += m[0].length;
    }
  };
  try {
    value('');
  } catch {
    return [];
  }
  return out;
}

let gvkIndex: Map<string, string> | undefined;

/** the swagger definition of an apiVersion and kind ('apps/v1', 'DaemonSet' -> 'io.k8s.api.apps.v1.DaemonSet') */
export function definitionFor(apiVersion: string, kind: string): string | undefined {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const [name, schema] of Object.entries(loadSwagger().definitions)) {
      const gvks = schema['x-kubernetes-group-version-kind'];
      if (!Array.isArray(gvks)) continue;
      for (const gvk of gvks) {
        if (!isObject(gvk)) continue;
        const av = gvk.group ? `${String(gvk.group)}/${String(gvk.version)}` : String(gvk.version);
        const key = `${av}/${String(gvk.kind)}`;
        if (!gvkIndex.has(key)) gvkIndex.set(key, name);
      }
    }
  }
  return gvkIndex.get(`${apiVersion}/${kind}`);
}

/** `unknown field "spec.foo"`: one strict decoding error, also the text of a Warn-mode warning */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path}"`;
}

/** `duplicate field "spec.replicas"` */
export function duplicateFieldMessage(path: string): string {
  return `duplicate field "${path}"`;
}

/**
 * every strict decoding problem of a JSON body against a definition, as upstream words them:
 * unknown fields, then duplicate fields. `obj` is the parsed body (parsed again if omitted).
 */
export function strictFieldErrors(definition: string, rawJson: string, obj?: unknown): string[] {
  const parsed = obj === undefined ? JSON.parse(rawJson) : obj;
  return [
    ...findUnknownFields(definition, parsed).map(unknownFieldMessage),
    ...findDuplicateFields(rawJson).map(duplicateFieldMessage),
  ];
}

/**
 * the 400 BadRequest for fieldValidation=Strict:
 * `DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.foo", ...`
 */
export function strictDecodingError(kind: string, version: string, errors: string[]): ApiError {
  return new ApiError(
    400,
    'BadRequest',
    `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${errors.join(', ')}`,
  );
}

/** a `Warning` response header value for one warning text: `299 - "unknown field \"spec.foo\""` */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}
