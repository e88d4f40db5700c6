// Label selectors: the string syntax of apimachinery's labels.Parse (with its error texts),
// matching against a labels map, and metav1.LabelSelector conversion, printing and validation.
import { badRequest, fieldErrors, type FieldError } from '../errors.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

/** one requirement; values are kept sorted, as upstream's parser stores them */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** a parsed selector: every requirement must hold. null means "matches nothing" (a nil LabelSelector). */
export type LabelSelectorRequirements = LabelRequirement[] | null;

export interface LabelSelectorRequirementSpec {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementSpec[] | null;
}

// ---- label key / value syntax (k8s.io/apimachinery/pkg/api/validate/content) ----

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${re}')`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** problems with a label key (qualified name), [] when valid */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (byteLength(prefix) > 253) errs.push('prefix part must be no more than 253 bytes');
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
        errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
      }
    }
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push('name part must be no more than 63 bytes');
  if (!LABEL_KEY_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** problems with a label value, [] when valid */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push('must be no more than 63 bytes');
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- requirements ----

/** field.Error text as Go renders it: "<field>: Invalid value: <json>: <detail>" */
function invalidText(field: string, value: unknown, detail: string): string {
  return `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/** like labels.NewRequirement; returns the aggregated error text or the requirement */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement | string {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalidText('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidText('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidText('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidText('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidText('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v) || !fitsInt64(v)) {
          errs.push(invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const valErrs = labelValueErrors(v);
    if (valErrs.length) errs.push(invalidText(`values[${i}][${key}]`, v, valErrs.join('; ')));
  });
  if (errs.length === 0) return { key, operator, values };
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function fitsInt64(s: string): boolean {
  try {
    const n = BigInt(s);
    return n >= -(2n ** 63n) && n < 2n ** 63n;
  } catch {
    return false;
  }
}

function sortRequirements(reqs: LabelRequirement[]): LabelRequirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---- the string syntax ----

type Token =
  | 'error'
  | 'end'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'identifier'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const KEYWORDS: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): { tok: Token; lit: string }[] {
  const items: { tok: Token; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // longest run of special characters that is still an operator
      let buf = '';
      let last: { tok: Token; lit: string } | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buf += s[pos];
        if (KEYWORDS[buf]) {
          last = { tok: KEYWORDS[buf], lit: buf };
          pos++;
        } else if (last) {
          break;
        } else {
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
    items.push({ tok: KEYWORDS[buf] ?? 'identifier', lit: buf });
  }
}

class Parser {
  private position = 0;
  constructor(private readonly items: { tok: Token; lit: string }[]) {}

  /** in a values context the keywords in/notin are plain identifiers */
  private peek(values: boolean): { tok: Token; lit: string } {
    const it = this.items[this.position];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'identifier', lit: it.lit } : it;
  }

  private next(values: boolean): { tok: Token; lit: string } {
    const it = this.peek(values);
    this.position++;
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'identifier' || tok === '!') {
        let r: LabelRequirement;
        try {
          r = this.requirement();
        } catch (e) {
          throw new Error(`unable to parse requirement: ${(e as Error).message}`);
        }
        reqs.push(r);
        const after = this.next(true);
        if (after.tok === 'end') return reqs;
        if (after.tok === ',') {
          const n = this.peek(true);
          if (n.tok !== 'identifier' && n.tok !== '!') throw new Error(`found '${n.lit}', expected: identifier after ','`);
          continue;
        }
        throw new Error(`found '${after.lit}', expected: ',' or 'end of string'`);
      }
      if (tok === 'end') return reqs;
      throw new Error(`found '${lit}', expected: !, identifier, or 'end of string'`);
    }
  }

  private requirement(): LabelRequirement {
    let operator: LabelOperator | undefined;
    let { tok, lit } = this.next(true);
    if (tok === '!') {
      operator = '!';
      ({ tok, lit } = this.next(true));
    }
    if (tok !== 'identifier') throw new Error(`found '${lit}', expected: identifier`);
    const key = lit;
    const keyErrs = labelKeyErrors(key);
    // upstream validates the key here with a nil field path, hence "<nil>"
    if (keyErrs.length) throw new Error(invalidText('<nil>', key, keyErrs.join('; ')));
    const n = this.peek(true).tok;
    if (n === 'end' || n === ',') operator ??= 'exists';
    if (operator === 'exists' || operator === '!') return checked(newRequirement(key, operator, []));

    const op = this.next(false);
    const ops: Partial<Record<Token, LabelOperator>> = { in: 'in', '=': '=', '==': '==', '>': 'gt', '<': 'lt', notin: 'notin', '!=': '!=' };
    const parsedOp = ops[op.tok];
    if (!parsedOp) throw new Error(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = parsedOp === 'in' || parsedOp === 'notin' ? this.setValues() : this.exactValue();
    return checked(newRequirement(key, parsedOp, [...values].sort()));
  }

  private setValues(): Set<string> {
    const open = this.next(true);
    if (open.tok !== '(') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === 'identifier' || tok === ',') {
      const s = this.identifierList();
      if (this.next(true).tok !== ')') throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === ')') {
      this.next(true);
      return new Set(['']);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifierList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'identifier') {
        s.add(lit);
        const n = this.peek(true);
        if (n.tok === ',') continue;
        if (n.tok === ')') return s;
        throw new Error(`found '${n.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (s.size === 0) s.add('');
        const n = this.peek(true).tok;
        if (n === ')') {
          s.add('');
          return s;
        }
        if (n === ',') s.add('');
        continue;
      }
      throw new Error(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): Set<string> {
    const n = this.peek(true).tok;
    if (n === 'end' || n === ',') return new Set(['']);
    const { tok, lit } = this.next(true);
    if (tok === 'identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

function checked(r: LabelRequirement | string): LabelRequirement {
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/**
 * Parse a label selector string (?labelSelector=...) as labels.Parse does; requirements are
 * sorted by key. Throws 400 BadRequest with upstream's message on a syntax error.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  try {
    return sortRequirements(new Parser(lex(selector)).parse());
  } catch (e) {
    throw badRequest((e as Error).message);
  }
}

// ---- matching ----

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = present ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return present && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !present || !r.values.includes(value as string);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt':
    case 'lt': {
      if (!present || r.values.length !== 1) return false;
      if (!/^[+-]?\d+$/.test(value as string) || !fitsInt64(value as string)) return false;
      const have = BigInt(value as string);
      const want = BigInt(r.values[0]);
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

/** does a labels map satisfy the selector? (null selector: nothing matches; [] : everything) */
export function labelsMatch(selector: LabelSelectorRequirements, labels: Record<string, string> | null | undefined): boolean {
  if (selector === null) return false;
  const l = labels ?? {};
  return selector.every((r) => requirementMatches(r, l));
}

// ---- metav1.LabelSelector ----

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: null/undefined -> null (matches nothing), {} -> [] (matches
 * everything). Throws a plain Error with upstream's text when the selector is invalid.
 */
export function labelSelectorRequirements(ps: LabelSelectorSpec | null | undefined): LabelSelectorRequirements {
  if (ps === null || ps === undefined) return null;
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(ps.matchLabels ?? {})) reqs.push(checked(newRequirement(k, '=', [v])));
  for (const expr of ps.matchExpressions ?? []) {
    const op = EXPRESSION_OPERATORS[expr.operator];
    if (!op) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    reqs.push(checked(newRequirement(expr.key, op, [...(expr.values ?? [])])));
  }
  return sortRequirements(reqs);
}

/** a predicate for a metav1.LabelSelector (invalid selectors match nothing) */
export function labelSelectorMatcher(ps: LabelSelectorSpec | null | undefined): (labels: Record<string, string> | null | undefined) => boolean {
  let reqs: LabelSelectorRequirements;
  try {
    reqs = labelSelectorRequirements(ps);
  } catch {
    reqs = null;
  }
  return (labels) => labelsMatch(reqs, labels);
}

function requirementString(r: LabelRequirement): string {
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

/** the selector's string form (labels.Selector.String()), e.g. "app=x,tier in (a,b)" */
export function labelSelectorString(selector: LabelSelectorRequirements): string {
  return (selector ?? []).map(requirementString).join(',');
}

/**
 * metav1.FormatLabelSelector, as kubectl's SELECTOR column prints it: "<none>" when empty or
 * nil, "<error>" when invalid.
 */
export function formatLabelSelector(ps: LabelSelectorSpec | null | undefined): string {
  let reqs: LabelSelectorRequirements;
  try {
    reqs = labelSelectorRequirements(ps);
  } catch {
    return '<error>';
  }
  return labelSelectorString(reqs) || '<none>';
}

/** the labelSelector query string for a metav1.LabelSelector (kubectl rollout history, describe) */
export function labelSelectorQuery(ps: LabelSelectorSpec | null | undefined): string {
  return labelSelectorString(labelSelectorRequirements(ps));
}

/** a selector that matches exactly this labels map (labels.SelectorFromSet) */
export function selectorFromLabels(set: Record<string, string> | null | undefined): LabelRequirement[] {
  return sortRequirements(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

// ---- validation (k8s.io/apimachinery/pkg/apis/meta/v1/validation) ----

/** ValidateLabels: every key and value of a labels map; errors are reported at fldPath itself */
export function validateLabels(labels: Record<string, string> | null | undefined, fldPath: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(labels ?? {}).sort()) {
    errs.push(...validateLabelName(k, fldPath));
    for (const msg of labelValueErrors((labels as Record<string, string>)[k])) {
      errs.push(fieldErrors.invalid(fldPath, (labels as Record<string, string>)[k], msg));
    }
  }
  return errs;
}

export function validateLabelName(name: string, fldPath: string): FieldError[] {
  return labelKeyErrors(name).map((msg) => fieldErrors.invalid(fldPath, name, msg));
}

/** ValidateLabelSelector with default options; fldPath e.g. "spec.selector" */
export function validateLabelSelector(ps: LabelSelectorSpec | null | undefined, fldPath: string): FieldError[] {
  if (ps === null || ps === undefined) return [];
  const errs = validateLabels(ps.matchLabels, `${fldPath}.matchLabels`);
  (ps.matchExpressions ?? []).forEach((expr, i) => {
    const p = `${fldPath}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
        break;
      default:
        errs.push(fieldErrors.invalid(`${p}.operator`, expr.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(expr.key, `${p}.key`));
    values.forEach((v, vi) => {
      for (const msg of labelValueErrors(v)) errs.push(fieldErrors.invalid(`${p}.values[${vi}]`, v, msg));
    });
  });
  return errs;
}
