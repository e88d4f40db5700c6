import { describe, it, expect } from 'vitest';
import { resourceFor } from '../resources.js';
import { ApiError } from '../errors.js';
import { toTable } from './table.js';
import type { KubeObject } from '../../client/types.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ds = resourceFor('apps', 'v1', 'daemonsets')!;
const pods = resourceFor('', 'v1', 'pods')!;

const fluentd: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: {
    name: 'fluentd',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'fluentd' },
    creationTimestamp: '2024-05-01T11:59:08Z',
    resourceVersion: '17',
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  } as KubeObject['metadata'],
  spec: { selector: { matchLabels: { 'k8s-app': 'fluentd' } }, template: { spec: { containers: [{ name: 'fluentd', image: 'fluentd' }] } } },
  status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2 },
};

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with PartialObjectMetadata rows', () => {
    const t = toTable(ds, [fluentd], { now: NOW, resourceVersion: '1017' });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata).toEqual({ resourceVersion: '1017' });
    expect(t.columnDefinitions?.map((c) => c.name)).toEqual([
      'Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector',
    ]);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].cells).toEqual(['fluentd', 2, 2, 2, 2, 2, '<none>', '52s', 'fluentd', 'fluentd', 'k8s-app=fluentd']);
    expect(t.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { name: 'fluentd', namespace: 'kube-system', labels: { 'k8s-app': 'fluentd' }, creationTimestamp: '2024-05-01T11:59:08Z', resourceVersion: '17' },
    });
    expect('conditions' in t.rows[0]).toBe(false);
    // the input object is not changed
    expect((fluentd.metadata as Record<string, unknown>).managedFields).toBeDefined();
  });

  it('keeps managedFields when asked', () => {
    const t = toTable(ds, [fluentd], { now: NOW, keepManagedFields: true });
    expect((t.rows[0].object as KubeObject).metadata.managedFields).toBeDefined();
  });

  it('carries continue and remainingItemCount, and drops headers with noHeaders', () => {
    const t = toTable(ds, [fluentd], { now: NOW, resourceVersion: '5', continue: 'tok', remainingItemCount: 3, noHeaders: true });
    expect(t.metadata).toEqual({ resourceVersion: '5', continue: 'tok', remainingItemCount: 3 });
    expect(t.columnDefinitions).toBeNull();
  });

  it('includeObject=Object gives the whole object with apiVersion and kind; None gives null', () => {
    const bare = { ...fluentd, apiVersion: undefined, kind: undefined };
    const full = toTable(ds, [bare], { now: NOW, includeObject: 'Object' }).rows[0].object as KubeObject;
    expect(full.apiVersion).toBe('apps/v1');
    expect(full.kind).toBe('DaemonSet');
    expect(full.spec).toEqual(fluentd.spec);
    expect(toTable(ds, [fluentd], { now: NOW, includeObject: 'None' }).rows[0].object).toBeNull();
    expect(toTable(ds, [fluentd], { now: NOW, includeObject: 'Metadata' }).rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata' });
  });

  it('rejects an unknown includeObject with 400 as upstream', () => {
    try {
      toTable(ds, [fluentd], { now: NOW, includeObject: 'Everything' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe(400);
      expect((e as ApiError).message).toBe('unrecognized includeObject value: "Everything"');
    }
  });

  it('adds row conditions for finished pods and serializes as JSON', () => {
    const pod: KubeObject = {
      metadata: { name: 'job-x', namespace: 'default', creationTimestamp: '2024-05-01T11:00:00Z' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'i', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    };
    const t = toTable(pods, [pod], { now: NOW });
    expect(t.rows[0].cells).toEqual(['job-x', '0/1', 'Completed', '0', '60m', '<none>', '<none>', '<none>', '<none>']);
    expect(t.rows[0].conditions).toEqual([{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const json = JSON.parse(JSON.stringify(t));
    expect(json.columnDefinitions[5]).toMatchObject({ name: 'IP', type: 'string', format: '', priority: 1 });
  });

  it('prints an empty list with headers', () => {
    const t = toTable(pods, [], { now: NOW, resourceVersion: '9' });
    expect(t.rows).toEqual([]);
    expect(t.columnDefinitions).toHaveLength(9);
  });
});
