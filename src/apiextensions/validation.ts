// Validation of CustomResourceDefinitions themselves, with the apiextensions-apiserver's
// paths and messages (pkg/apis/apiextensions/validation/validation.go and the structural
// schema rules of pkg/apiserver/schema/validation.go): metadata.name, group, scope, names,
// versions (exactly one storage version), schemas (required, structural), subresources,
// printer columns, conversion.

import type {
  CustomResourceColumnDefinition,
  CustomResourceDefinition,
  CustomResourceDefinitionNames,
  CustomResourceDefinitionVersion,
  CustomResourceSubresources,
} from 'kubernetes-types/apiextensions/v1.js';
import { fieldErrors, type FieldError } from '../api/errors.js';
import { validateObjectMeta, validateObjectMetaUpdate, immutable } from '../api/validation/meta.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../api/validation/names.js';
import { nameIsDNSSubdomain } from '../api/validation/names.js';
import type { Schema } from './schema.js';
import { compilePattern } from './schema.js';
import { compileError } from './cel.js';
import { isEstablished } from './conditions.js';

type CRD = CustomResourceDefinition;

const OPENAPI_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const FAKE_POINTER = '0xc000123456';

const ptr = (type: string, v: unknown) => (v == null ? `(*${type})(nil)` : `(*${type})(${FAKE_POINTER})`);

/** Go's %#v of spec.versions, as upstream puts it into "must have exactly one ..." errors */
function renderVersions(versions: CustomResourceDefinitionVersion[] | undefined): string {
  if (!versions) return '[]apiextensions.CustomResourceDefinitionVersion(nil)';
  return `[]apiextensions.CustomResourceDefinitionVersion{${versions
    .map(
      (v) =>
        `apiextensions.CustomResourceDefinitionVersion{Name:${JSON.stringify(v.name ?? '')}, Served:${!!v.served}, Storage:${!!v.storage}, Deprecated:${!!v.deprecated}, DeprecationWarning:${ptr('string', v.deprecationWarning)}, Schema:${ptr('apiextensions.CustomResourceValidation', v.schema)}, Subresources:${ptr('apiextensions.CustomResourceSubresources', v.subresources)}, AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition${v.additionalPrinterColumns ? `{...}` : '(nil)'}, SelectableFields:[]apiextensions.SelectableField(nil)}`,
    )
    .join(', ')}}`;
}

