import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { collectRefs } from './v2.js';
import { convertSchema, groupVersionOfPath, openapiV3Document, openapiV3Hash, openapiV3Index } from './v3.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('openapi v3', () => {
  it('maps paths to documents', () => {
    expect(groupVersionOfPath('/apis/apps/v1/namespaces/{namespace}/daemonsets')).toBe('apis/apps/v1');
    expect(groupVersionOfPath('/apis/apps/')).toBe('apis/apps');
    expect(groupVersionOfPath('/api/v1/pods')).toBe('api/v1');
    expect(groupVersionOfPath('/api/')).toBe('api');
    expect(groupVersionOfPath('/version/')).toBe('version');
  });

  it('indexes every group version with a content hash', () => {
    const idx = openapiV3Index();
    for (const gv of ['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'version']) {
      const doc = openapiV3Document(gv)!;
      expect(doc, gv).toBeDefined();
      const hash = createHash('sha512').update(doc).digest('hex').toUpperCase();
      expect(idx.paths[gv]).toEqual({ serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` });
      expect(openapiV3Hash(gv)).toBe(hash);
    }
    expect(idx.paths['apis/resource.k8s.io/v1beta1']).toBeUndefined();
    expect(openapiV3Document('apis/resource.k8s.io/v1beta1')).toBeUndefined();
    expect(openapiV3Document('/apis/apps/v1')).toBe(openapiV3Document('apis/apps/v1'));
  });

  const doc: Any = JSON.parse(openapiV3Document('apis/apps/v1')!.toString());

  it('has only this group version paths and resolvable component refs', () => {
    expect(doc.openapi).toBe('3.0.0');
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/apis/apps/v1/'))).toBe(true);
    const bad: string[] = [];
    collectRefs(doc, (ref) => {
      const name = ref.replace('#/components/schemas/', '');
      if (name === ref || !doc.components.schemas[name]) bad.push(ref);
    });
    expect(bad).toEqual([]);
    expect(doc.components.securitySchemes.BearerToken.type).toBe('apiKey');
  });

  it('lists fieldValidation on PATCH (kubectl 1.32 checks it) with inlined parameters and request bodies', () => {
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}'];
    const patch = item.patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'DaemonSet', version: 'v1' });
    const names = patch.parameters.map((p: Any) => p.name);
    expect(names).toEqual(expect.arrayContaining(['dryRun', 'fieldManager', 'fieldValidation', 'force']));
    const fv = patch.parameters.find((p: Any) => p.name === 'fieldValidation');
    expect(fv).toMatchObject({ in: 'query', schema: { type: 'string', uniqueItems: true } });
    expect(fv.description).toMatch(/^fieldValidation instructs the server/);
    expect(Object.keys(patch.requestBody.content)).toEqual(
      expect.arrayContaining(['application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/merge-patch+json']),
    );
    expect(patch.requestBody.required).toBe(true);
    expect(patch.consumes).toBeUndefined();
    expect(patch.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/io.k8s.api.apps.v1.DaemonSet' });
    expect(patch.responses['401']).toEqual({ description: 'Unauthorized' });
    expect(item.parameters.find((p: Any) => p.name === 'namespace')).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
    const post = doc.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets'].post;
    expect(post.requestBody.content['*/*'].schema.$ref).toBe('#/components/schemas/io.k8s.api.apps.v1.DaemonSet');
    expect(post.parameters.map((p: Any) => p.name)).toEqual(expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']));
  });

  it('wraps refs with siblings in allOf, as kube-openapi does', () => {
    const spec = doc.components.schemas['io.k8s.api.apps.v1.DaemonSetSpec'];
    expect(spec.properties.selector.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' }]);
    expect(spec.properties.selector.description).toMatch(/label query/);
    expect(convertSchema({ type: 'array', items: { $ref: '#/definitions/A' } })).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/A' },
    });
    const containers = doc.components.schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
  });
});
