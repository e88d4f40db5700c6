import { describe, it, expect } from 'vitest';
import {
  cellState,
  currentRevisionHash,
  groupValue,
  groupingKeys,
  matchesLabels,
  nodeMarks,
  parseLabelFilter,
  parseTaint,
  selectorString,
  type DaemonSetObject,
  type PodObject,
} from './model.js';

const ds: DaemonSetObject = {
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-1', generation: 2, annotations: { 'deprecated.daemonset.template.generation': '2' } },
};

const pod = (o: { hash?: string; gen?: string; phase?: string; ready?: boolean; deleting?: boolean; created?: string; crash?: boolean }): PodObject => ({
  metadata: {
    name: 'p',
    uid: Math.random().toString(),
    creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
    deletionTimestamp: o.deleting ? '2026-01-01T00:01:00Z' : undefined,
    labels: { ...(o.hash ? { 'controller-revision-hash': o.hash } : {}), ...(o.gen ? { 'pod-template-generation': o.gen } : {}) },
    ownerReferences: [{ uid: 'ds-1', kind: 'DaemonSet', name: 'agent', controller: true }],
  },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
    containerStatuses: o.crash ? [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } }] : [],
  },
});

describe('cell states', () => {
  it('tells the new revision from the old by the revision hash or the template generation', () => {
    expect(cellState([pod({ hash: 'new', ready: true })], ds, 'new', undefined)).toBe('new-ready');
    expect(cellState([pod({ hash: 'new' })], ds, 'new', undefined)).toBe('new-unready');
    expect(cellState([pod({ hash: 'old', gen: '1', ready: true })], ds, 'new', undefined)).toBe('old');
    expect(cellState([pod({ gen: '2', ready: true })], ds, undefined, undefined)).toBe('new-ready');
  });

  it('shows pending, crash-looping and terminating pods, the newest live pod speaking for the node', () => {
    expect(cellState([pod({ hash: 'new', phase: 'Pending' })], ds, 'new', undefined)).toBe('pending');
    expect(cellState([pod({ hash: 'new', crash: true })], ds, 'new', undefined)).toBe('crashloop');
    expect(cellState([pod({ hash: 'old', deleting: true })], ds, 'new', undefined)).toBe('terminating');
    const surge = [pod({ hash: 'old', ready: true, created: '2026-01-01T00:00:00Z' }), pod({ hash: 'new', phase: 'Pending', created: '2026-01-01T00:05:00Z' })];
    expect(cellState(surge, ds, 'new', undefined)).toBe('pending');
  });

  it('says whether a node without a pod should have one, from the verdict', () => {
    expect(cellState([], ds, 'new', undefined)).toBe('none-unknown');
    expect(cellState([], ds, 'new', { node: 'n', willRun: true, reasons: [] })).toBe('none-missing');
    expect(cellState([], ds, 'new', { node: 'n', willRun: false, reasons: [{ reason: 'TaintNotTolerated', message: 'x' }] })).toBe('none-expected');
  });

  it('finds the current revision hash among the DaemonSet\'s ControllerRevisions', () => {
    const cr = (name: string, revision: number, owner = 'ds-1') => ({
      metadata: { name, uid: name, labels: { 'controller-revision-hash': name }, ownerReferences: [{ uid: owner, kind: 'DaemonSet', name: 'agent', controller: true }] },
      revision,
    });
    expect(currentRevisionHash(ds, [cr('a', 1), cr('c', 3), cr('b', 2), cr('z', 9, 'other')])).toBe('c');
    expect(currentRevisionHash(ds, [])).toBeUndefined();
  });
});

describe('nodes', () => {
  const node = (labels: Record<string, string>, extra: object = {}) => ({ metadata: { name: labels['kubernetes.io/hostname'] ?? 'n', uid: 'u', labels }, ...extra });

  it('marks NotReady, cordoned and tainted nodes', () => {
    expect(nodeMarks({ ...node({}), spec: { unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } })).toEqual({
      notReady: true,
      cordoned: true,
      taints: [{ key: 'k', effect: 'NoSchedule' }],
    });
    expect(nodeMarks({ ...node({}), status: { conditions: [{ type: 'Ready', status: 'True' }] } })).toEqual({ notReady: false, cordoned: false, taints: [] });
  });

  it('groups by a label or by role, and offers only labels that group', () => {
    const cp = node({ 'kubernetes.io/hostname': 'cp', zone: 'a', 'node-role.kubernetes.io/control-plane': '' });
    const w = node({ 'kubernetes.io/hostname': 'w', zone: 'a' });
    expect(groupValue(cp, '(role)')).toBe('control-plane');
    expect(groupValue(w, '(role)')).toBe('worker');
    expect(groupValue(w, 'zone')).toBe('a');
    expect(groupValue(w, 'rack')).toBe('(no label)');
    expect(groupingKeys([cp, w])).toEqual(['zone']);
  });

  it('filters by a label selector as kubectl -l takes it', () => {
    const l = { zone: 'a', tier: 'edge' };
    expect(matchesLabels(l, parseLabelFilter('zone=a'))).toBe(true);
    expect(matchesLabels(l, parseLabelFilter('zone==a,tier!=core'))).toBe(true);
    expect(matchesLabels(l, parseLabelFilter('zone in (b, c)'))).toBe(false);
    expect(matchesLabels(l, parseLabelFilter('zone notin (b,c),!gpu,tier'))).toBe(true);
    expect(matchesLabels(l, parseLabelFilter(''))).toBe(true);
    expect(() => parseLabelFilter('zone in a')).toThrow(/cannot parse/);
  });
});

describe('wire formats', () => {
  it('writes a DaemonSet selector as a labelSelector query', () => {
    expect(selectorString({ matchLabels: { app: 'agent' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'DoesNotExist' }] })).toBe('app=agent,tier in (a,b),!x');
  });

  it('parses taints as kubectl taint does', () => {
    expect(parseTaint('dedicated=infra:NoExecute')).toEqual({ key: 'dedicated', value: 'infra', effect: 'NoExecute' });
    expect(parseTaint('gpu:NoSchedule')).toEqual({ key: 'gpu', effect: 'NoSchedule' });
    expect(() => parseTaint('gpu=yes')).toThrow(/expected KEY\[=VALUE\]:EFFECT/);
    expect(() => parseTaint('gpu=yes:Sometimes')).toThrow();
  });
});
