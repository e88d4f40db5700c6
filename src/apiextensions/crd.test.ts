// CRDs through the real registry and the CRD controller (in-process, no HTTP): names and
// conditions, several versions with one storage version, cluster scope, the status
// subresource's rules, generation, and CRD validation messages.
import { afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { R, type KubeObject } from '../client/types.js';
import { ApiError } from '../api/errors.js';
import { Registry } from '../apiserver/registry.js';
import { CRDController, CRD_RESOURCE } from './controller.js';
import { installCRDs } from './install.js';

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function setup() {
  const reg = new Registry(new MemoryStore(), new RealClock());
  const ctl = new CRDController(reg, new RealClock(), reg.resources);
  await ctl.start();
  running.push({ stop: async () => (await ctl.stop(), await reg.close()) });
  await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return reg;
}

async function err(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected an error');
}

const objectSchema = (props: Record<string, unknown>) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props }, status: { type: 'object', properties: { ready: { type: 'boolean' } } } } } });

function crd(group: string, plural: string, kind: string, over: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural, kind },
      versions: [{ name: 'v1', served: true, storage: true, schema: objectSchema({ size: { type: 'integer' } }), subresources: { status: {} } }],
      ...over,
    },
  };
}

describe('CustomResourceDefinition', () => {
  it('defaults names and conversion, records the stored version, becomes Established', async () => {
    const reg = await setup();
    await installCRDs(reg, [crd('a.example.com', 'things', 'Thing')]);
    const got = (await reg.get(CRD_RESOURCE, undefined, 'things.a.example.com')) as any;
    expect(got.spec.names).toEqual({ plural: 'things', singular: 'thing', kind: 'Thing', listKind: 'ThingList' });
    expect(got.spec.conversion).toEqual({ strategy: 'None' });
    expect(got.status.storedVersions).toEqual(['v1']);
    expect(got.metadata.generation).toBe(1);
    expect(got.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['NamesAccepted=True/NoConflicts', 'Established=True/InitialNamesAccepted']);
    expect(reg.resources.lookup('a.example.com', 'v1', 'things')?.kind).toBe('Thing');
  });

  it('a second CRD of the group asking for a taken plural is not accepted', async () => {
    const reg = await setup();
    await installCRDs(reg, [crd('b.example.com', 'items', 'Item')]);
    // same plural through the singular of another kind
    await reg.create(CRD_RESOURCE, undefined, crd('b.example.com', 'others', 'Other', { names: { plural: 'others', singular: 'items', kind: 'Other' } }));
    const deadline = Date.now() + 5000;
    let cond: any;
    while (Date.now() < deadline) {
      const got = (await reg.get(CRD_RESOURCE, undefined, 'others.b.example.com')) as any;
      cond = got.status.conditions?.find((c: any) => c.type === 'NamesAccepted');
      if (cond) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(cond).toMatchObject({ status: 'False', reason: 'SingularConflict', message: '"items" is already in use' });
    const got = (await reg.get(CRD_RESOURCE, undefined, 'others.b.example.com')) as any;
    expect(got.status.conditions.find((c: any) => c.type === 'Established')).toMatchObject({ status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    expect(reg.resources.lookup('b.example.com', 'v1', 'others')).toBeUndefined();
  });

  it('serves several versions from one storage version (conversion None)', async () => {
    const reg = await setup();
    const multi = crd('c.example.com', 'gadgets', 'Gadget', {
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: objectSchema({ size: { type: 'string' } }) },
        { name: 'v1', served: true, storage: true, schema: objectSchema({ size: { type: 'integer' } }) },
        { name: 'v1alpha1', served: false, storage: false, schema: objectSchema({}) },
      ],
    });
    await installCRDs(reg, [multi]);
    const v1beta1 = { group: 'c.example.com', version: 'v1beta1', plural: 'gadgets' };
    const v1 = { ...v1beta1, version: 'v1' };
    await reg.create(v1beta1, 'default', { apiVersion: 'c.example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 'big' } });
    // each version validates against its own schema
    const bad = await err(reg.create(v1, 'default', { apiVersion: 'c.example.com/v1', kind: 'Gadget', metadata: { name: 'h' }, spec: { size: 'big' } }));
    expect(bad.message).toBe('Gadget.c.example.com "h" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
    expect((await reg.get(v1, 'default', 'g')).apiVersion).toBe('c.example.com/v1');
    expect((await reg.get(v1beta1, 'default', 'g')).apiVersion).toBe('c.example.com/v1beta1');
    expect(JSON.parse((await reg.store.get('/registry/c.example.com/gadgets/default/g'))!.value).apiVersion).toBe('c.example.com/v1');
    expect(reg.resources.lookup('c.example.com', 'v1alpha1', 'gadgets')).toBeUndefined();
    const list = await reg.list(v1beta1, undefined);
    expect(list.items.map((i) => i.apiVersion)).toEqual(['c.example.com/v1beta1']);
  });

  it('cluster-scoped custom objects have no namespace', async () => {
    const reg = await setup();
    await installCRDs(reg, [crd('d.example.com', 'clusterthings', 'ClusterThing', { scope: 'Cluster' })]);
    const ref = { group: 'd.example.com', version: 'v1', plural: 'clusterthings' };
    const made = await reg.create(ref, undefined, { apiVersion: 'd.example.com/v1', kind: 'ClusterThing', metadata: { name: 'x', namespace: 'default' } });
    expect(made.metadata.namespace).toBeUndefined();
    expect(reg.resources.lookup('d.example.com', 'v1', 'clusterthings')?.namespaced).toBe(false);
  });

  it('status only through /status; generation moves with spec, not status', async () => {
    const reg = await setup();
    await installCRDs(reg, [crd('e.example.com', 'widgets', 'Widget')]);
    const ref = { group: 'e.example.com', version: 'v1', plural: 'widgets' };
    const w = await reg.create<KubeObject>(ref, 'default', { apiVersion: 'e.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1 }, status: { ready: true } });
    expect(w.status).toBeUndefined();
    const s = await reg.update(ref, 'default', { ...w, status: { ready: true } }, {}, 'status');
    expect(s.status).toEqual({ ready: true });
    expect(s.metadata.generation).toBe(1);
    const u = await reg.update<KubeObject>(ref, 'default', { ...s, spec: { size: 2 }, status: { ready: false } });
    expect(u.status).toEqual({ ready: true });
    expect(u.metadata.generation).toBe(2);
  });
});

describe('CustomResourceDefinition validation', () => {
  async function invalid(body: KubeObject): Promise<string> {
    const reg = await setup();
    const e = await err(reg.create(CRD_RESOURCE, undefined, body));
    expect(e.code).toBe(422);
    return e.message;
  }

  it('scale and printer-column paths, root types, list types', async () => {
    const msg = await invalid(
      crd('f.example.com', 'bads', 'Bad', {
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: 'status.replicas' } },
            additionalPrinterColumns: [{ name: 'X', type: 'text', jsonPath: 'spec.x' }],
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      list: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object', properties: { name: { type: 'string' } } } },
                      any: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
                      arr: { type: 'array' },
                    },
                  },
                },
              },
            },
          },
        ],
      }),
    );
    expect(msg).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[any].anyOf[0].type: Forbidden: must be empty to be structural');
    expect(msg).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[any].type: Required value: must not be empty for specified object fields');
    expect(msg).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[arr].items: Required value: must be specified');
    expect(msg).toContain('spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map');
    expect(msg).toContain('spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec');
    expect(msg).toContain('spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: "status.replicas": must be a simple json path starting with .');
    expect(msg).toContain('spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string');
    expect(msg).toContain('spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .');
  });

  it('names and immutable fields on update', async () => {
    const reg = await setup();
    await installCRDs(reg, [crd('g.example.com', 'foos', 'Foo')]);
    const cur = await reg.get(CRD_RESOURCE, undefined, 'foos.g.example.com');
    const changed = structuredClone(cur) as any;
    changed.spec.group = 'h.example.com';
    changed.spec.names.plural = 'bars';
    changed.spec.scope = 'Cluster';
    const e = await err(reg.update(CRD_RESOURCE, undefined, changed));
    expect(e.message).toContain('spec.scope: Invalid value: "Cluster": field is immutable');
    expect(e.message).toContain('spec.group: Invalid value: "h.example.com": field is immutable');
    expect(e.message).toContain('spec.names.plural: Invalid value: "bars": field is immutable');
  });
});
