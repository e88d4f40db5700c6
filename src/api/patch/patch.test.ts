import { describe, it, expect } from 'vitest';
import { ApiError } from '../errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './index.js';

const DS = 'io.k8s.api.apps.v1.DaemonSet';
const NODE = 'io.k8s.api.core.v1.Node';

function daemonSet(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'kube-system', annotations: { a: '1' }, finalizers: ['x'] },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: {
        metadata: { labels: { app: 'fluentd' } },
        spec: {
          containers: [
            {
              name: 'fluentd-elasticsearch',
              image: 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2',
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              volumeMounts: [{ name: 'varlog', mountPath: '/var/log' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m' } },
            },
            { name: 'sidecar', image: 'busybox' },
          ],
          tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }],
          volumes: [{ name: 'varlog', hostPath: { path: '/var/log' } }],
        },
      },
    },
  };
}

function node(): any {
  return {
    metadata: { name: 'worker-1', labels: { a: 'b' } },
    spec: {
      unschedulable: true,
      taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
    },
  };
}

function caught(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('strategic merge patch: kubectl bodies (spec/kubectl.md)', () => {
  it('taint: the whole taint list replaces the old one (no merge key)', () => {
    const patch = {
      spec: {
        taints: [
          { effect: 'NoExecute', key: 'a', value: 'b' },
          { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
        ],
      },
    };
    const out = applyStrategicMergePatch<any>(node(), patch, NODE);
    expect(out.spec.taints).toEqual(patch.spec.taints);
    // a list with fewer items replaces too
    const one = applyStrategicMergePatch<any>(out, { spec: { taints: [{ effect: 'NoExecute', key: 'a', value: 'b' }] } }, NODE);
    expect(one.spec.taints).toEqual([{ effect: 'NoExecute', key: 'a', value: 'b' }]);
  });

  it('untaint last: {"spec":{"taints":null}} removes the field', () => {
    const out = applyStrategicMergePatch<any>(node(), { spec: { taints: null } }, NODE);
    expect(out.spec).toEqual({ unschedulable: true });
  });

  it('uncordon: {"spec":{"unschedulable":null}}; cordon sets true', () => {
    expect(applyStrategicMergePatch<any>(node(), { spec: { unschedulable: null } }, NODE).spec).not.toHaveProperty('unschedulable');
    const n = node();
    delete n.spec.unschedulable;
    expect(applyStrategicMergePatch<any>(n, { spec: { unschedulable: true } }, NODE).spec.unschedulable).toBe(true);
  });

  it("apply: $setElementOrder/containers with an image change merges by name", () => {
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'fluentd-elasticsearch' }, { name: 'sidecar' }],
            containers: [{ image: 'quay.io/fluentd_elasticsearch/fluentd:v4.3.2', name: 'fluentd-elasticsearch' }],
          },
        },
      },
    };
    const before = daemonSet();
    const out = applyStrategicMergePatch<any>(before, patch, DS);
    const [c0, c1] = out.spec.template.spec.containers;
    expect(c0.image).toBe('quay.io/fluentd_elasticsearch/fluentd:v4.3.2');
    expect(c0.env).toEqual(before.spec.template.spec.containers[0].env);
    expect(c1).toEqual({ name: 'sidecar', image: 'busybox' });
    expect(out.metadata.annotations).toEqual({ a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' });
    // pure: the input is untouched
    expect(before).toEqual(daemonSet());
    expect(patch.spec.template.spec).toHaveProperty('$setElementOrder/containers');
  });

  it('$setElementOrder orders the listed items; a live-only item goes before later live items', () => {
    const doc = { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } } } };
    const out = applyStrategicMergePatch<any>(
      doc,
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'a', image: 'x' }] } } } },
      DS,
    );
    // upstream interleaves by live order: b (live #2) precedes c (live #3), then a follows c
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['b', 'c', 'a']);
    expect(out.spec.template.spec.containers[2]).toEqual({ name: 'a', image: 'x' });
  });

  it('rollout undo: $patch: replace on the template replaces it whole', () => {
    const data = {
      spec: {
        template: {
          $patch: 'replace',
          metadata: { creationTimestamp: null, labels: { app: 'fluentd' } },
          spec: { containers: [{ image: 'old:1', name: 'fluentd-elasticsearch', resources: {} }] },
        },
      },
    };
    const out = applyStrategicMergePatch<any>(daemonSet(), data, DS);
    expect(out.spec.template).toEqual({
      metadata: { creationTimestamp: null, labels: { app: 'fluentd' } },
      spec: { containers: [{ image: 'old:1', name: 'fluentd-elasticsearch', resources: {} }] },
    });
    expect(out.spec.selector).toEqual({ matchLabels: { app: 'fluentd' } });
  });

  it('rollout restart: adds the restartedAt template annotation', () => {
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-21T07:01:23Z' } } } } };
    const out = applyStrategicMergePatch<any>(daemonSet(), patch, DS);
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'fluentd' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-21T07:01:23Z' },
    });
  });

  it('$patch: delete removes a container by name', () => {
    const out = applyStrategicMergePatch<any>(daemonSet(), { spec: { template: { spec: { containers: [{ $patch: 'delete', name: 'sidecar' }] } } } }, DS);
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['fluentd-elasticsearch']);
  });

  it('env var removal by $patch: delete, env null, volumeMounts null, resources.limits null', () => {
    const del = applyStrategicMergePatch<any>(
      daemonSet(),
      { spec: { template: { spec: { containers: [{ name: 'fluentd-elasticsearch', env: [{ $patch: 'delete', name: 'A' }] }] } } } },
      DS,
    );
    expect(del.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
    const nulls = applyStrategicMergePatch<any>(
      daemonSet(),
      {
        spec: {
          template: {
            spec: {
              containers: [{ name: 'fluentd-elasticsearch', env: null, volumeMounts: null, resources: { limits: null } }],
              volumes: null,
            },
          },
        },
      },
      DS,
    );
    const c = nulls.spec.template.spec.containers[0];
    expect(c).not.toHaveProperty('env');
    expect(c).not.toHaveProperty('volumeMounts');
    expect(c.resources).toEqual({ requests: { cpu: '100m' } });
    expect(nulls.spec.template.spec).not.toHaveProperty('volumes');
  });

  it('tolerations are atomic: the patch list replaces', () => {
    const out = applyStrategicMergePatch<any>(daemonSet(), { spec: { template: { spec: { tolerations: [{ operator: 'Exists' }] } } } }, DS);
    expect(out.spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});

describe('strategic merge patch: list semantics from the swagger', () => {
  it('env merges by name: changed, added at the end', () => {
    const out = applyStrategicMergePatch<any>(
      daemonSet(),
      { spec: { template: { spec: { containers: [{ name: 'fluentd-elasticsearch', env: [{ name: 'B', value: 'x' }, { name: 'C', value: '3' }] }] } } } },
      DS,
    );
    expect(out.spec.template.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x' },
      { name: 'C', value: '3' },
    ]);
  });

  it('volumeMounts merge by mountPath, ports by containerPort', () => {
    const out = applyStrategicMergePatch<any>(
      daemonSet(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'fluentd-elasticsearch',
                  volumeMounts: [{ mountPath: '/var/log', readOnly: true }, { name: 'data', mountPath: '/data' }],
                  ports: [{ containerPort: 80, name: 'http' }],
                },
              ],
            },
          },
        },
      },
      DS,
    );
    const c = out.spec.template.spec.containers[0];
    expect(c.volumeMounts).toEqual([
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'data', mountPath: '/data' },
    ]);
    expect(c.ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  });

  it('without $setElementOrder, new patch items go before the live ones (upstream mergeSortedSlice)', () => {
    const out = applyStrategicMergePatch<any>(daemonSet(), { spec: { template: { spec: { containers: [{ name: 'new', image: 'n' }] } } } }, DS);
    expect(out.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['new', 'fluentd-elasticsearch', 'sidecar']);
  });

  it('finalizers (primitive list, strategy merge): union in patch order; $deleteFromPrimitiveList removes', () => {
    const out = applyStrategicMergePatch<any>(daemonSet(), { metadata: { finalizers: ['y', 'x'] } }, DS);
    expect(out.metadata.finalizers).toEqual(['y', 'x']);
    const out2 = applyStrategicMergePatch<any>(daemonSet(), { metadata: { finalizers: ['z'] } }, DS);
    expect(out2.metadata.finalizers).toEqual(['z', 'x']);
    const gone = applyStrategicMergePatch<any>(out2, { metadata: { '$deleteFromPrimitiveList/finalizers': ['x'] } }, DS);
    expect(gone.metadata.finalizers).toEqual(['z']);
  });

  it('$patch: replace inside a merging list replaces the list', () => {
    const out = applyStrategicMergePatch<any>(
      daemonSet(),
      { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o' }] } } } },
      DS,
    );
    expect(out.spec.template.spec.containers).toEqual([{ name: 'only', image: 'o' }]);
  });

  it('$patch: delete on a map empties it', () => {
    const out = applyStrategicMergePatch<any>(daemonSet(), { spec: { selector: { $patch: 'delete' } } }, DS);
    expect(out.spec.selector).toEqual({});
  });

  it('volumes (merge,retainKeys): $retainKeys drops the other volume source', () => {
    const out = applyStrategicMergePatch<any>(
      daemonSet(),
      { spec: { template: { spec: { volumes: [{ name: 'varlog', $retainKeys: ['emptyDir', 'name'], emptyDir: {} }] } } } },
      DS,
    );
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'varlog', emptyDir: {} }]);
  });

  it('$retainKeys must list every field the patch sets (400)', () => {
    const e = caught(() =>
      applyStrategicMergePatch(daemonSet(), { spec: { template: { spec: { volumes: [{ name: 'varlog', $retainKeys: ['name'], emptyDir: {} }] } } } }, DS),
    );
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', 'invalid patch format of retainKeys']);
  });

  it('unknown fields: maps merge, lists replace, nulls in new values are dropped', () => {
    const doc = { spec: { x: { a: 1, b: 2 }, l: [1, 2] } };
    const out = applyStrategicMergePatch<any>(doc, { spec: { x: { b: 3 }, l: [3], n: { k: null, v: 1 } } }, DS);
    expect(out.spec).toEqual({ x: { a: 1, b: 3 }, l: [3], n: { v: 1 } });
  });

  it('labels are a plain map: merge and null-delete', () => {
    const out = applyStrategicMergePatch<any>(node(), { metadata: { labels: { a: null, c: 'd' } } }, NODE);
    expect(out.metadata.labels).toEqual({ c: 'd' });
  });
});

