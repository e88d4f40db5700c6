import { describe, expect, it } from 'vitest';
import { applyDefaults, prune, validateObjectAgainstSchema, type Schema } from './schema.js';
import { evaluateJsonPath, setPath } from './jsonpath.js';
import { columnPrinter } from './printer.js';

const render = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5 },
        size: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, multipleOf: 0.5 },
        mode: { type: 'string', enum: ['fast', 'slow'] },
        email: { type: 'string', format: 'email' },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
        },
        labels: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

describe('structural schema validation (kube-openapi messages as apiextensions reports them)', () => {
  it('accepts a valid object', () => {
    const obj = { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'a' }, spec: { name: 'ab', size: 2, port: 'http', note: null, ports: [{ name: 'a', port: 1 }] } };
    expect(validateObjectAgainstSchema(schema, obj, undefined)).toEqual([]);
  });

  it('reports each kind of violation with its path', () => {
    const obj = {
      spec: {
        size: 'big',
        ratio: 0.3,
        mode: 'medium',
        email: 'nope',
        port: true,
        tags: ['a', 'a', 'b'],
        ports: [{ name: 'x' }, { name: 'x' }],
        labels: { a: '1', b: '2' },
        template: { metadata: { name: 'BAD_NAME' } },
      },
    };
    expect(render(validateObjectAgainstSchema(schema, obj, undefined))).toEqual([
      'spec.name: Required value',
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      'spec.ratio: Invalid value: 0.3: spec.ratio in body should be a multiple of 0.5',
      'spec.mode: Unsupported value: "medium": supported values: "fast", "slow"',
      'spec.email: Invalid value: "nope": spec.email in body must be of type email: "nope"',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.tags[1]: Duplicate value: "a"',
      'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}',
      'spec.labels: Too many: 2: must have at most 1 items',
      'spec.template.kind: Required value: must not be empty',
      'spec.template.apiVersion: Required value: must not be empty',
      expect.stringMatching(/^spec\.template\.metadata\.name: Invalid value: "BAD_NAME": a lowercase RFC 1123 subdomain/),
    ]);
  });

  it('string lengths, bounds and patterns', () => {
    const s: Schema = { type: 'object', properties: { a: { type: 'string', maxLength: 3, pattern: '^(?i)[a-z]+$' }, b: { type: 'string', minLength: 2 }, n: { type: 'integer', maximum: 5, exclusiveMaximum: true } } };
    expect(render(validateObjectAgainstSchema(s, { a: 'ABCD1', b: 'x', n: 5 }, undefined))).toEqual([
      'a: Too long: may not be more than 3 bytes',
      "a: Invalid value: \"ABCD1\": a in body should match '^(?i)[a-z]+$'",
      'b: Invalid value: "x": b in body should be at least 2 chars long',
      'n: Invalid value: 5: n in body should be less than 5',
    ]);
  });
});

describe('pruning and defaulting', () => {
  it('drops undeclared fields (not in preserve-unknown-fields subtrees), keeps apiVersion/kind/metadata', () => {
    const obj = { apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'a', labels: { x: 'y' } }, junk: 1, spec: { name: 'ab', bogus: true, extra: { anything: [1] }, ports: [{ name: 'a', what: 1 }], template: { apiVersion: 'v1', kind: 'Pod', spec: {} } } };
    expect(prune(schema, obj)).toEqual(['junk', 'spec.bogus', 'spec.ports[0].what']);
    expect(obj).toEqual({ apiVersion: 'x.io/v1', kind: 'X', metadata: { name: 'a', labels: { x: 'y' } }, spec: { name: 'ab', extra: { anything: [1] }, ports: [{ name: 'a' }], template: { apiVersion: 'v1', kind: 'Pod', spec: {} } } });
  });

  it('prunes nulls of non-nullable fields, keeps them where nullable', () => {
    const obj = { spec: { name: null, note: null } };
    prune(schema, obj);
    expect(obj).toEqual({ spec: { note: null } });
  });

  it('sets defaults where fields are absent', () => {
    const obj: Record<string, any> = { spec: { name: 'ab' } };
    applyDefaults(schema, obj);
    expect(obj.spec.size).toBe(3);
    const set: Record<string, any> = { spec: { name: 'ab', size: 7 } };
    applyDefaults(schema, set);
    expect(set.spec.size).toBe(7);
  });
});

