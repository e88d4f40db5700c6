import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadSwagger, swaggerPath, isObject, type JsonObject } from './swagger.js';
import { collectRefs, openapiV2Document, openapiV2ETag, openapiV2Json, restrictSwagger } from './v2.js';
import { RESOURCES } from '../resources.js';

describe('loadSwagger', () => {
  it('finds the document shipped beside it and caches it', () => {
    expect(swaggerPath()).toMatch(/api\/openapi\/data\/swagger\.json\.gz$/);
    const a = loadSwagger();
    expect(a.swagger).toBe('2.0');
    expect(a.definitions['io.k8s.api.apps.v1.DaemonSet']).toBeDefined();
    expect(loadSwagger()).toBe(a);
  });
});

describe('restricted v2 document', () => {
  const doc = openapiV2Document();
  const paths = Object.keys(doc.paths);

  it('keeps the served resources, their subresources and watch paths', () => {
    for (const p of [
      '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}',
      '/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}/status',
      '/apis/apps/v1/watch/namespaces/{namespace}/daemonsets',
      '/apis/apps/v1/daemonsets',
      '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
      '/api/v1/namespaces/{name}/finalize',
      '/api/v1/namespaces/{namespace}/pods/{name}/eviction',
      '/api/v1/nodes/{name}/status',
      '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}',
      '/api/v1/',
      '/apis/apps/',
      '/version/',
    ]) {
      expect(paths, p).toContain(p);
    }
  });

  it('drops resources and subresources kindling does not serve', () => {
    for (const p of [
      '/apis/apps/v1/namespaces/{namespace}/statefulsets',
      '/api/v1/namespaces/{namespace}/pods/{name}/resize',
      '/api/v1/nodes/{name}/proxy',
      '/apis/resource.k8s.io/v1beta1/resourceclaims',
      '/apis/resource.k8s.io/',
    ]) {
      expect(paths).not.toContain(p);
    }
    expect(Object.keys(doc.definitions)).not.toContain('io.k8s.api.apps.v1.StatefulSet');
  });

  it('keeps every definition and parameter the paths reach, with x-kubernetes extensions', () => {
    const missing: string[] = [];
    collectRefs(doc, (ref) => {
      const [, section, name] = ref.split('/');
      const table = (section === 'definitions' ? doc.definitions : doc.parameters) as Record<string, unknown>;
      if (!table[name!]) missing.push(ref);
    });
    expect(missing).toEqual([]);
    for (const info of RESOURCES) expect(doc.definitions[info.definition], info.definition).toBeDefined();
    const containers = (doc.definitions['io.k8s.api.core.v1.PodSpec']!.properties as JsonObject).containers as JsonObject;
    expect(containers['x-kubernetes-patch-merge-key']).toBe('name');
    expect(containers['x-kubernetes-patch-strategy']).toBe('merge');
    expect(doc.definitions['io.k8s.api.apps.v1.DaemonSet']!['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'DaemonSet', version: 'v1' },
    ]);
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}']!.patch as JsonObject;
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect(Object.keys(doc.definitions).length).toBeLessThan(Object.keys(loadSwagger().definitions).length);
  });

  it('restricts to a given registry', () => {
    const only = restrictSwagger(loadSwagger(), RESOURCES.filter((r) => r.kind === 'DaemonSet'));
    expect(Object.keys(only.paths).some((p) => p.includes('/pods'))).toBe(false);
    expect(Object.keys(only.definitions)).toContain('io.k8s.api.core.v1.PodSpec');
    expect(Object.keys(only.definitions)).not.toContain('io.k8s.api.core.v1.Pod');
  });

  it('serves cached JSON with an upstream-style ETag', () => {
    const json = openapiV2Json();
    expect(openapiV2Json()).toBe(json);
    const parsed = JSON.parse(json.toString()) as JsonObject;
    expect(isObject(parsed.paths) && Object.keys(parsed.paths)).toEqual(paths);
    const hex = createHash('sha512').update(json).digest('hex').toUpperCase();
    expect(openapiV2ETag()).toBe(`"${hex}"`);
  });
});
