// Custom objects against their CRD's structural schema, as the apiextensions-apiserver does:
// pruning of undeclared fields (pkg/apiserver/schema/pruning), defaulting (schema/defaulting)
// and value validation with kube-openapi's messages as apiextensions turns them into field
// errors (pkg/apiserver/validation): "<path> in body must be of type integer", "Required
// value", "Unsupported value", ... CEL rules are evaluated by cel.ts.

import { fieldErrors, renderValue, type FieldError } from '../api/errors.js';
import { validateObjectMeta } from '../api/validation/meta.js';
import { nameIsDNSSubdomain } from '../api/validation/names.js';
import type { ResourceTable } from '../api/resources.js';
import { celErrors } from './cel.js';
import { RE2JS } from '@bufbuild/re2';

/** a CRD version's openAPIV3Schema as JSON (kubernetes-types names the x- fields differently) */
export interface Schema {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
  [other: string]: unknown;
}

/** one x-kubernetes-validations entry */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}
type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** the JSON type of a value as kube-openapi names it */
export function jsonType(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/**
 * the structural schema of a served custom kind, for anything that walks objects by schema
 * (server-side apply's list types and map keys, OpenAPI); undefined for built-in kinds
 */
export function structuralSchemaFor(resources: ResourceTable, apiVersion: string, kind: string): Schema | undefined {
  return resources.forKind(apiVersion, kind)?.custom?.schema as Schema | undefined;
}

// ---- pruning ----------------------------------------------------------------------------

/** the fields every object (and embedded resource) has regardless of its schema */
const RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * remove fields the schema does not declare (unless x-kubernetes-preserve-unknown-fields) and
 * nulls of non-nullable fields; returns the removed paths (`spec.foo`, `spec.list[0].bar`)
 */
export function prune(schema: Schema | undefined, obj: JsonObject): string[] {
  const out: string[] = [];
  if (!schema) return out;
  pruneNode(schema, obj, '', true, out);
  return out;
}

function pruneNode(s: Schema, v: Json, path: string, isResource: boolean, out: string[]): void {
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => pruneNode(s.items!, item, index(path, i), !!s.items!['x-kubernetes-embedded-resource'], out));
    return;
  }
  if (!isObject(v)) return;
  const props = s.properties;
  const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined;
  for (const key of Object.keys(v)) {
    const p = child(path, key);
    // apiVersion, kind and ObjectMeta are the API server's, whatever the schema says of them
    if (isResource && RESOURCE_FIELDS.has(key)) continue;
    const sub = props?.[key] ?? additional;
    if (!sub) {
      if (s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true) continue;
      delete v[key];
      out.push(p);
      continue;
    }
    if (v[key] === null && !sub.nullable && sub.default === undefined) {
      delete v[key];
      continue;
    }
    pruneNode(sub, v[key], p, !!sub['x-kubernetes-embedded-resource'], out);
  }
}

// ---- defaulting -------------------------------------------------------------------------

/** set the schema's defaults where fields are absent (or null and not nullable) */
export function applyDefaults(schema: Schema | undefined, obj: JsonObject): void {
  if (schema) defaultNode(schema, obj);
}

function defaultNode(s: Schema, v: Json): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) defaultNode(s.items, item);
    return;
  }
  if (!isObject(v)) return;
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    if (sub.default !== undefined && (v[key] === undefined || (v[key] === null && !sub.nullable))) v[key] = structuredClone(sub.default);
  }
  for (const [key, value] of Object.entries(v)) {
    const sub = s.properties?.[key] ?? (typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined);
    if (sub) defaultNode(sub, value);
  }
}

// ---- value validation -------------------------------------------------------------------

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  email: (s) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s),
  hostname: (s) => /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  ipv6: (s) => /^[0-9a-fA-F:.]+$/.test(s) && s.includes(':'),
  cidr: (s) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  mac: (s) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(s),
  uuid: (s) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s),
  byte: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s),
  duration: (s) => /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s) || s === '0',
};

const patternCache = new Map<string, RE2JS | string>();

/** a schema pattern compiled with Go's regexp syntax (RE2), or Go's error message */
export function compilePattern(pattern: string): RE2JS | string {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      re = (err as Error).message;
    }
    patternCache.set(pattern, re);
  }
  return re;
}

function typeError(path: string, expected: string, actual: string): FieldError {
  return {
    type: 'FieldValueTypeInvalid',
    field: path,
    message: `Invalid value: ${JSON.stringify(actual)}: ${path} in body must be of type ${expected}: ${JSON.stringify(actual)}`,
  };
}

function typeMatches(type: string, v: Json): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

/** a list item's map-key tuple rendered as Go prints map[string]interface{} */
function renderKey(keys: string[], item: JsonObject): string {
  return `map[string]interface {}{${[...keys].sort().map((k) => `${JSON.stringify(k)}:${renderValue(item[k])}`).join(', ')}}`;
}

/** every schema violation of value v at path (not CEL rules) */
export function validateValue(s: Schema, v: Json, path: string, errs: FieldError[]): void {
  if (v === null || v === undefined) {
    if (v === null && !s.nullable && s.type) errs.push(typeError(path, s.type, 'null'));
    return;
  }
  if (s['x-kubernetes-int-or-string']) {
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)))) {
      errs.push(typeError(path, 'integer,string', jsonType(v)));
      return;
    }
  } else if (s.type && !typeMatches(s.type, v)) {
    errs.push(typeError(path, s.type, jsonType(v)));
    return;
  }
  if (isObject(v)) validateObject(s, v, path, errs);
  else if (Array.isArray(v)) validateArray(s, v, path, errs);
  else if (typeof v === 'string') validateString(s, v, path, errs);
  else if (typeof v === 'number') validateNumber(s, v, path, errs);
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errs.push(fieldErrors.notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  validateJunctors(s, v, path, errs);
}

