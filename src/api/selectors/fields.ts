// Field selectors: apimachinery's fields.ParseSelector syntax (=, ==, !=, commas, backslash
// escapes), the per-kind field label tables the apiserver converts through, and matching an
// object against the selectable fields its registry exposes.
import { badRequest } from '../errors.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** fields.UnescapeValue */
function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/**
 * Parse a field selector string (?fieldSelector=...). Terms come back sorted as upstream
 * sorts them. Throws 400 BadRequest with upstream's message.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const parts = splitTerms(selector).sort();
  const out: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let found: { lhs: string; op: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of ['!=', '==', '=']) {
        if (part.startsWith(op, i)) {
          found = { lhs: part.slice(0, i), op, rhs: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (!found) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    out.push({ field: found.lhs, operator: found.op === '!=' ? '!=' : '=', value: unescapeValue(found.rhs) });
  }
  return out;
}

/** the selector's string form, e.g. "spec.nodeName=n1,status.phase!=Failed" */
export function fieldSelectorString(reqs: FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}

// ---- per-kind selectable fields ----

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type FieldGetter = (o: Obj) => string;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** the fields a kind can be selected by, with how to read each from an object */
interface SelectableFields {
  /** labels the apiserver accepts; undefined: no conversion func (only metadata.name/namespace) */
  labels?: Record<string, string>;
  fields: Record<string, FieldGetter>;
}

const podFields: Record<string, FieldGetter> = {
  'spec.nodeName': (o) => str(o.spec?.nodeName),
  'spec.restartPolicy': (o) => str(o.spec?.restartPolicy),
  'spec.schedulerName': (o) => str(o.spec?.schedulerName),
  'spec.serviceAccountName': (o) => str(o.spec?.serviceAccountName),
  'spec.hostNetwork': (o) => String(o.spec?.hostNetwork === true),
  'status.phase': (o) => str(o.status?.phase),
  // upstream exposes the first pod IP under both names
  'status.podIP': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
  'status.podIPs': (o) => str(o.status?.podIPs?.[0]?.ip ?? o.status?.podIP),
  'status.nominatedNodeName': (o) => str(o.status?.nominatedNodeName),
};

const coreEventFields: Record<string, FieldGetter> = {
  'involvedObject.kind': (o) => str(o.involvedObject?.kind),
  'involvedObject.namespace': (o) => str(o.involvedObject?.namespace),
  'involvedObject.name': (o) => str(o.involvedObject?.name),
  'involvedObject.uid': (o) => str(o.involvedObject?.uid),
  'involvedObject.apiVersion': (o) => str(o.involvedObject?.apiVersion),
  'involvedObject.resourceVersion': (o) => str(o.involvedObject?.resourceVersion),
  'involvedObject.fieldPath': (o) => str(o.involvedObject?.fieldPath),
  reason: (o) => str(o.reason),
  reportingComponent: (o) => str(o.reportingComponent),
  source: (o) => str(o.source?.component || o.reportingComponent),
  type: (o) => str(o.type),
};

/** events.k8s.io/v1 names: "regarding" for involvedObject, "reportingController" */
const eventsV1Fields: Record<string, FieldGetter> = {
  'regarding.kind': (o) => str(o.regarding?.kind),
  'regarding.namespace': (o) => str(o.regarding?.namespace),
  'regarding.name': (o) => str(o.regarding?.name),
  'regarding.uid': (o) => str(o.regarding?.uid),
  'regarding.apiVersion': (o) => str(o.regarding?.apiVersion),
  'regarding.resourceVersion': (o) => str(o.regarding?.resourceVersion),
  'regarding.fieldPath': (o) => str(o.regarding?.fieldPath),
  reason: (o) => str(o.reason),
  reportingController: (o) => str(o.reportingController),
  type: (o) => str(o.type),
};

function identity(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, n]));
}

/** keyed by "<group>/<Kind>" ('' group for core) */
const SELECTABLE: Record<string, SelectableFields> = {
  '/Pod': {
    labels: { ...identity(['metadata.name', 'metadata.namespace', ...Object.keys(podFields)]), 'spec.host': 'spec.nodeName' },
    fields: podFields,
  },
  '/Node': {
    labels: identity(['metadata.name', 'spec.unschedulable']),
    fields: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  },
  '/Event': {
    labels: identity(['metadata.name', 'metadata.namespace', ...Object.keys(coreEventFields)]),
    fields: coreEventFields,
  },
  '/Namespace': {
    labels: identity(['metadata.name', 'status.phase']),
    fields: { 'status.phase': (o) => str(o.status?.phase) },
  },
  '/Secret': {
    labels: identity(['metadata.name', 'metadata.namespace', 'type']),
    fields: { type: (o) => str(o.type) },
  },
  '/Service': {
    labels: identity(['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type']),
    fields: { 'spec.clusterIP': (o) => str(o.spec?.clusterIP), 'spec.type': (o) => str(o.spec?.type) },
  },
  '/ReplicationController': {
    labels: identity(['metadata.name', 'metadata.namespace', 'status.replicas']),
    fields: { 'status.replicas': (o) => str(o.status?.replicas ?? 0) },
  },
  'apps/ReplicaSet': {
    labels: identity(['metadata.name', 'metadata.namespace', 'status.replicas']),
    fields: { 'status.replicas': (o) => str(o.status?.replicas ?? 0) },
  },
  'events.k8s.io/Event': {
    labels: identity(['metadata.name', 'metadata.namespace', ...Object.keys(eventsV1Fields)]),
    fields: eventsV1Fields,
  },
};

/** a resource's identity as the field tables need it (ResourceInfo fits) */
export interface FieldSelectorTarget {
  group: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Check every field label against what the kind supports (scheme.ConvertFieldLabel) and
 * rename deprecated ones (pods: spec.host -> spec.nodeName). Throws 400 BadRequest with
 * upstream's message for an unsupported label.
 */
export function convertFieldSelector(reqs: FieldRequirement[], target: FieldSelectorTarget): FieldRequirement[] {
  const table = SELECTABLE[`${target.group}/${target.kind}`];
  return reqs.map((r) => {
    if (!table?.labels) {
      if (r.field === 'metadata.name' || r.field === 'metadata.namespace') return r;
      throw badRequest(`"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    const to = table.labels[r.field];
    if (to === undefined) throw badRequest(`field label not supported: ${r.field}`);
    return to === r.field ? r : { ...r, field: to };
  });
}

/** parse and check a ?fieldSelector= value for a resource */
export function parseFieldSelectorFor(selector: string, target: FieldSelectorTarget): FieldRequirement[] {
  return convertFieldSelector(parseFieldSelector(selector), target);
}

/** the selectable fields of an object (upstream's <Kind>ToSelectableFields) */
export function selectableFields(obj: unknown, target: FieldSelectorTarget): Record<string, string> {
  const o = (obj ?? {}) as Obj;
  const out: Record<string, string> = { 'metadata.name': str(o.metadata?.name) };
  if (target.namespaced) out['metadata.namespace'] = str(o.metadata?.namespace);
  const table = SELECTABLE[`${target.group}/${target.kind}`];
  for (const [name, get] of Object.entries(table?.fields ?? {})) out[name] = get(o);
  return out;
}

/** does obj satisfy every requirement? (a missing field reads as "") */
export function fieldsMatch(reqs: FieldRequirement[], obj: unknown, target: FieldSelectorTarget): boolean {
  if (reqs.length === 0) return true;
  const f = selectableFields(obj, target);
  return reqs.every((r) => ((f[r.field] ?? '') === r.value) === (r.operator === '='));
}
