import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  definitionFor,
  findDuplicateFields,
  findUnknownFields,
  strictDecodingError,
  strictFieldErrors,
  unknownFieldMessage,
  warningHeader,
} from './fields.js';

const DS = 'io.k8s.api.apps.v1.DaemonSet';

function daemonSet(container: Record<string, unknown>, extraSpec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'x', labels: { 'any/key': 'v' }, annotations: { 'a.b/c': 'd' } },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'a', image: 'i' }, container] } },
      ...extraSpec,
    },
  };
}

describe('findUnknownFields', () => {
  it('accepts a valid object with maps, IntOrString and Quantity values', () => {
    const ds = daemonSet({
      name: 'b',
      image: 'i',
      resources: { limits: { cpu: '100m', memory: '1Gi' } },
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
      ports: [{ containerPort: 80 }],
    });
    expect(findUnknownFields(DS, ds)).toEqual([]);
  });

  it('reports nested unknown fields with list indexes, in document order', () => {
    const ds = daemonSet({ name: 'b', imagee: 'i', ports: [{ containerPort: 1 }, { containerPortt: 2 }] }, { foo: 1 });
    (ds as Record<string, unknown>).Spec = {};
    expect(findUnknownFields(DS, ds)).toEqual([
      'spec.template.spec.containers[1].imagee',
      'spec.template.spec.containers[1].ports[1].containerPortt',
      'spec.foo',
      'Spec',
    ]);
  });

  it('does not descend into opaque values (FieldsV1, RawExtension-like objects)', () => {
    const ds = daemonSet({ name: 'b' });
    (ds.metadata as Record<string, unknown>).managedFields = [
      { manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { 'f:anything': {} } }, bogus: 1 },
    ];
    expect(findUnknownFields(DS, ds)).toEqual(['metadata.managedFields[0].bogus']);
  });

  it('returns nothing for an unknown definition', () => {
    expect(findUnknownFields('io.example.Nope', { a: 1 })).toEqual([]);
  });
});

describe('findUnknownFields with a synthetic swagger', () => {
  const saved = process.env.KINDLING_SWAGGER;
  afterEach(() => {
    if (saved === undefined) delete process.env.KINDLING_SWAGGER;
    else process.env.KINDLING_SWAGGER = saved;
  });

  it('follows additionalProperties object maps and stops at x-kubernetes-preserve-unknown-fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-swagger-'));
    const file = join(dir, 'swagger.json');
    writeFileSync(
      file,
      JSON.stringify({
        swagger: '2.0',
        info: { title: 't', version: 'v' },
        paths: {},
        definitions: {
          'x.Top': {
            type: 'object',
            properties: {
              byName: { type: 'object', additionalProperties: { $ref: '#/definitions/x.Leaf' } },
              free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              leaf: { $ref: '#/definitions/x.Leaf', description: 'a leaf' },
            },
          },
          'x.Leaf': { type: 'object', properties: { a: { type: 'string' } } },
        },
      }),
    );
    process.env.KINDLING_SWAGGER = file;
    const obj = { byName: { k1: { a: 'x' }, k2: { b: 'y' } }, free: { anything: { at: 'all' } }, leaf: { c: 1 } };
    expect(findUnknownFields('x.Top', obj)).toEqual(['byName.k2.b', 'leaf.c']);
  });
});

describe('findDuplicateFields', () => {
  it('reports repeated keys with their paths', () => {
    const raw = '{"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"a","image":"i","name":"b"}]}},"replicas":2},"kind":"X"}';
    expect(findDuplicateFields(raw)).toEqual(['spec.template.spec.containers[0].name', 'spec.replicas']);
  });
  it('handles escapes, empty containers and invalid JSON', () => {
    expect(findDuplicateFields('{"a\\"b":"x\\"}","c":[],"d":{},"e":[1,-2.5e3,true,null]}')).toEqual([]);
    expect(findDuplicateFields('{"a":1,"a":')).toEqual([]);
  });
});

describe('definitionFor', () => {
  it('maps apiVersion and kind through x-kubernetes-group-version-kind', () => {
    expect(definitionFor('apps/v1', 'DaemonSet')).toBe(DS);
    expect(definitionFor('v1', 'Pod')).toBe('io.k8s.api.core.v1.Pod');
    expect(definitionFor('events.k8s.io/v1', 'Event')).toBe('io.k8s.api.events.v1.Event');
    expect(definitionFor('v1', 'Event')).toBe('io.k8s.api.core.v1.Event');
    expect(definitionFor('apps/v1', 'Nope')).toBeUndefined();
    expect(definitionFor('v1', 'DaemonSet')).toBeUndefined();
  });
});

describe('messages', () => {
  it('builds the Strict error as upstream words it', () => {
    const raw = JSON.stringify(daemonSet({ name: 'b', imagee: 'i' }, { foo: 1 }));
    const errs = strictFieldErrors(DS, raw);
    const err = strictDecodingError('DaemonSet', 'v1', errs);
    expect(err.code).toBe(400);
    expect(err.reason).toBe('BadRequest');
    expect(err.message).toBe(
      'DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: ' +
        'unknown field "spec.template.spec.containers[1].imagee", unknown field "spec.foo"',
    );
    expect(err.toStatus()).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
  });
  it('includes duplicates and builds Warning headers', () => {
    expect(strictFieldErrors(DS, '{"kind":"DaemonSet","kind":"DaemonSet"}')).toEqual(['duplicate field "kind"']);
    expect(warningHeader(unknownFieldMessage('spec.foo'))).toBe('299 - "unknown field \\"spec.foo\\""');
  });
});
