import { describe, it, expect } from 'vitest';
import { ApiError } from '../errors.js';
import {
  fieldSelectorString,
  fieldsMatch,
  formatLabelSelector,
  labelSelectorMatcher,
  labelSelectorQuery,
  labelSelectorString,
  labelsMatch,
  parseFieldSelector,
  parseFieldSelectorFor,
  parseLabelSelector,
  validateLabelSelector,
} from './index.js';

function caught(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

const POD = { group: '', kind: 'Pod', namespaced: true };
const NODE = { group: '', kind: 'Node', namespaced: false };
const EVENT = { group: '', kind: 'Event', namespaced: true };
const DS = { group: 'apps', kind: 'DaemonSet', namespaced: true };

describe('label selector strings', () => {
  it.each([
    ['k8s-app=kube-proxy', { 'k8s-app': 'kube-proxy' }, true],
    ['k8s-app==kube-proxy', { 'k8s-app': 'kindnet' }, false],
    ['app!=x', {}, true],
    ['app!=x', { app: 'x' }, false],
    ['tier in (a,b)', { tier: 'b' }, true],
    ['tier in (a,b)', {}, false],
    ['tier notin (a,b)', {}, true],
    ['tier notin (a,b)', { tier: 'a' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: '' }, false],
    ['!app', { other: 'x' }, true],
    ['a=1,b', { a: '1', b: 'z' }, true],
    ['a=1,b', { a: '1' }, false],
    ['n>5', { n: '6' }, true],
    ['n<5', { n: '6' }, false],
    ['n>5', { n: 'x' }, false],
    ['', { any: 'thing' }, true],
    ['x in (in,notin)', { x: 'notin' }, true],
    ['a=', { a: '' }, true],
  ])('%s on %j -> %s', (sel, labels, want) => {
    expect(labelsMatch(parseLabelSelector(sel), labels as Record<string, string>)).toBe(want);
  });

  it('prints requirements sorted by key (not by text), values sorted', () => {
    expect(labelSelectorString(parseLabelSelector('z=1, tier in (b,a), !gone,a'))).toBe('a,!gone,tier in (a,b),z=1');
    expect(labelSelectorString(parseLabelSelector('x notin (),n>3,m==v'))).toBe('m==v,n>3,x notin ()');
  });

  it.each([
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a (b)', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['a>b', 'unable to parse requirement: values[0]: Invalid value: "b": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    [
      'a=b c',
      "found 'c', expected: ',' or 'end of string'",
    ],
    [
      '-a=b',
      `unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`.replace(
        /,  or/g,
        ', or',
      ),
    ],
    [
      'a=-b',
      `unable to parse requirement: values[0][a]: Invalid value: "-b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ])('%j is a 400: %s', (sel, msg) => {
    const e = caught(() => parseLabelSelector(sel));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', msg]);
  });
});

describe('metav1.LabelSelector', () => {
  it('formats as the SELECTOR column does', () => {
    expect(formatLabelSelector({ matchLabels: { app: 'x' } })).toBe('app=x');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] })).toBe('tier in (a,b)');
    expect(
      formatLabelSelector({
        matchLabels: { name: 'fluentd' },
        matchExpressions: [
          { key: 'zone', operator: 'NotIn', values: ['z1'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('gpu,!legacy,name=fluentd,zone notin (z1)');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector(null)).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBe('<error>');
    expect(labelSelectorQuery({ matchLabels: { 'k8s-app': 'kube-proxy' } })).toBe('k8s-app=kube-proxy');
  });

  it('matches: nil selects nothing, empty selects everything', () => {
    expect(labelSelectorMatcher(null)({ a: 'b' })).toBe(false);
    expect(labelSelectorMatcher({})({ a: 'b' })).toBe(true);
    const m = labelSelectorMatcher({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] });
    expect(m({ app: 'x' })).toBe(true);
    expect(m({ app: 'x', tier: 'db' })).toBe(false);
    expect(m({ app: 'y' })).toBe(false);
    expect(m(undefined)).toBe(false);
  });

  it('validates with upstream field errors', () => {
    expect(validateLabelSelector({ matchLabels: { app: 'x' } }, 'spec.selector')).toEqual([]);
    const errs = validateLabelSelector(
      {
        matchLabels: { 'bad key!': 'v' },
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Gt', values: ['1'] },
        ],
      },
      'spec.selector',
    );
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      `spec.selector.matchLabels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator',
    ]);
    expect(errs.map((e) => e.type)).toEqual(['FieldValueInvalid', 'FieldValueRequired', 'FieldValueForbidden', 'FieldValueInvalid']);
  });
});