function validateObject(s: Schema, v: JsonObject, path: string, errs: FieldError[]): void {
  for (const r of s.required ?? []) if (v[r] === undefined) errs.push(fieldErrors.required(child(path, r)));
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    errs.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${n}: must have at most ${s.maxProperties} items` });
  }
  if (s.minProperties !== undefined && n < s.minProperties) {
    errs.push(fieldErrors.invalid(path, n, `${path} in body should have at least ${s.minProperties} properties`));
  }
  const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined;
  for (const [key, value] of Object.entries(v)) {
    const sub = s.properties?.[key] ?? additional;
    if (sub) validateValue(sub, value, child(path, key), errs);
  }
  if (s['x-kubernetes-embedded-resource']) validateEmbedded(v, path, errs);
}

/** x-kubernetes-embedded-resource: apiVersion, kind and metadata of an object inside an object */
function validateEmbedded(v: JsonObject, path: string, errs: FieldError[]): void {
  if (!v.kind) errs.push(fieldErrors.required(child(path, 'kind'), 'must not be empty'));
  if (!v.apiVersion) errs.push(fieldErrors.required(child(path, 'apiVersion'), 'must not be empty'));
  else if (typeof v.apiVersion === 'string' && v.apiVersion.split('/').length > 2) {
    errs.push(fieldErrors.invalid(child(path, 'apiVersion'), v.apiVersion, 'must be a valid group/version'));
  }
  if (isObject(v.metadata)) {
    // an embedded object's name is optional (a template has none)
    errs.push(...validateObjectMeta(v.metadata, false, nameIsDNSSubdomain, child(path, 'metadata')).filter((e) => e.type !== 'FieldValueRequired'));
  }
}

function validateArray(s: Schema, v: Json[], path: string, errs: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    errs.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
  }
  if (s.minItems !== undefined && v.length < s.minItems) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should have at least ${s.minItems} items`));
  }
  if (s.items) v.forEach((item, i) => validateValue(s.items!, item, index(path, i), errs));
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) errs.push(fieldErrors.duplicate(index(path, i), item));
      seen.add(k);
    });
  } else if (listType === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    v.forEach((item, i) => {
      if (!isObject(item)) return;
      const k = JSON.stringify(keys.map((key) => item[key] ?? s.items?.properties?.[key]?.default ?? null));
      if (seen.has(k)) errs.push({ type: 'FieldValueDuplicate', field: index(path, i), message: `Duplicate value: ${renderKey(keys, item)}` });
      seen.add(k);
    });
  }
}

function validateString(s: Schema, v: string, path: string, errs: FieldError[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength) errs.push(fieldErrors.tooLong(path, v, s.maxLength));
  if (s.minLength !== undefined && length < s.minLength) errs.push(fieldErrors.invalid(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.pattern) {
    const re = compilePattern(s.pattern);
    if (typeof re !== 'string' && !re.test(v)) errs.push(fieldErrors.invalid(path, v, `${path} in body should match '${s.pattern}'`));
  }
  if (s.format && FORMATS[s.format] && !FORMATS[s.format](v)) errs.push(typeError(path, s.format, v));
}

function validateNumber(s: Schema, v: number, path: string, errs: FieldError[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
      errs.push(fieldErrors.invalid(path, v, `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
      errs.push(fieldErrors.invalid(path, v, `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf !== 0 && !Number.isInteger(v / s.multipleOf)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body should be a multiple of ${s.multipleOf}`));
  }
}

/** allOf, anyOf, oneOf, not: value validations only (structural schemas carry no types there) */
function validateJunctors(s: Schema, v: Json, path: string, errs: FieldError[]): void {
  for (const sub of s.allOf ?? []) validateValue(sub, v, path, errs);
  const passes = (sub: Schema) => {
    const e: FieldError[] = [];
    validateValue(sub, v, path, e);
    return e.length === 0;
  };
  if (s.anyOf?.length && !s['x-kubernetes-int-or-string'] && !s.anyOf.some(passes)) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body must validate at least one schema (anyOf)`));
  }
  if (s.oneOf?.length && s.oneOf.filter(passes).length !== 1) {
    errs.push(fieldErrors.invalid(path, v, `${path} in body must validate one and only one schema (oneOf)`));
  }
  if (s.not && passes(s.not)) errs.push(fieldErrors.invalid(path, v, `${path} in body must not validate the schema (not)`));
}

/**
 * the whole validation of a custom object's body: schema violations first; CEL rules only where
 * the schema holds (as upstream, which skips CEL on a schema-invalid object)
 */
export function validateObjectAgainstSchema(schema: Schema | undefined, obj: JsonObject, old: JsonObject | undefined): FieldError[] {
  if (!schema) return [];
  const errs: FieldError[] = [];
  // metadata is ObjectMeta (validated apart); the root's other fields against the schema
  const { metadata: _m, ...body } = obj;
  const rootSchema: Schema = { ...schema, properties: { ...(schema.properties ?? {}) } };
  delete rootSchema.properties!.metadata;
  validateValue(rootSchema, body, '', errs);
  if (errs.length) return errs;
  const oldBody = old ? (({ metadata: _om, ...rest }) => rest)(old) : undefined;
  return celErrors(rootSchema, body, oldBody);
}