describe('strategic merge patch: errors as the apiserver gives them', () => {
  it('a merge list item without its merge key is a bare 500 with the Go text', () => {
    const e = caught(() => applyStrategicMergePatch(daemonSet(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, DS));
    expect([e.code, e.reason, e.message]).toEqual([500, '', 'map: map[image:x] does not contain declared merge key: name']);
  });

  it('unknown $patch values and $patch: merge are refused as upstream refuses them', () => {
    expect(caught(() => applyStrategicMergePatch(daemonSet(), { spec: { $patch: 'bogus' } }, DS)).message).toBe(
      'unknown patch type: bogus in map: map[$patch:bogus]',
    );
    expect(caught(() => applyStrategicMergePatch(daemonSet(), { spec: { $patch: 'merge' } }, DS)).message).toBe(
      'unknown patch type: merge in map: map[$patch:merge]',
    );
    const e = caught(() =>
      applyStrategicMergePatch(daemonSet(), { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } }, DS),
    );
    expect(e.message).toBe('merging lists cannot yet be specified in the patch');
  });

  it('bad directive keys are 400', () => {
    const e = caught(() => applyStrategicMergePatch(daemonSet(), { metadata: { $deleteFromPrimitiveList: ['x'] } }, DS));
    expect([e.code, e.message]).toEqual([400, 'invalid patch format of primitive list']);
    const e2 = caught(() => applyStrategicMergePatch(daemonSet(), { spec: { template: { spec: { $setElementOrder: [] } } } }, DS));
    expect([e2.code, e2.message]).toEqual([400, 'invalid patch format of setElementOrder list']);
  });

  it('a patch item missing from $setElementOrder is refused', () => {
    const e = caught(() =>
      applyStrategicMergePatch(
        daemonSet(),
        { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }], containers: [{ name: 'other', image: 'i' }] } } } },
        DS,
      ),
    );
    expect(e.code).toBe(500);
    expect(e.message).toContain("doesn't match $setElementOrder list");
  });

  it('lists of lists are a bare 422; mixed element types a 500', () => {
    const e = caught(() => applyStrategicMergePatch({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['b']] } }, DS));
    expect([e.code, e.reason, e.message]).toEqual([422, 'Invalid', 'the server rejected our request due to an error in our request']);
    const mixed = caught(() => applyStrategicMergePatch({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['b']] } }, DS));
    expect([mixed.code, mixed.message]).toEqual([500, 'list element types are not identical: [[a] [[b]]]']);
  });

  it('a body that is not an object is a 400 from decoding', () => {
    const e = caught(() => applyStrategicMergePatch(daemonSet(), [1], DS));
    expect([e.code, e.message]).toEqual([400, 'json: cannot unmarshal array into Go value of type map[string]interface {}']);
  });
});