function validateNames(names: CustomResourceDefinitionNames | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const n = names ?? ({} as CustomResourceDefinitionNames);
  const dns1035 = (v: string | undefined, field: string, prefix = '') => {
    if (!v) return;
    const msgs = isDNS1035Label(prefix ? v.toLowerCase() : v);
    if (msgs.length) errs.push(fieldErrors.invalid(field, v, `${prefix}${msgs.join(',')}`));
  };
  dns1035(n.plural, `${path}.plural`);
  dns1035(n.singular, `${path}.singular`);
  dns1035(n.kind, `${path}.kind`, 'may have mixed case, but should otherwise match: ');
  dns1035(n.listKind, `${path}.listKind`, 'may have mixed case, but should otherwise match: ');
  (n.shortNames ?? []).forEach((s, i) => dns1035(s, `${path}.shortNames[${i}]`));
  if (n.kind && n.kind === n.listKind) errs.push(fieldErrors.invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  (n.categories ?? []).forEach((c, i) => dns1035(c, `${path}.categories[${i}]`));
  return errs;
}

function validateSimpleJsonPath(s: string, path: string): FieldError[] {
  if (!s) return [fieldErrors.invalid(path, s, 'must not be empty')];
  if (s[0] !== '.') return [fieldErrors.invalid(path, s, 'must be a simple json path starting with .')];
  return [];
}

function validateColumn(c: CustomResourceColumnDefinition, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(fieldErrors.required(`${path}.name`));
  if (!c.type) errs.push(fieldErrors.required(`${path}.type`, `must be one of ${COLUMN_TYPES.join(',')}`));
  else if (!COLUMN_TYPES.includes(c.type)) errs.push(fieldErrors.invalid(`${path}.type`, c.type, `must be one of ${COLUMN_TYPES.join(',')}`));
  if (c.format && !COLUMN_FORMATS.includes(c.format)) errs.push(fieldErrors.invalid(`${path}.format`, c.format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  if (!c.jsonPath) errs.push(fieldErrors.required(`${path}.JSONPath`));
  else errs.push(...validateSimpleJsonPath(c.jsonPath, `${path}.JSONPath`));
  return errs;
}

function validateSubresources(s: CustomResourceSubresources | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const scale = s?.scale;
  if (!scale) return errs;
  const check = (value: string | undefined, field: string, prefixes: string[], what: string, required: boolean) => {
    if (!value) {
      if (required) errs.push(fieldErrors.required(`${path}.scale.${field}`));
      return;
    }
    const e = validateSimpleJsonPath(value, `${path}.scale.${field}`);
    if (e.length) errs.push(...e);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push(fieldErrors.invalid(`${path}.scale.${field}`, value, what));
  };
  check(scale.specReplicasPath, 'specReplicasPath', ['.spec.'], 'should be a json path under .spec', true);
  check(scale.statusReplicasPath, 'statusReplicasPath', ['.status.'], 'should be a json path under .status', true);
  check(scale.labelSelectorPath, 'labelSelectorPath', ['.spec.', '.status.'], 'should be a json path under either .spec or .status', false);
  return errs;
}

const ROOT_FIELDS_WITH_STATUS = new Set([
  'description', 'type', 'format', 'title', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'required', 'items', 'properties', 'externalDocs', 'example',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations',
]);

type Level = 'root' | 'item' | 'field';

/** fields a value validation under allOf/anyOf/oneOf/not must not carry, and their messages */
const NESTED_FORBIDDEN: [keyof Schema, string][] = [
  ['type', 'must be empty to be structural'],
  ['additionalProperties', 'must be undefined to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
];

function isIntOrStringAnyOf(s: Schema): boolean {
  const a = s.anyOf;
  return !!a && a.length === 2 && a[0].type === 'integer' && a[1].type === 'string' && Object.keys(a[0]).length === 1 && Object.keys(a[1]).length === 1;
}

function validateNested(s: Schema | undefined, path: string, lvl: Level, errs: FieldError[], skipAnyOf = false): void {
  if (!s) return;
  for (const [f, msg] of NESTED_FORBIDDEN) {
    const v = s[f];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) errs.push(fieldErrors.forbidden(`${path}.${f}`, msg));
  }
  if (s.properties?.metadata) errs.push(fieldErrors.forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  validateJunctors(s, path, lvl, errs, skipAnyOf);
  validateNested(s.items, `${path}.items`, lvl, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) validateNested(p, `${path}.properties[${k}]`, 'field', errs);
}

function validateJunctors(s: Schema, path: string, lvl: Level, errs: FieldError[], skipAnyOf = false): void {
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => validateNested(x, `${path}.anyOf[${i}]`, lvl, errs));
  (s.allOf ?? []).forEach((x, i) => validateNested(x, `${path}.allOf[${i}]`, lvl, errs, i === 0 && !!s['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(x)));
  (s.oneOf ?? []).forEach((x, i) => validateNested(x, `${path}.oneOf[${i}]`, lvl, errs));
  validateNested(s.not, `${path}.not`, lvl, errs);
  const re = s.pattern ? compilePattern(s.pattern) : undefined;
  if (typeof re === 'string') errs.push(fieldErrors.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${re}`));
}

/** pkg/apiserver/schema ValidateStructural: the invariants of a structural schema */
function validateStructural(s: Schema, lvl: Level, path: string, errs: FieldError[]): void {
  if (s.type === 'array' && !s.items) errs.push(fieldErrors.required(`${path}.items`, 'must be specified'));
  if (s.items && !Array.isArray(s.items)) validateStructural(s.items, 'item', `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) validateStructural(p, 'field', `${path}.properties[${k}]`, errs);
  if (typeof s.additionalProperties === 'object') {
    if (lvl === 'root') errs.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    validateStructural(s.additionalProperties as Schema, 'field', `${path}.additionalProperties`, errs);
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-preserve-unknown-fields']) {
    errs.push(fieldErrors.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-embedded-resource']) {
    errs.push(fieldErrors.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  validateJunctors(s, path, lvl, errs, !!s['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(s));
  const embedded = !!s['x-kubernetes-embedded-resource'];
  if (embedded && s.type !== 'object') {
    if (!s.type) errs.push(fieldErrors.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(fieldErrors.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    const detail = { root: 'must not be empty at the root', item: 'must not be empty for specified array items', field: 'must not be empty for specified object fields' }[lvl];
    errs.push(fieldErrors.required(`${path}.type`, detail));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(fieldErrors.invalid(`${path}.type`, s.type, 'must be object at the root'));
  const checkMeta = lvl === 'root' || embedded;
  const props = s.properties ?? {};
  if (checkMeta && props.kind && props.kind.type !== 'string') errs.push(fieldErrors.invalid(`${path}.properties[kind].type`, props.kind.type ?? '', 'must be string'));
  if (checkMeta && props.apiVersion && props.apiVersion.type !== 'string') errs.push(fieldErrors.invalid(`${path}.properties[apiVersion].type`, props.apiVersion.type ?? '', 'must be string'));
  if (checkMeta && props.metadata && props.metadata.type !== 'object') errs.push(fieldErrors.invalid(`${path}.properties[metadata].type`, props.metadata.type ?? '', 'must be object'));
  if (lvl === 'root' && props.metadata) {
    const { type: _t, properties, ...rest } = props.metadata;
    const extra = Object.keys(properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
    if (extra.length || Object.keys(rest).some((k) => k !== 'description')) {
      errs.push(fieldErrors.forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  if (embedded && !s['x-kubernetes-preserve-unknown-fields'] && !Object.keys(props).length) {
    errs.push(fieldErrors.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

/** ValidateCustomResourceDefinitionOpenAPISchema: what OpenAPI v3 features CRD schemas may use */
function validateOpenAPISchema(s: Schema, path: string, errs: FieldError[], isRoot: boolean, insideMeta: boolean): void {
  const raw = s as Record<string, unknown>;
  if (s.type && !OPENAPI_TYPES.includes(s.type)) {
    if (s.type === 'null') errs.push(fieldErrors.forbidden(`${path}.type`, 'type cannot be set to null, use nullable as an alternative'));
    else errs.push(fieldErrors.notSupported(`${path}.type`, s.type, OPENAPI_TYPES));
  }
  if (insideMeta && s.default !== undefined) errs.push(fieldErrors.forbidden(`${path}.default`, 'must not be set in top-level metadata'));
  for (const [f, msg] of [
    ['id', 'id is not supported'],
    ['additionalItems', 'additionalItems is not supported'],
    ['patternProperties', 'patternProperties is not supported'],
    ['definitions', 'definitions is not supported'],
    ['dependencies', 'dependencies is not supported'],
    ['$ref', '$ref is not supported'],
  ] as const) {
    if (raw[f] !== undefined) errs.push(fieldErrors.forbidden(`${path}.${f}`, msg));
  }
  if (Array.isArray(raw.items)) errs.push(fieldErrors.forbidden(`${path}.items`, 'items must be a schema object and not an array'));
  if (s.uniqueItems) errs.push(fieldErrors.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined && Object.keys(s.properties ?? {}).length) {
    if (s.additionalProperties === false || typeof s.additionalProperties === 'object') {
      errs.push(fieldErrors.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
  }
  if (typeof s.additionalProperties === 'object') validateOpenAPISchema(s.additionalProperties as Schema, `${path}.additionalProperties`, errs, false, false);
  for (const k of Object.keys(s.properties ?? {}).sort()) {
    validateOpenAPISchema(s.properties![k], `${path}.properties[${k}]`, errs, false, isRoot && k === 'metadata');
  }
  (['allOf', 'oneOf', 'anyOf'] as const).forEach((j) => (s[j] ?? []).forEach((x, i) => validateOpenAPISchema(x, `${path}.${j}[${i}]`, errs, false, false)));
  if (s.not) validateOpenAPISchema(s.not, `${path}.not`, errs, false, false);
  if (s.items && !Array.isArray(s.items)) validateOpenAPISchema(s.items, `${path}.items`, errs, false, false);
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(fieldErrors.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && s.type !== 'object') {
    if (!s.type) errs.push(fieldErrors.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
    else errs.push(fieldErrors.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(fieldErrors.notSupported(`${path}.x-kubernetes-map-type`, mapType, ['atomic', 'granular']));
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined && s.type !== 'array') {
    if (!s.type) errs.push(fieldErrors.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
    else errs.push(fieldErrors.invalid(`${path}.type`, s.type, 'must be array if x-kubernetes-list-type is specified'));
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) errs.push(fieldErrors.notSupported(`${path}.x-kubernetes-list-type`, listType, ['atomic', 'set', 'map']));
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length) {
    if (listType === undefined) errs.push(fieldErrors.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (listType !== 'map') errs.push(fieldErrors.invalid(`${path}.x-kubernetes-list-type`, listType, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (listType === 'map') {
    if (!keys.length) errs.push(fieldErrors.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
    if (!s.items) errs.push(fieldErrors.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    else if (items && items.type !== 'object') errs.push(fieldErrors.invalid(`${path}.items.type`, items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    else if (items) {
      const required = new Set(items.required ?? []);
      for (const k of keys) {
        const p = items.properties?.[k];
        if (!p) {
          errs.push(fieldErrors.invalidRendered(`${path}.x-kubernetes-list-map-keys`, `[]string{${keys.map((x) => JSON.stringify(x)).join(', ')}}`, 'entries must all be names of item properties'));
          continue;
        }
        if (p.type === 'array' || p.type === 'object') errs.push(fieldErrors.invalid(`${path}.items.properties[${k}].type`, items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        if (!required.has(k) && p.default === undefined) {
          errs.push(fieldErrors.required(`${path}.items.properties[${k}].default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
        if (p.nullable) errs.push(fieldErrors.forbidden(`${path}.items.properties[${k}].nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const rp = `${path}.x-kubernetes-validations[${i}]`;
    if (!rule.rule?.trim()) errs.push(fieldErrors.required(`${rp}.rule`, 'rule is not specified'));
    else if (rule.message !== undefined && rule.message.length > 0 && !rule.message.trim()) errs.push(fieldErrors.invalid(`${rp}.message`, rule.message, 'message must be non-empty if specified'));
    else if (rule.message && /[\n\r]/.test(rule.message.trim())) errs.push(fieldErrors.invalid(`${rp}.message`, rule.message, 'message must not contain line breaks'));
    else if (/[\n\r]/.test(rule.rule.trim()) && !rule.message?.trim()) errs.push(fieldErrors.required(`${rp}.message`, 'message must be specified if rule contains line breaks'));
    if (rule.reason && !['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'].includes(rule.reason)) {
      errs.push(fieldErrors.notSupported(`${rp}.reason`, rule.reason, ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']));
    }
    const compile = rule.rule?.trim() ? compileError(rule.rule) : undefined;
    if (compile) errs.push(fieldErrors.invalidRendered(`${rp}.rule`, `apiextensions.ValidationRule{Rule:${JSON.stringify(rule.rule)}, Message:${JSON.stringify(rule.message ?? '')}}`, `compilation failed: ERROR: ${compile}`));
  });
}

function hasStatus(v: CustomResourceDefinitionVersion): boolean {
  return !!v.subresources?.status;
}

function validateVersionSchema(v: CustomResourceDefinitionVersion, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const schema = v.schema?.openAPIV3Schema as Schema | undefined;
  const sp = `${path}.schema.openAPIV3Schema`;
  if (!schema) return [fieldErrors.required(sp, 'schemas are required')];
  if (hasStatus(v)) {
    if (schema.type !== undefined && schema.type !== 'object') {
      errs.push(fieldErrors.invalid(`${path}.schema.openAPIV3Schema.type`, schema.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
    } else if (Object.keys(schema).some((k) => !ROOT_FIELDS_WITH_STATUS.has(k))) {
      errs.push(fieldErrors.invalidRendered(sp, 'apiextensions.JSONSchemaProps{...}', 'only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled'));
    }
  }
  if (schema.nullable) errs.push(fieldErrors.forbidden(`${sp}.nullable`, 'nullable cannot be true at the root'));
  const structural: FieldError[] = [];
  validateStructural(schema, 'root', sp, structural);
  structural.sort((a, b) => (`${a.field}: ${a.message}` < `${b.field}: ${b.message}` ? -1 : 1));
  errs.push(...structural);
  validateOpenAPISchema(schema, sp, errs, true, false);
  return errs;
}

/** status, scale and printer columns of one version */
function validateVersion(v: CustomResourceDefinitionVersion, path: string): FieldError[] {
  const errs = validateVersionSchema(v, path);
  errs.push(...validateSubresources(v.subresources, `${path}.subresources`));
  (v.additionalPrinterColumns ?? []).forEach((c, i) => errs.push(...validateColumn(c, `${path}.additionalPrinterColumns[${i}]`)));
  if (v.deprecationWarning !== undefined && !v.deprecated) errs.push(fieldErrors.invalid(`${path}.deprecationWarning`, v.deprecationWarning, 'can only be set for deprecated versions'));
  return errs;
}

function validateSpec(crd: CRD): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? ({} as CRD['spec']);
  if (!spec.group) errs.push(fieldErrors.required('spec.group'));
  else {
    const msgs = isDNS1123Subdomain(spec.group);
    if (msgs.length) errs.push(fieldErrors.invalid('spec.group', spec.group, msgs.join(',')));
    else if (spec.group.split('.').length < 2) errs.push(fieldErrors.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(fieldErrors.required('spec.scope'));
  else if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(fieldErrors.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  const versions = spec.versions ?? [];
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    if (v.storage) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const msgs = isDNS1035Label(v.name ?? '');
    if (msgs.length) errs.push(fieldErrors.invalid(`spec.versions[${i}].name`, v.name ?? '', msgs.join(',')));
    errs.push(...validateVersion(v, `spec.versions[${i}]`));
  });
  if (!unique) errs.push(fieldErrors.invalidRendered('spec.versions', renderVersions(versions), 'must contain unique version names'));
  if (storage !== 1) errs.push(fieldErrors.invalidRendered('spec.versions', renderVersions(spec.versions), 'must have exactly one version marked as storage version'));
  const names = spec.names ?? ({} as CustomResourceDefinitionNames);
  if (!names.plural) errs.push(fieldErrors.required('spec.names.plural'));
  if (!names.singular) errs.push(fieldErrors.required('spec.names.singular'));
  if (!names.kind) errs.push(fieldErrors.required('spec.names.kind'));
  if (!names.listKind) errs.push(fieldErrors.required('spec.names.listKind'));
  errs.push(...validateNames(spec.names, 'spec.names'));
  const conv = spec.conversion;
  if (conv) {
    if (!conv.strategy) errs.push(fieldErrors.required('spec.conversion.strategy'));
    else if (conv.strategy !== 'None' && conv.strategy !== 'Webhook') errs.push(fieldErrors.notSupported('spec.conversion.strategy', conv.strategy, ['None', 'Webhook']));
    else if (conv.strategy === 'Webhook' && !conv.webhook?.clientConfig) errs.push(fieldErrors.required('spec.conversion.webhookClientConfig', 'required when strategy is set to Webhook'));
    else if (conv.strategy === 'None' && conv.webhook) errs.push(fieldErrors.forbidden('spec.conversion.webhookClientConfig', 'should not be set when strategy is not set to Webhook'));
  }
  if (spec.preserveUnknownFields) {
    errs.push(fieldErrors.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}

function validateStoredVersions(crd: CRD): FieldError[] {
  const stored = crd.status?.storedVersions ?? [];
  if (!stored.length) return [fieldErrors.invalidRendered('status.storedVersions', '[]string(nil)', 'must have at least one stored version')];
  const errs: FieldError[] = [];
  const versions = crd.spec?.versions ?? [];
  const render = `[]string{${stored.map((s) => JSON.stringify(s)).join(', ')}}`;
  for (const v of versions) if (v.storage && !stored.includes(v.name)) errs.push(fieldErrors.invalidRendered('status.storedVersions', render, `must have the storage version ${v.name}`));
  stored.forEach((s, i) => {
    if (!versions.some((v) => v.name === s)) {
      errs.push(fieldErrors.invalid(`status.storedVersions[${i}]`, s, `missing from spec.versions; ${s} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${s} and removes ${s} from status.storedVersions`));
    }
  });
  return errs;
}

export function validateCRD(crd: CRD): FieldError[] {
  const required = `${crd.spec?.names?.plural ?? ''}.${crd.spec?.group ?? ''}`;
  const nameFn = (name: string, prefix: boolean) => {
    const msgs = nameIsDNSSubdomain(name, prefix);
    if (name !== required) msgs.push('must be spec.names.plural+"."+spec.group');
    return msgs;
  };
  return [
    ...validateObjectMeta(crd.metadata, false, nameFn),
    ...validateSpec(crd),
    ...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'),
    ...validateStoredVersions(crd),
  ];
}

export function validateCRDUpdate(crd: CRD, old: CRD): FieldError[] {
  const errs = [...validateObjectMetaUpdate(crd.metadata, old.metadata), ...validateSpec(crd)];
  if (isEstablished(old)) {
    errs.push(...immutable(crd.spec?.scope, old.spec?.scope, 'spec.scope'));
    errs.push(...immutable(crd.spec?.names?.kind, old.spec?.names?.kind, 'spec.names.kind'));
  }
  errs.push(...immutable(crd.spec?.group, old.spec?.group, 'spec.group'));
  errs.push(...immutable(crd.spec?.names?.plural, old.spec?.names?.plural, 'spec.names.plural'));
  errs.push(...validateNames(crd.status?.acceptedNames, 'status.acceptedNames'));
  errs.push(...validateStoredVersions(crd));
  return errs;
}

export function validateCRDStatusUpdate(crd: CRD, old: CRD): FieldError[] {
  return [...validateObjectMetaUpdate(crd.metadata, old.metadata), ...validateNames(crd.status?.acceptedNames, 'status.acceptedNames')];
}