describe('CEL x-kubernetes-validations', () => {
  const cel: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': [
          { rule: 'self.min <= self.max', message: 'min must not exceed max' },
          { rule: "!has(self.name) || self.name.startsWith('app-')", messageExpression: "'name ' + self.name + ' lacks the app- prefix'" },
          { rule: 'size(self.items) < 3', reason: 'FieldValueForbidden', fieldPath: '.items' },
        ],
        properties: {
          min: { type: 'integer' },
          max: { type: 'integer' },
          name: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable' }] },
          items: { type: 'array', items: { type: 'string' } },
          size: { type: 'string', 'x-kubernetes-validations': [{ rule: 'quantity(self).isGreaterThan(quantity("1Gi"))' }] },
        },
      },
    },
  };

  it('passes a valid object', () => {
    expect(validateObjectAgainstSchema(cel, { spec: { min: 1, max: 2, name: 'app-x', items: [] } }, undefined)).toEqual([]);
  });

  it('reports failed rules at their paths, with messages, message expressions and reasons', () => {
    expect(render(validateObjectAgainstSchema(cel, { spec: { min: 3, max: 2, name: 'web', items: ['a', 'b', 'c'] } }, undefined))).toEqual([
      'spec: Invalid value: "object": min must not exceed max',
      'spec: Invalid value: "object": name web lacks the app- prefix',
      'spec.items: Forbidden: failed rule: size(self.items) < 3',
    ]);
  });

  it('runs transition rules (oldSelf) only on updates', () => {
    expect(validateObjectAgainstSchema(cel, { spec: { min: 1, max: 1, name: 'app-a', items: [] } }, undefined)).toEqual([]);
    expect(render(validateObjectAgainstSchema(cel, { spec: { min: 1, max: 1, name: 'app-b', items: [] } }, { spec: { name: 'app-a' } }))).toEqual([
      'spec.name: Invalid value: "string": Value is immutable',
    ]);
  });

  it('says which Kubernetes CEL library function is not supported', () => {
    const [err] = render(validateObjectAgainstSchema(cel, { spec: { min: 1, max: 1, items: [], size: '2Gi' } }, undefined));
    expect(err).toBe('spec.size: Invalid value: "string": unbound function: isGreaterThan: this CEL function of Kubernetes is not supported by kindling, rule: quantity(self).isGreaterThan(quantity("1Gi"))');
  });
});

describe('printer columns and JSONPath', () => {
  it('selects fields, indexes, wildcards and filters', () => {
    const o = { status: { conditions: [{ type: 'A', status: 'False' }, { type: 'Ready', status: 'True' }] }, spec: { list: [{ n: 1 }, { n: 2 }] } };
    expect(evaluateJsonPath('.status.conditions[?(@.type == "Ready")].status', o)).toEqual(['True']);
    expect(evaluateJsonPath('.spec.list[*].n', o)).toEqual([1, 2]);
    expect(evaluateJsonPath('.spec.list[-1].n', o)).toEqual([2]);
    expect(evaluateJsonPath('.spec.missing', o)).toEqual([]);
    const target: Record<string, unknown> = {};
    setPath(target, '.spec.replicas', 3);
    expect(target).toEqual({ spec: { replicas: 3 } });
  });

  it('types cells as the column says; no columns means Name and Age', () => {
    const p = columnPrinter([
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Ready', type: 'boolean', jsonPath: '.status.ready' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nope' },
      { name: 'Created', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    const obj = { metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { replicas: 2.0 }, status: { ready: true } };
    expect(p.columns().map((c) => c.name)).toEqual(['Name', 'Replicas', 'Ready', 'Missing', 'Created']);
    expect(p.cells(obj, Date.parse('2026-01-01T00:05:00Z'))).toEqual(['x', 2, true, null, '5m']);
    expect(columnPrinter(undefined).columns().map((c) => c.name)).toEqual(['Name', 'Age']);
  });
});