describe('field selectors', () => {
  const pod = {
    metadata: { name: 'p1', namespace: 'default' },
    spec: { nodeName: 'worker-1', restartPolicy: 'Always' },
    status: { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }] },
  };

  it('parses and matches the selectors kubectl sends', () => {
    const describeNode = parseFieldSelectorFor('spec.nodeName=worker-1,status.phase!=Succeeded,status.phase!=Failed', POD);
    expect(fieldsMatch(describeNode, pod, POD)).toBe(true);
    expect(fieldsMatch(describeNode, { ...pod, status: { phase: 'Failed' } }, POD)).toBe(false);
    expect(fieldsMatch(parseFieldSelectorFor('metadata.name=p1', POD), pod, POD)).toBe(true);
    expect(fieldsMatch(parseFieldSelectorFor('metadata.namespace==kube-system', POD), pod, POD)).toBe(false);
    expect(fieldsMatch(parseFieldSelectorFor('spec.hostNetwork=false,status.podIP=10.244.1.5', POD), pod, POD)).toBe(true);
    expect(fieldsMatch(parseFieldSelectorFor('spec.host=worker-1', POD), pod, POD)).toBe(true);
    expect(fieldsMatch([], pod, POD)).toBe(true);
  });

  it('events: involvedObject fields, empty namespace for nodes', () => {
    const ev = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'worker-1', uid: 'worker-1' }, source: { component: 'kubelet' } };
    const sel = parseFieldSelectorFor('involvedObject.uid=worker-1,involvedObject.name=worker-1,involvedObject.namespace=,involvedObject.kind=Node', EVENT);
    expect(fieldsMatch(sel, ev, EVENT)).toBe(true);
    expect(fieldsMatch(parseFieldSelectorFor('source=kubelet', EVENT), ev, EVENT)).toBe(true);
  });

  it('nodes: spec.unschedulable as a bool string; no metadata.namespace label', () => {
    expect(fieldsMatch(parseFieldSelectorFor('spec.unschedulable=true', NODE), { metadata: { name: 'n' }, spec: { unschedulable: true } }, NODE)).toBe(true);
    expect(fieldsMatch(parseFieldSelectorFor('spec.unschedulable=false', NODE), { metadata: { name: 'n' }, spec: {} }, NODE)).toBe(true);
    const e = caught(() => parseFieldSelectorFor('metadata.namespace=x', NODE));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', 'field label not supported: metadata.namespace']);
  });

  it('unsupported labels: per-kind table vs the default conversion', () => {
    const e = caught(() => parseFieldSelectorFor('spec.foo=bar', POD));
    expect([e.code, e.message]).toEqual([400, 'field label not supported: spec.foo']);
    const d = caught(() => parseFieldSelectorFor('spec.foo=bar', DS));
    expect([d.code, d.message]).toEqual([400, '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"']);
    expect(parseFieldSelectorFor('metadata.name=x', DS)).toEqual([{ field: 'metadata.name', operator: '=', value: 'x' }]);
  });

  it('syntax: escapes, sorting, errors', () => {
    expect(parseFieldSelector('b=2,a==1')).toEqual([
      { field: 'a', operator: '=', value: '1' },
      { field: 'b', operator: '=', value: '2' },
    ]);
    expect(parseFieldSelector('a=x\\,y')).toEqual([{ field: 'a', operator: '=', value: 'x,y' }]);
    expect(fieldSelectorString([{ field: 'a', operator: '!=', value: 'x=y' }])).toBe('a!=x\\=y');
    expect(caught(() => parseFieldSelector('abc')).message).toBe("invalid selector: 'abc'; can't understand 'abc'");
    expect(caught(() => parseFieldSelector('a=b\\c')).message).toBe('invalid field selector: invalid escape sequence: \\c');
    expect(caught(() => parseFieldSelector('a=b=c')).message).toBe('invalid field selector: unescaped character in value: 61');
  });
});
