// ?labelSelector= and ?fieldSelector= compiled once per request into one predicate.

import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../client/types.js';
import { labelsMatch, parseLabelSelector, parseFieldSelectorFor, fieldsMatch } from '../api/selectors/index.js';

export interface ObjectFilter {
  (obj: KubeObject): boolean;
  /** true when no selector was given (lets list report remainingItemCount) */
  matchesEverything: boolean;
}

export function compileFilter(info: ResourceInfo, labelSelector?: string, fieldSelector?: string): ObjectFilter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelectorFor(fieldSelector, info) : undefined;
  const hasLabels = !!labels && labels.length > 0;
  const hasFields = !!fields && fields.length > 0;
  const filter = ((obj: KubeObject) =>
    (!hasLabels || labelsMatch(labels!, obj.metadata.labels)) && (!hasFields || fieldsMatch(fields!, obj, info))) as ObjectFilter;
  filter.matchesEverything = !hasLabels && !hasFields;
  return filter;
}
