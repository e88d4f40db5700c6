// Query parameters converted as the apiserver's parameter codec converts them
// (k8s.io/apimachinery/pkg/runtime/conversion.go): a bool is false only when absent, "0" or
// "false" in any case, and true for anything else (`watch=True`, `watch=1`, even `watch=`);
// integers go through strconv.ParseInt and a bad one is a 400 with Go's message.

import { badRequest, fieldErrors, invalid, type FieldError } from '../api/errors.js';

/** Convert_Slice_string_To_bool: absent, "0" or case-insensitive "false" are false */
export function queryBool(v: string | null): boolean {
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Convert_Slice_string_To_Pointer_bool: undefined when absent */
export function queryOptionalBool(q: URLSearchParams, name: string): boolean | undefined {
  return q.has(name) ? queryBool(q.get(name)) : undefined;
}

const INT64 = /^[+-]?\d+$/;
const MAX_INT64 = 9223372036854775807n;

/**
 * Convert_Slice_string_To_int64 (strconv.ParseInt(v, 10, 64)); undefined when absent.
 * An empty value is a syntax error there too.
 */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!INT64.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > MAX_INT64 || n < -MAX_INT64 - 1n) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface RequestWriteOptions {
  dryRun?: string[];
  fieldManager?: string;
  /** the HTTP API always sets it: unset is Warn upstream */
  fieldValidation: FieldValidation;
  force?: boolean;
  warnings: string[];
}

/** the Options kind upstream validates a write's query parameters as */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** upstream's FieldManagerMaxLength */
const FIELD_MANAGER_MAX = 128;

/** ValidateDryRun: only "All" */
export function dryRunErrors(dryRun: string[]): FieldError[] {
  return dryRun.some((d) => d !== 'All') ? [fieldErrors.notSupported('dryRun', dryRun, ['All'])] : [];
}

/** a 422 for invalid options, as errors.NewInvalid(meta.k8s.io/<Kind>, "", errs) */
export function invalidOptions(kind: OptionsKind, errs: FieldError[]): void {
  if (errs.length) throw invalid(kind, 'meta.k8s.io', '', errs);
}

/**
 * CreateOptions/UpdateOptions/PatchOptions from the query, validated as upstream's
 * ValidateCreateOptions/ValidateUpdateOptions/ValidatePatchOptions (422 Invalid)
 */
export function parseWriteOptions(q: URLSearchParams, kind: Exclude<OptionsKind, 'DeleteOptions'>, apply = false): RequestWriteOptions {
  const dryRun = q.getAll('dryRun');
  const fieldManager = q.get('fieldManager') ?? '';
  const fieldValidation = q.get('fieldValidation') ?? '';
  const force = queryOptionalBool(q, 'force');
  const errs: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (!apply && force !== undefined) errs.push(fieldErrors.forbidden('force', 'may not be specified for non-apply patch'));
    if (apply && !fieldManager) errs.push(fieldErrors.required('fieldManager', 'is required for apply patch'));
  }
  if (fieldManager.length > FIELD_MANAGER_MAX) errs.push(fieldErrors.tooLong('fieldManager', fieldManager, FIELD_MANAGER_MAX));
  errs.push(...dryRunErrors(dryRun));
  if (!['', 'Ignore', 'Warn', 'Strict'].includes(fieldValidation)) {
    errs.push(fieldErrors.notSupported('fieldValidation', fieldValidation, ['', 'Ignore', 'Strict', 'Warn']));
  }
  invalidOptions(kind, errs);
  return {
    dryRun: dryRun.length ? dryRun : undefined,
    fieldManager: fieldManager || undefined,
    fieldValidation: (fieldValidation || 'Warn') as FieldValidation,
    force,
    warnings: [],
  };
}
