// How printers render label maps and label selectors (labels.FormatLabels,
// metav1.FormatLabelSelector, Selector.String()).

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** `a=1,b=2` with sorted pairs, "" for an empty map */
export function labelsString(labels: Record<string, string> | undefined | null): string {
  if (!labels) return '';
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
}

/** labels.FormatLabels: like labelsString but "<none>" when empty */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  return labelsString(labels) || '<none>';
}

const OPERATORS: Record<string, (key: string, values: string) => string> = {
  In: (k, v) => `${k} in (${v})`,
  NotIn: (k, v) => `${k} notin (${v})`,
  Exists: (k) => k,
  DoesNotExist: (k) => `!${k}`,
};

/**
 * Selector.String() of LabelSelectorAsSelector: requirements sorted by key, values sorted;
 * "" for a nil or empty selector; undefined when an operator is invalid (the caller decides
 * between "<error>" and "<invalid>", as upstream's callers do).
 */
export function selectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const render = OPERATORS[e.operator];
    if (!render) return undefined;
    const values = [...(e.values ?? [])].sort().join(',');
    reqs.push({ key: e.key, text: render(e.key, values) });
  }
  // stable sort by key only, as labels.ByKey
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  if (s === undefined) return '<error>';
  return s || '<none>';
}
