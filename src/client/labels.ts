// Label and field selector matching for the client side (fake client, informer filters,
// controllers): label selectors are the API's own (src/api/selectors); field selectors here
// read any dotted path, as the fake client needs without per-kind tables.

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  labelSelectorRequirements,
  labelsMatch,
  parseLabelSelector,
  type LabelRequirement,
  type LabelSelectorSpec,
} from '../api/selectors/index.js';

/** a parsed label selector (the api/selectors requirements); an empty list matches everything */
export type Selector = LabelRequirement[];
export type Requirement = LabelRequirement;

/** parse the string form of a label selector; throws upstream's 400 on syntax errors */
export function parseSelector(s: string | undefined): Selector {
  if (!s || !s.trim()) return [];
  return parseLabelSelector(s);
}

export function matchesSelector(sel: Selector, labels: Record<string, string> | undefined): boolean {
  return labelsMatch(sel, labels);
}

/**
 * metav1.LabelSelectorAsSelector: undefined → matches nothing; {} → matches everything.
 * Returns undefined for "matches nothing" and throws on an invalid operator.
 */
export function labelSelectorAsSelector(ls: LabelSelector | undefined | null): Selector | undefined {
  return labelSelectorRequirements(ls as LabelSelectorSpec | undefined | null) ?? undefined;
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
