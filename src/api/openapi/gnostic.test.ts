import protobuf from 'protobufjs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { encodeGnostic, gnosticTypes, openapiV2Protobuf } from './gnostic.js';
import { openapiV2Document } from './v2.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function named(list: Any[] | undefined, name: string): Any {
  return list?.find((e) => e.name === name)?.value;
}

describe('openapiV2Protobuf', () => {
  const buf = openapiV2Protobuf();
  const Document = gnosticTypes().lookupType('openapi.v2.Document');
  const doc: Any = Document.toObject(Document.decode(buf), { defaults: false });
  const json = openapiV2Document();

  it('puts the top-level fields at gnostic field numbers (raw wire check)', () => {
    const r = protobuf.Reader.create(buf);
    const seen = new Map<number, number>();
    let swagger = '';
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      expect(tag & 7).toBe(2); // every top-level field is length-delimited
      seen.set(field, (seen.get(field) ?? 0) + 1);
      if (field === 1) swagger = r.string();
      else r.skipType(2);
    }
    expect(swagger).toBe('2.0');
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([1, 2, 8, 9, 10, 12, 13]);
  });

  it('round-trips definitions with types, properties and vendor extensions as YAML', () => {
    const defs: Any[] = doc.definitions.additional_properties;
    expect(defs.map((d) => d.name)).toEqual(Object.keys(json.definitions));
    const ds = named(defs, 'io.k8s.api.apps.v1.DaemonSet');
    expect(ds.description).toBe(json.definitions['io.k8s.api.apps.v1.DaemonSet']!.description);
    expect(ds.type.value).toEqual(['object']);
    expect(parse(named(ds.vendor_extension, 'x-kubernetes-group-version-kind').yaml)).toEqual([
      { group: 'apps', kind: 'DaemonSet', version: 'v1' },
    ]);
    const spec = named(ds.properties.additional_properties, 'spec');
    expect(spec._ref).toBe('#/definitions/io.k8s.api.apps.v1.DaemonSetSpec');
    const podSpec = named(defs, 'io.k8s.api.core.v1.PodSpec');
    const containers = named(podSpec.properties.additional_properties, 'containers');
    expect(containers.type.value).toEqual(['array']);
    expect(containers.items.schema[0]._ref).toBe('#/definitions/io.k8s.api.core.v1.Container');
    expect(named(containers.vendor_extension, 'x-kubernetes-patch-merge-key').yaml.trim()).toBe('name');
    const nodeSelector = named(podSpec.properties.additional_properties, 'nodeSelector');
    expect(nodeSelector.additional_properties.schema.type.value).toEqual(['string']);
  });

  it('encodes paths, operations and parameters', () => {
    const item = named(doc.paths.path, '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}');
    expect(item.patch.operation_id).toBe('patchAppsV1NamespacedDaemonSet');
    const params: Any[] = item.patch.parameters;
    expect(params[0].json_reference._ref).toMatch(/^#\/parameters\/body-/);
    const fv = params.map((p) => p.parameter?.non_body_parameter?.query_parameter_sub_schema).find((q) => q?.name === 'fieldValidation');
    expect(fv).toMatchObject({ in: 'query', type: 'string', unique_items: true });
    const ok = named(item.patch.responses.response_code, '200');
    expect(ok.response.schema.schema._ref).toBe('#/definitions/io.k8s.api.apps.v1.DaemonSet');
    expect(item.parameters.some((p: Any) => p.parameter?.non_body_parameter?.path_parameter_sub_schema?.name === 'name')).toBe(true);
    const body = named(doc.parameters.additional_properties, params[0].json_reference._ref.split('/')[2]);
    expect(body.body_parameter.schema._ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    expect(doc.security[0].additional_properties[0].name).toBe('BearerToken');
    expect(named(doc.security_definitions.additional_properties, 'BearerToken').api_key_security.in).toBe('header');
  });

  it('encodes any document and is cached', () => {
    expect(openapiV2Protobuf()).toBe(buf);
    const small = encodeGnostic({
      swagger: '2.0',
      info: { title: 't', version: '1' },
      paths: {},
      definitions: { A: { type: 'object', additionalProperties: true, enum: ['x', 1], default: {} } },
    });
    const d: Any = Document.toObject(Document.decode(small));
    const a = named(d.definitions.additional_properties, 'A');
    expect(a.additional_properties.boolean).toBe(true);
    expect(a.enum.map((e: Any) => parse(e.yaml))).toEqual(['x', 1]);
    expect(parse(a.default.yaml)).toEqual({});
  });
});
