// Label selectors (metav1.LabelSelector) as the scheduler evaluates them (node selectors: src/api/nodeaffinity.ts).

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
