// ObjectMeta, labels, annotations, label selectors and small shared checks
// (apimachinery api/validation, apis/meta/v1/validation), with upstream's paths and messages.

import { fieldErrors, type FieldError } from '../errors.js';
import type { ObjectMeta } from '../../client/types.js';
import { isDNS1123Label, isLabelValue, isQualifiedName, type NameValidator } from './names.js';
import { labelSelectorMatcher, type LabelSelectorSpec } from '../selectors/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Obj = Record<string, any>;

export function nonNegative(value: number | undefined, field: string): FieldError[] {
  return (value ?? 0) < 0 ? [fieldErrors.invalid(field, value, 'must be greater than or equal to 0')] : [];
}

export function immutable(newValue: unknown, oldValue: unknown, field: string, rendered?: string): FieldError[] {
  if (deepEqual(newValue, oldValue)) return [];
  return [rendered !== undefined ? fieldErrors.invalidRendered(field, rendered, 'field is immutable') : fieldErrors.invalid(field, newValue, 'field is immutable')];
}

/** semantic equality for JSON values: absent, null, empty list and empty map differ only in Go's eyes when non-nil */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a == null || b == null) return a == b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

export function validateLabelName(key: string, field: string): FieldError[] {
  return isQualifiedName(key).map((m) => fieldErrors.invalid(field, key, m));
}

/** labels as ValidateLabels: key errors and value errors, keys in sorted order */
export function validateLabels(labels: Record<string, string> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(labels ?? {}).sort()) {
    errs.push(...validateLabelName(k, field));
    errs.push(...isLabelValue(String(labels![k])).map((m) => fieldErrors.invalid(field, labels![k], m)));
  }
  return errs;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: Record<string, string> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const k of Object.keys(annotations ?? {}).sort()) {
    // annotation keys are qualified names in which case does not matter
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => fieldErrors.invalid(field, k, m)));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(annotations![k]));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(field, '', TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: Obj[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const ref of refs ?? []) {
    const gv = String(ref.apiVersion ?? '');
    const version = gv.includes('/') ? gv.split('/')[1] : gv;
    if (!version) errs.push(fieldErrors.invalid(`${field}.apiVersion`, version, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(`${field}.name`, ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  }
  if (controllers.length > 1) {
    errs.push(
      fieldErrors.invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`),
    );
  }
  return errs;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: string[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) {
    errs.push(...isQualifiedName(f).map((m) => fieldErrors.invalid(field, f, m)));
  }
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(fieldErrors.invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  for (const f of list) {
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(fieldErrors.invalid(field, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return errs;
}

/**
 * ValidateObjectMeta on create. An empty name with a generateName is accepted: the API server
 * generates the name before it stores the object.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, namespaced: boolean, nameFn: NameValidator, field = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) {
    errs.push(...nameFn(m.generateName, true).map((msg) => fieldErrors.invalid(`${field}.generateName`, m.generateName, msg)));
  }
  if (!m.name) {
    if (!m.generateName) errs.push(fieldErrors.required(`${field}.name`, 'name or generateName is required'));
  } else {
    errs.push(...nameFn(m.name, false).map((msg) => fieldErrors.invalid(`${field}.name`, m.name, msg)));
  }
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErrors.required(`${field}.namespace`));
    else errs.push(...isDNS1123Label(m.namespace).map((msg) => fieldErrors.invalid(`${field}.namespace`, m.namespace, msg)));
  } else if (m.namespace) {
    errs.push(fieldErrors.forbidden(`${field}.namespace`, 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, `${field}.generation`));
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences as Obj[] | undefined, `${field}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${field}.finalizers`));
  return errs;
}

/**
 * ValidateObjectMetaUpdate. Upstream's registry first carries generation, creationTimestamp,
 * deletion fields and an empty uid/resourceVersion over from the stored object, so those checks
 * cannot fail for users and are left out here; name, namespace and a given uid are immutable.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, field = 'metadata'): FieldError[] {
  const m = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const added = (m.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(fieldErrors.forbidden(`${field}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`));
    }
  }
  errs.push(...immutable(m.name ?? '', o.name ?? '', `${field}.name`));
  errs.push(...immutable(m.namespace ?? '', o.namespace ?? '', `${field}.namespace`));
  if (m.uid) errs.push(...immutable(m.uid, o.uid ?? '', `${field}.uid`));
  errs.push(...validateLabels(m.labels, `${field}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${field}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences as Obj[] | undefined, `${field}.ownerReferences`));
  return errs;
}

/** metav1 ValidateLabelSelector */
export function validateLabelSelector(sel: Obj | undefined | null, field: string): FieldError[] {
  if (sel == null) return [];
  const errs: FieldError[] = [];
  (sel.matchExpressions ?? []).forEach((req: Obj, i: number) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values: unknown[] = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErrors.invalid(`${p}.operator`, req.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(req.key ?? '', `${p}.key`));
    values.forEach((v, j) => errs.push(...isLabelValue(String(v)).map((m) => fieldErrors.invalid(`${p}.values[${j}]`, v, m))));
  });
  errs.push(...validateLabels(sel.matchLabels, `${field}.matchLabels`));
  return errs;
}

/**
 * metav1.LabelSelectorAsSelector(sel).Matches(labels): a nil selector matches nothing, an
 * empty one everything.
 */
export function selectorMatches(sel: Obj | undefined | null, labels: Record<string, string> | undefined): boolean {
  return labelSelectorMatcher(sel as LabelSelectorSpec | undefined | null)(labels);
}

/** whether LabelSelectorAsSelector would fail (bad operator or values), as the callers check it */
export function selectorConvertible(sel: Obj | undefined | null): boolean {
  if (sel == null) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isLabelValue(String(v)).length > 0) return false;
  }
  for (const req of (sel.matchExpressions ?? []) as Obj[]) {
    if (isQualifiedName(req.key ?? '').length > 0) return false;
    if ((req.values ?? []).some((v: unknown) => isLabelValue(String(v)).length > 0)) return false;
    const n = (req.values ?? []).length;
    if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) return false;
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) return false;
  }
  return true;
}
