// Ported from upstream's component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go
// (TestNodeSelectorMatch, TestPodMatchesNodeSelectorAndAffinityTerms), plus the parse rules of
// labels.NewRequirement that the DaemonSet controller and the scheduler once disagreed on.

import { describe, expect, it } from 'vitest';
import type { NodeSelector, NodeSelectorRequirement, PodSpec } from 'kubernetes-types/core/v1.js';
import { NodeSelectorMatcher, nodeSelectorTermMatches, requiredNodeAffinity, RequiredNodeAffinity } from './nodeaffinity.js';

const req = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => ({ key, operator, ...(values ? { values } : {}) });
const affinity = (...terms: NodeSelector['nodeSelectorTerms']): PodSpec['affinity'] => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const node = (name: string, labels?: Record<string, string>) => ({ metadata: { name, labels } });

describe('NodeSelector.Match (TestNodeSelectorMatch)', () => {
  it('reports parse errors of every term, as NewNodeSelector does', () => {
    const m = new NodeSelectorMatcher({
      nodeSelectorTerms: [
        { matchFields: [req('metadata.name', 'In', ['host_1', 'host_2'])] },
        { matchExpressions: [req('label_1', 'In', ['label_1_val'])], matchFields: [req('metadata.name', 'In', ['host_1'])] },
        { matchExpressions: [req('invalid key', 'In', ['label_value'])] },
      ],
    });
    expect(m.errors).toHaveLength(2);
    expect(m.errors[0]).toMatch(/^nodeSelectorTerms\[0\]\.matchFields\[0\]\.values: .*must have one element$/);
    expect(m.errors[1]).toMatch(/^nodeSelectorTerms\[2\]\.matchExpressions\[0\]\.key: .*name part must consist of alphanumeric characters/);
  });
  const cases: [string, NodeSelector, ReturnType<typeof node> | undefined, boolean][] = [
    ['nil node', { nodeSelectorTerms: [] }, undefined, false],
    [
      'node matches field selector, but not labels',
      { nodeSelectorTerms: [{ matchExpressions: [req('label_1', 'In', ['label_1_val'])], matchFields: [req('metadata.name', 'In', ['host_1'])] }] },
      node('host_1'),
      false,
    ],
    [
      'node matches field selector and label selector',
      { nodeSelectorTerms: [{ matchExpressions: [req('label_1', 'In', ['label_1_val'])], matchFields: [req('metadata.name', 'In', ['host_1'])] }] },
      node('host_1', { label_1: 'label_1_val' }),
      true,
    ],
    [
      'second term matches',
      { nodeSelectorTerms: [{ matchExpressions: [req('label_1', 'In', ['label_1_val'])] }, { matchFields: [req('metadata.name', 'In', ['host_1'])] }] },
      node('host_1'),
      true,
    ],
  ];
  for (const [name, sel, n, want] of cases) it(name, () => expect(new NodeSelectorMatcher(sel).match(n)).toBe(want));
});

