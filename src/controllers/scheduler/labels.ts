// Label selectors (metav1.LabelSelector) and node selector requirements, as the scheduler
// evaluates them.

import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js';
import { labelSelectorMatcher, type LabelSelectorSpec } from '../../api/selectors/index.js';

export type Labels = Record<string, string> | undefined;

/**
 * metav1.LabelSelector semantics: nil selects nothing, {} selects everything, matchLabels and
 * matchExpressions are ANDed. A malformed expression selects nothing.
 */
export function labelSelectorMatches(sel: MetaLabelSelector | null | undefined, labels: Labels): boolean {
  return labelSelectorMatcher(sel as LabelSelectorSpec | null | undefined)(labels);
}

interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
}

/** one requirement of a node selector term against a value (label or field); absent = undefined */
function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // exactly one integer value; the label must parse as an integer too
      if (values.length !== 1 || value === undefined) return false;
      if (!/^[+-]?\d+$/.test(values[0]) || !/^[+-]?\d+$/.test(value)) return false;
      const a = BigInt(value);
      const b = BigInt(values[0]);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** a term matches when all its expressions and fields match; a term with neither matches nothing */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeLike): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  for (const e of exprs) {
    const v = Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined;
    if (!requirementMatches(e, v)) return false;
  }
  for (const f of fields) {
    // only metadata.name is a supported field, and only In/NotIn with it
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, node.metadata?.name)) return false;
  }
  return true;
}

/** terms are ORed; an empty term list matches nothing */
export function nodeSelectorMatches(sel: NodeSelector, node: NodeLike): boolean {
  return (sel.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}
