// Minimal label and field selector matching for the client side (fake client, informer
// filters, controllers). Two forms: the string form of a selector (`a=b,c!=d,e in (x,y),!f`)
// and the metav1.LabelSelector object (matchLabels + matchExpressions).

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

export interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt';
  values: string[];
}

/** a parsed selector; an empty list matches everything */
export type Selector = Requirement[];

/** split on commas that are not inside parentheses */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/** parse the string form of a label selector; throws on syntax errors */
export function parseSelector(s: string | undefined): Selector {
  if (!s || !s.trim()) return [];
  const reqs: Selector = [];
  for (const part of splitTop(s)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter((v) => v !== '') });
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: m[1], op: '!', values: [] });
    } else if ((m = part.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/))) {
      const op = m[2] === '==' ? '=' : m[2] === '>' ? 'gt' : m[2] === '<' ? 'lt' : (m[2] as '=' | '!=');
      reqs.push({ key: m[1], op, values: [m[3]] });
    } else if ((m = part.match(/^([^=!<>\s()]+)$/))) {
      reqs.push({ key: m[1], op: 'exists', values: [] });
    } else {
      throw new Error(`unable to parse requirement: ${part}`);
    }
  }
  return reqs;
}

export function matchesSelector(sel: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return sel.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(v);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(v);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v) || !/^-?\d+$/.test(r.values[0] ?? '')) return false;
        return r.op === 'gt' ? Number(v) > Number(r.values[0]) : Number(v) < Number(r.values[0]);
      }
    }
  });
}

/**
 * metav1.LabelSelectorAsSelector: undefined → matches nothing; {} → matches everything.
 * Returns undefined for "matches nothing" and throws on an invalid operator.
 */
export function labelSelectorAsSelector(ls: LabelSelector | undefined | null): Selector | undefined {
  if (!ls) return undefined;
  const reqs: Selector = [];
  for (const [k, v] of Object.entries(ls.matchLabels ?? {})) reqs.push({ key: k, op: '=', values: [v] });
  for (const e of ls.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, op: 'in', values: e.values ?? [] });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, op: 'notin', values: e.values ?? [] });
        break;
      case 'Exists':
        reqs.push({ key: e.key, op: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, op: '!', values: [] });
        break;
      default:
        throw new Error(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return reqs;
}

/** true when the LabelSelector object matches the labels (nil selector matches nothing) */
export function labelSelectorMatches(ls: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  const sel = labelSelectorAsSelector(ls);
  return sel !== undefined && matchesSelector(sel, labels);
}

/** true when the LabelSelector has neither matchLabels nor matchExpressions (selects everything) */
export function isEmptyLabelSelector(ls: LabelSelector | undefined | null): boolean {
  return !!ls && Object.keys(ls.matchLabels ?? {}).length === 0 && (ls.matchExpressions ?? []).length === 0;
}

/** read a dotted field path (`spec.nodeName`, `metadata.name`) from an object, as a string */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

/** field selectors: `a=b`, `a==b`, `a!=b`, comma separated (ANDed) */
export function matchesFieldSelector(s: string | undefined, obj: unknown): boolean {
  if (!s || !s.trim()) return true;
  return splitTop(s).every((part) => {
    const m = part.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new Error(`invalid field selector: ${part}`);
    const v = fieldValue(obj, m[1].trim());
    return m[2] === '!=' ? v !== m[3].trim() : v === m[3].trim();
  });
}