describe('GetRequiredNodeAffinity(pod).Match (TestPodMatchesNodeSelectorAndAffinityTerms)', () => {
  const cases: [string, PodSpec, Record<string, string> | undefined, string, boolean][] = [
    ['no selector', { containers: [] }, undefined, '', true],
    ['missing labels', { containers: [], nodeSelector: { foo: 'bar' } }, undefined, '', false],
    ['same labels', { containers: [], nodeSelector: { foo: 'bar' } }, { foo: 'bar' }, '', true],
    ['node labels are superset', { containers: [], nodeSelector: { foo: 'bar' } }, { foo: 'bar', baz: 'blah' }, '', true],
    ['node labels are subset', { containers: [], nodeSelector: { foo: 'bar', baz: 'blah' } }, { foo: 'bar' }, '', false],
    ['In that matches', { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'In', ['bar', 'value2'])] }) }, { foo: 'bar' }, '', true],
    ['Gt that matches', { containers: [], affinity: affinity({ matchExpressions: [req('kernel-version', 'Gt', ['0204'])] }) }, { 'kernel-version': '0206' }, '', true],
    ['NotIn that matches', { containers: [], affinity: affinity({ matchExpressions: [req('mem-type', 'NotIn', ['DDR', 'DDR2'])] }) }, { 'mem-type': 'DDR3' }, '', true],
    ['Exists that matches', { containers: [], affinity: affinity({ matchExpressions: [req('GPU', 'Exists')] }) }, { GPU: 'NVIDIA-GRID-K1' }, '', true],
    ["affinity that doesn't match the node's labels", { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'In', ['value1', 'value2'])] }) }, { foo: 'bar' }, '', false],
    ['a nil []NodeSelectorTerm', { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} as NodeSelector } } }, { foo: 'bar' }, '', false],
    ['an empty []NodeSelectorTerm', { containers: [], affinity: affinity() }, { foo: 'bar' }, '', false],
    ['empty MatchExpressions matches nothing', { containers: [], affinity: affinity({ matchExpressions: [] }) }, { foo: 'bar' }, '', false],
    ['no Affinity', { containers: [] }, { foo: 'bar' }, '', true],
    ['Affinity but nil NodeSelector', { containers: [], affinity: { nodeAffinity: {} } }, { foo: 'bar' }, '', true],
    ['multiple matchExpressions ANDed that match', { containers: [], affinity: affinity({ matchExpressions: [req('GPU', 'Exists'), req('GPU', 'NotIn', ['AMD', 'INTER'])] }) }, { GPU: 'NVIDIA-GRID-K1' }, '', true],
    ["multiple matchExpressions ANDed that don't match", { containers: [], affinity: affinity({ matchExpressions: [req('GPU', 'Exists'), req('GPU', 'In', ['AMD', 'INTER'])] }) }, { GPU: 'NVIDIA-GRID-K1' }, '', false],
    [
      'multiple NodeSelectorTerms ORed',
      { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'In', ['bar', 'value2'])] }, { matchExpressions: [req('diffkey', 'In', ['wrong', 'value2'])] }) },
      { foo: 'bar' },
      '',
      true,
    ],
    ['Affinity and nodeSelector both satisfied', { containers: [], nodeSelector: { foo: 'bar' }, affinity: affinity({ matchExpressions: [req('foo', 'Exists')] }) }, { foo: 'bar' }, '', true],
    ['Affinity matches but nodeSelector does not', { containers: [], nodeSelector: { foo: 'bar' }, affinity: affinity({ matchExpressions: [req('foo', 'Exists')] }) }, { foo: 'barrrrrr' }, '', false],
    ['an invalid value in an Affinity term', { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'NotIn', ['invalid value: ___@#$%^'])] }) }, { foo: 'bar' }, '', false],
    ['matchFields In that matches', { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])] }) }, undefined, 'node_1', true],
    ['matchFields In that does not match', { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])] }) }, undefined, 'node_2', false],
    [
      'two terms: matchFields does not match, matchExpressions does',
      { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])] }, { matchExpressions: [req('foo', 'In', ['bar'])] }) },
      { foo: 'bar' },
      'node_2',
      true,
    ],
    [
      'one term: matchFields does not match, matchExpressions does',
      { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])], matchExpressions: [req('foo', 'In', ['bar'])] }) },
      { foo: 'bar' },
      'node_2',
      false,
    ],
    [
      'one term: both match',
      { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])], matchExpressions: [req('foo', 'In', ['bar'])] }) },
      { foo: 'bar' },
      'node_1',
      true,
    ],
    [
      'two terms: neither matches',
      { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'In', ['node_1'])] }, { matchExpressions: [req('foo', 'In', ['not-match-to-bar'])] }) },
      { foo: 'bar' },
      'node_2',
      false,
    ],
    // labels.NewRequirement's rules, where the controller and the scheduler once differed
    ['NotIn with no values does not parse', { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'NotIn', [])] }) }, { foo: 'bar' }, '', false],
    ['Exists with values does not parse', { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'Exists', ['bar'])] }) }, { foo: 'bar' }, '', false],
    ['Gt compares as int64, beyond 2^53', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Gt', ['9007199254740992'])] }) }, { n: '9007199254740993' }, '', true],
    ['Gt with a value beyond int64 does not parse', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Gt', ['9223372036854775808'])] }) }, { n: '1' }, '', false],
    ['Lt against a label beyond int64 does not match', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Lt', ['5'])] }) }, { n: '-9223372036854775809' }, '', false],
    ['Lt with a signed value does not parse (not a label value)', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Lt', ['+5'])] }) }, { n: '-3' }, '', false],
    ['Lt against a negative label', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Lt', ['5'])] }) }, { n: '-3' }, '', true],
    ['Gt against a non-integer label', { containers: [], affinity: affinity({ matchExpressions: [req('n', 'Gt', ['1'])] }) }, { n: '2.5' }, '', false],
    ['matchFields NotIn', { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'NotIn', ['node_1'])] }) }, undefined, 'node_2', true],
    ['matchFields Exists does not parse', { containers: [], affinity: affinity({ matchFields: [req('metadata.name', 'Exists')] }) }, undefined, 'node_2', false],
    ['a broken term does not stop another from matching', { containers: [], affinity: affinity({ matchExpressions: [req('foo', 'In', [])] }, { matchExpressions: [req('foo', 'Exists')] }) }, { foo: 'x' }, '', true],
  ];
  for (const [name, spec, labels, nodeName, want] of cases) {
    it(name, () => expect(new RequiredNodeAffinity(spec).match(node(nodeName, labels))).toBe(want));
  }
});

describe('mismatch details and caching', () => {
  it('names the nodeSelector label that is missing or different', () => {
    const r = new RequiredNodeAffinity({ nodeSelector: { disk: 'ssd', zone: 'a' } });
    expect(r.mismatch(node('n', { disk: 'ssd' }))).toEqual({ reason: 'NodeSelectorMismatch', key: 'zone', want: 'a' });
    expect(r.mismatch(node('n', { disk: 'hdd', zone: 'a' }))).toEqual({ reason: 'NodeSelectorMismatch', key: 'disk', want: 'ssd', have: 'hdd' });
    expect(r.mismatch(node('n', { disk: 'ssd', zone: 'a' }))).toBeUndefined();
  });
  it('reports unmatched affinity terms with their parse errors', () => {
    const r = new RequiredNodeAffinity({ affinity: affinity({ matchExpressions: [req('a', 'Exists', ['x'])] }, { matchExpressions: [req('b', 'In', ['y'])] }) });
    const m = r.mismatch(node('n', {}));
    expect(m).toMatchObject({ reason: 'NodeAffinityMismatch', terms: 2 });
    expect((m as { errors: string[] }).errors[0]).toMatch(/values set must be empty for exists and does not exist/);
  });
  it('re-parses a spec whose selector was replaced', () => {
    const spec: PodSpec = { containers: [], nodeSelector: { a: '1' } };
    expect(requiredNodeAffinity(spec).match(node('n', { a: '1' }))).toBe(true);
    spec.nodeSelector = { a: '2' };
    expect(requiredNodeAffinity(spec).match(node('n', { a: '1' }))).toBe(false);
  });
  it('preferred terms: empty or broken terms match nothing', () => {
    expect(nodeSelectorTermMatches({}, node('n', { a: '1' }))).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [req('a', 'In', [])] }, node('n', { a: '1' }))).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [req('a', 'In', ['1'])] }, node('n', { a: '1' }))).toBe(true);
  });
});