describe('JSON merge patch', () => {
  it('label and unlabel bodies', () => {
    const n = node();
    expect(applyMergePatch<any>(n, { metadata: { labels: { disktype: 'ssd' } } }).metadata.labels).toEqual({ a: 'b', disktype: 'ssd' });
    expect(applyMergePatch<any>(n, { metadata: { labels: { a: null } } }).metadata.labels).toEqual({});
    expect(n).toEqual(node());
  });

  it('lists replace whole; nulls inside new objects are pruned', () => {
    const out = applyMergePatch<any>(node(), { spec: { taints: [{ key: 'k', value: null }] }, status: { a: null, b: 1 } });
    expect(out.spec.taints).toEqual([{ key: 'k' }]);
    expect(out.status).toEqual({ b: 1 });
  });

  it('a null patch is an error; a non-object patch replaces the document', () => {
    expect(caught(() => applyMergePatch(node(), null)).message).toBe('Invalid JSON Patch');
    expect(applyMergePatch(node(), [1, null])).toEqual([1, null]);
  });
});

describe('JSON patch', () => {
  it('applies operations without touching the input', () => {
    const n = node();
    const out = applyJsonPatch<any>(n, [
      { op: 'replace', path: '/spec/unschedulable', value: false },
      { op: 'add', path: '/metadata/labels/x', value: 'y' },
      { op: 'remove', path: '/spec/taints/0' },
    ]);
    expect(out.spec).toEqual({ unschedulable: false, taints: [] });
    expect(out.metadata.labels).toEqual({ a: 'b', x: 'y' });
    expect(n).toEqual(node());
  });

  it('a failing operation is the generic 422', () => {
    const e = caught(() => applyJsonPatch(node(), [{ op: 'remove', path: '/nope' }]));
    expect([e.code, e.reason, e.message]).toEqual([422, 'Invalid', 'the server rejected our request due to an error in our request']);
    expect(caught(() => applyJsonPatch(node(), [{ op: 'test', path: '/metadata/name', value: 'other' }])).code).toBe(422);
  });

  it('a body that is not a list of operations is 400; too many operations is 413', () => {
    const e = caught(() => applyJsonPatch(node(), { op: 'add' }));
    expect([e.code, e.message]).toEqual([400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch']);
    const many = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'worker-1' }));
    const big = caught(() => applyJsonPatch(node(), many));
    expect([big.code, big.message]).toEqual([413, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001']);
  });
});
