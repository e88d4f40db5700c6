// Required node affinity as upstream's component-helpers define it
// (k8s.io/component-helpers/scheduling/corev1/nodeaffinity): the one implementation the
// DaemonSet controller, the scheduler's NodeAffinity filter and scoring, and explain use.
//
// A NodeSelector's terms are ORed; empty terms are skipped (they select nothing); a term's
// matchExpressions (labels.Requirement semantics, validated as labels.NewRequirement does) and
// matchFields (only In/NotIn with exactly one value, over the node's metadata.name) are ANDed.
// A term that does not parse matches nothing, the others still may (LazyErrorNodeSelector).

import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from 'kubernetes-types/core/v1.js';
import { labelKeyErrors, labelValueErrors } from './selectors/labels.js';

export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
}

type Labels = Record<string, string>;

const has = (labels: Labels, k: string) => Object.prototype.hasOwnProperty.call(labels, k);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64; undefined if not */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

type LabelMatch = (labels: Labels) => boolean;

/** labels.NewRequirement for one expression: a matcher, or the parse errors */
function labelRequirement(r: NodeSelectorRequirement, path: string): LabelMatch | string[] {
  const errs: string[] = [];
  const values = r.values ?? [];
  const key = r.key ?? '';
  for (const e of labelKeyErrors(key)) errs.push(`${path}.key: Invalid value: ${JSON.stringify(key)}: ${e}`);
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(`${path}.values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) errs.push(`${path}.values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(`${path}.values: Invalid value: ${JSON.stringify(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      else if (parseInt64(values[0]) === undefined) errs.push(`${path}.values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`);
      break;
    default:
      return [`${path}.operator: Unsupported value: ${JSON.stringify(r.operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"`];
  }
  values.forEach((v, i) => {
    for (const e of labelValueErrors(v)) errs.push(`${path}.values[${i}]: Invalid value: ${JSON.stringify(v)}: ${e}`);
  });
  if (errs.length) return errs;
  switch (r.operator) {
    case 'In':
      return (l) => has(l, key) && values.includes(l[key]);
    case 'NotIn':
      return (l) => !has(l, key) || !values.includes(l[key]);
    case 'Exists':
      return (l) => has(l, key);
    case 'DoesNotExist':
      return (l) => !has(l, key);
    default: {
      const want = parseInt64(values[0])!;
      const gt = r.operator === 'Gt';
      return (l) => {
        if (!has(l, key)) return false;
        const v = parseInt64(l[key]);
        if (v === undefined) return false;
        return gt ? v > want : v < want;
      };
    }
  }
}

type FieldMatch = (fields: Labels) => boolean;

/** nodeSelectorRequirementsAsFieldSelector for one requirement */
function fieldRequirement(r: NodeSelectorRequirement, path: string): FieldMatch | string[] {
  const values = r.values ?? [];
  if (r.operator !== 'In' && r.operator !== 'NotIn') return [`${path}.operator: Unsupported value: ${JSON.stringify(r.operator)}: supported values: "In", "NotIn"`];
  if (values.length !== 1) return [`${path}.values: Invalid value: ${JSON.stringify(values)}: must have one element`];
  const [want] = values;
  const key = r.key ?? '';
  // fields.Set.Get: an absent field reads as ""
  return r.operator === 'In' ? (f) => (f[key] ?? '') === want : (f) => (f[key] ?? '') !== want;
}

/** one parsed term */
export class ParsedNodeSelectorTerm {
  private readonly labels: LabelMatch[] | undefined;
  private readonly fields: FieldMatch[] | undefined;
  readonly errors: string[] = [];

  constructor(term: NodeSelectorTerm, path: string) {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length) {
      this.labels = [];
      exprs.forEach((e, i) => {
        const m = labelRequirement(e, `${path}.matchExpressions[${i}]`);
        if (Array.isArray(m)) this.errors.push(...m);
        else this.labels!.push(m);
      });
    }
    if (fields.length) {
      this.fields = [];
      fields.forEach((f, i) => {
        const m = fieldRequirement(f, `${path}.matchFields[${i}]`);
        if (Array.isArray(m)) this.errors.push(...m);
        else this.fields!.push(m);
      });
    }
  }

  match(node: NodeLike): boolean {
    if (this.errors.length) return false;
    const labels = node.metadata?.labels ?? {};
    if (this.labels && !this.labels.every((m) => m(labels))) return false;
    const name = node.metadata?.name ?? '';
    // upstream extracts no fields from a node without a name, and then ignores matchFields
    if (this.fields && name !== '' && !this.fields.every((m) => m({ 'metadata.name': name }))) return false;
    return true;
  }
}

const isEmptyTerm = (t: NodeSelectorTerm) => (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;

/** LazyErrorNodeSelector: terms ORed; terms that do not parse match nothing */
export class NodeSelectorMatcher {
  readonly terms: { index: number; term: ParsedNodeSelectorTerm }[] = [];

  constructor(sel: NodeSelector, path = 'nodeSelectorTerms') {
    (sel.nodeSelectorTerms ?? []).forEach((t, i) => {
      if (!isEmptyTerm(t)) this.terms.push({ index: i, term: new ParsedNodeSelectorTerm(t, `${path}[${i}]`) });
    });
  }

  /** parse errors of every term (NewNodeSelector refuses a selector that has any) */
  get errors(): string[] {
    return this.terms.flatMap((t) => t.term.errors);
  }

  match(node: NodeLike | undefined): boolean {
    if (!node) return false;
    return this.terms.some((t) => t.term.match(node));
  }
}

/** why a pod's required node affinity rejects a node */
export type NodeAffinityMismatch =
  | { reason: 'NodeSelectorMismatch'; key: string; want: string; have?: string }
  | { reason: 'NodeAffinityMismatch'; terms: number; errors?: string[] };

/** GetRequiredNodeAffinity: the pod's nodeSelector AND its required node affinity */
export class RequiredNodeAffinity {
  private readonly selector: [string, string][];
  private readonly affinity: NodeSelectorMatcher | undefined;

  constructor(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'> | undefined) {
    this.selector = Object.entries(spec?.nodeSelector ?? {});
    const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.affinity = req ? new NodeSelectorMatcher(req) : undefined;
  }

  /** undefined when the node matches, else the first reason it does not */
  mismatch(node: NodeLike): NodeAffinityMismatch | undefined {
    const labels = node.metadata?.labels ?? {};
    for (const [key, want] of this.selector) {
      if (!has(labels, key) || labels[key] !== want) return { reason: 'NodeSelectorMismatch', key, want, ...(has(labels, key) ? { have: labels[key] } : {}) };
    }
    if (this.affinity && !this.affinity.match(node)) {
      const errors = this.affinity.errors;
      return { reason: 'NodeAffinityMismatch', terms: this.affinity.terms.length, ...(errors.length ? { errors } : {}) };
    }
    return undefined;
  }

  match(node: NodeLike): boolean {
    return this.mismatch(node) === undefined;
  }
}

// informer objects are shared and read-only: parse a pod spec's selector once (re-parsed when
// its nodeSelector or affinity is replaced)
const parsed = new WeakMap<object, { nodeSelector: unknown; affinity: unknown; r: RequiredNodeAffinity }>();

/** the RequiredNodeAffinity of a pod spec, parsed once per spec object */
export function requiredNodeAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'> | undefined): RequiredNodeAffinity {
  if (!spec) return new RequiredNodeAffinity(undefined);
  const hit = parsed.get(spec);
  if (hit && hit.nodeSelector === spec.nodeSelector && hit.affinity === spec.affinity) return hit.r;
  const r = new RequiredNodeAffinity(spec);
  parsed.set(spec, { nodeSelector: spec.nodeSelector, affinity: spec.affinity, r });
  return r;
}

const parsedTerms = new WeakMap<NodeSelectorTerm, ParsedNodeSelectorTerm>();

/** does one (preferred) term match the node? an empty or unparsable term matches nothing */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeLike): boolean {
  if (isEmptyTerm(term)) return false;
  let p = parsedTerms.get(term);
  if (!p) parsedTerms.set(term, (p = new ParsedNodeSelectorTerm(term, 'preference')));
  return p.match(node);
}
