// x-kubernetes-validations: CEL rules on a custom object's schema nodes, evaluated with
// @bufbuild/cel (with the strings extension) as the apiextensions-apiserver's
// pkg/apiserver/schema/cel does: `self` is the node's value, `oldSelf` its value before an
// update (transition rules run only when there is one), failures are field errors at the
// node's path (plus the rule's fieldPath) with the node's type as the value. Kubernetes'
// own CEL libraries (quantity, url, isSorted, ...) are not available: a rule using one
// fails with a 422 saying so.

import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { fieldErrors, type FieldError } from '../api/errors.js';
import type { Schema, ValidationRule } from './schema.js';
import { child, index } from './schema.js';

const env = celEnv({ funcs: strings });

type Program = ReturnType<typeof plan>;
const programs = new Map<string, Program | Error>();

/** a rule compiled once (CRDs are few, rules are reused for every object) */
function program(expr: string): Program | Error {
  let p = programs.get(expr);
  if (!p) {
    try {
      p = plan(env, parse(expr));
    } catch (err) {
      p = err instanceof Error ? err : new Error(String(err));
    }
    programs.set(expr, p);
  }
  return p;
}

/** a rule's compile error (for CRD validation), or undefined */
export function compileError(expr: string): string | undefined {
  const p = program(expr);
  return p instanceof Error ? p.message : undefined;
}

/** does the expression refer to oldSelf (a transition rule)? */
function usesOldSelf(expr: string): boolean {
  return /\boldSelf\b/.test(expr);
}

/** a JSON value as CEL sees it under a schema: integers are ints, objects are maps */
export function toCel(s: Schema | undefined, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((item) => toCel(s?.items, item));
  if (typeof v === 'number') {
    const integer = s?.type === 'integer' || s?.['x-kubernetes-int-or-string'] || (!s?.type && Number.isInteger(v));
    return integer && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (typeof v === 'object') {
    const additional = typeof s?.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined;
    return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toCel(s?.properties?.[k] ?? additional, x)]));
  }
  return v;
}

function ruleMessage(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : `failed rule: ${rule.rule.trim()}`;
}

function fieldErrorFor(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return fieldErrors.forbidden(path, detail);
    case 'FieldValueRequired':
      return fieldErrors.required(path, detail);
    case 'FieldValueDuplicate':
      return fieldErrors.duplicate(path, type);
    default:
      return fieldErrors.invalid(path, type, detail);
  }
}

/** a rule's fieldPath (`.spec.foo`, `.items['a']`) appended to the node's path */
function withFieldPath(path: string, fieldPath: string | undefined): string {
  if (!fieldPath) return path;
  let out = path;
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\[['"]?([^'"\]]+)['"]?\]/g)) out = m[1] !== undefined ? child(out, m[1]) : /^\d+$/.test(m[2]) ? index(out, Number(m[2])) : `${out}[${m[2]}]`;
  return out;
}

function evaluate(s: Schema, rule: ValidationRule, self: unknown, old: unknown, path: string, errs: FieldError[]): void {
  const transition = usesOldSelf(rule.rule);
  if (transition && old === undefined && !rule.optionalOldSelf) return;
  const p = program(rule.rule);
  const type = s.type ?? (s['x-kubernetes-int-or-string'] ? 'integer-or-string' : 'object');
  const target = withFieldPath(path, rule.fieldPath);
  if (p instanceof Error) {
    errs.push(fieldErrors.invalid(target, type, `compilation failed: ${p.message}`));
    return;
  }
  const vars: Record<string, unknown> = { self: toCel(s, self) };
  if (transition) vars.oldSelf = old === undefined ? null : toCel(s, old);
  const result = p(vars as never);
  if (isCelError(result)) {
    const msg = result.message;
    if (msg.startsWith('unbound function')) {
      errs.push(fieldErrors.invalid(target, type, `${msg}: this CEL function of Kubernetes is not supported by kindling, rule: ${rule.rule.trim()}`));
    } else {
      errs.push(fieldErrors.invalid(target, type, `${msg} evaluating rule: ${rule.message?.trim() || rule.rule.trim()}`));
    }
    return;
  }
  if (result === true) return;
  let detail = ruleMessage(rule);
  if (rule.messageExpression) {
    const mp = program(rule.messageExpression);
    if (!(mp instanceof Error)) {
      const m = mp(vars as never);
      if (typeof m === 'string' && m.trim()) detail = m;
    }
  }
  errs.push(fieldErrorFor(target, type, detail, rule.reason));
}

function walk(s: Schema, v: unknown, old: unknown, path: string, errs: FieldError[]): void {
  if (v === undefined || v === null) return;
  for (const rule of s['x-kubernetes-validations'] ?? []) evaluate(s, rule, v, old, path, errs);
  if (Array.isArray(v)) {
    if (!s.items) return;
    // old items correlate only in map lists (by key), as upstream
    const keys = s['x-kubernetes-list-type'] === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
    v.forEach((item, i) => {
      let oldItem: unknown;
      if (keys && Array.isArray(old)) {
        const key = (x: unknown) => JSON.stringify(keys.map((k) => (x as Record<string, unknown>)?.[k]));
        oldItem = old.find((o) => key(o) === key(item));
      }
      walk(s.items!, item, oldItem, index(path, i), errs);
    });
    return;
  }
  if (typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  const oo = old && typeof old === 'object' && !Array.isArray(old) ? (old as Record<string, unknown>) : undefined;
  const additional = typeof s.additionalProperties === 'object' ? (s.additionalProperties as Schema) : undefined;
  for (const [k, x] of Object.entries(o)) {
    const sub = s.properties?.[k] ?? additional;
    if (sub) walk(sub, x, oo?.[k], child(path, k), errs);
  }
}

/** the CEL rule failures of an object (old: the stored object, on updates) */
export function celErrors(schema: Schema, obj: unknown, old: unknown): FieldError[] {
  const errs: FieldError[] = [];
  walk(schema, obj, old, '', errs);
  return errs;
}
