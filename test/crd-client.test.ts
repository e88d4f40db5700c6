// Custom objects through @kubernetes/client-node against a cluster (garbage collector and
// namespace controller running): watch, label and field selectors, finalizers, status and
// scale subresources, ownerReferences between custom objects (background and foreground
// deletion), namespace deletion, several versions and cluster scope over HTTP.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startCluster, type StartedCluster } from '../src/index.js';
import { eventually } from './helpers/kubectl.js';

const CRONTAB = parse(readFileSync(new URL('./data/crds/crontab.yaml', import.meta.url), 'utf8'));
const schema = (props: Record<string, unknown>) => ({ openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props } } } });
const MULTI = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'regions.geo.example.com' },
  spec: {
    group: 'geo.example.com',
    scope: 'Cluster',
    names: { plural: 'regions', kind: 'Region' },
    versions: [
      { name: 'v1alpha1', served: true, storage: false, schema: schema({ code: { type: 'string' } }) },
      { name: 'v1', served: true, storage: true, schema: schema({ code: { type: 'string', maxLength: 3 } }) },
    ],
  },
};

const G = 'stable.example.com';
const V = 'v1';
const P = 'crontabs';
const cron = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: `${G}/${V}`, kind: 'CronTab', metadata: { name, ...extra }, spec: { image: 'img' } });

let cluster: StartedCluster;
let kc: KubeConfig;
let custom: CustomObjectsApi;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await startCluster({ name: 'crdclient', crds: [CRONTAB, MULTI] });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  custom = kc.makeApiClient(CustomObjectsApi);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await cluster?.stop();
});

const create = (body: object, namespace = 'default') => custom.createNamespacedCustomObject({ group: G, version: V, namespace, plural: P, body });
const get = (name: string, namespace = 'default') => custom.getNamespacedCustomObject({ group: G, version: V, namespace, plural: P, name });
const gone = async (name: string, namespace = 'default') => get(name, namespace).then(() => false, (e) => e instanceof ApiException && e.code === 404);
const names = (list: { items: { metadata: { name: string } }[] }) => list.items.map((i) => i.metadata.name).sort();

describe('custom objects with the JS client', () => {
  it('watch sees ADDED, MODIFIED and DELETED', async () => {
    const events: string[] = [];
    const req = await new Watch(kc).watch(`/apis/${G}/${V}/namespaces/default/${P}`, { fieldSelector: 'metadata.name=watched' }, (type, obj) => events.push(`${type} ${obj.metadata.name} ${obj.spec?.image}`), () => {});
    await create(cron('watched'));
    await custom.patchNamespacedCustomObject({ group: G, version: V, namespace: 'default', plural: P, name: 'watched', body: { spec: { image: 'img2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await custom.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'default', plural: P, name: 'watched' });
    await eventually(async () => events.length >= 3);
    req.abort();
    expect(events).toEqual(['ADDED watched img', 'MODIFIED watched img2', 'DELETED watched img2']);
  });

  it('label and field selectors (metadata.name, metadata.namespace); other fields are refused', async () => {
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    await create(cron('sel-a', { labels: { tier: 'web' } }));
    await create(cron('sel-b', { labels: { tier: 'db' } }));
    await create(cron('sel-c', { labels: { tier: 'web' } }), 'other');
    const all = (opts: { labelSelector?: string; fieldSelector?: string }) => custom.listCustomObjectForAllNamespaces({ group: G, version: V, plural: P, ...opts });
    expect(names(await all({ labelSelector: 'tier=web' }))).toEqual(['sel-a', 'sel-c']);
    expect(names(await all({ labelSelector: 'tier in (web,db)', fieldSelector: 'metadata.namespace=default' }))).toEqual(['sel-a', 'sel-b']);
    expect(names(await all({ fieldSelector: 'metadata.name=sel-c' }))).toEqual(['sel-c']);
    const bad = await all({ fieldSelector: 'spec.image=img' }).catch((e: ApiException<string>) => e);
    expect((bad as ApiException<string>).code).toBe(400);
  });

  it('finalizers hold a deleted object until they are removed', async () => {
    await create(cron('held', { finalizers: ['example.com/hold'] }));
    await custom.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'default', plural: P, name: 'held' });
    const held = (await get('held')) as { metadata: { deletionTimestamp?: string } };
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await custom.patchNamespacedCustomObject({ group: G, version: V, namespace: 'default', plural: P, name: 'held', body: [{ op: 'remove', path: '/metadata/finalizers' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    expect(await gone('held')).toBe(true);
  });

  it('status and scale subresources', async () => {
    await create(cron('sub'));
    const cur = (await get('sub')) as Record<string, any>;
    await custom.replaceNamespacedCustomObjectStatus({ group: G, version: V, namespace: 'default', plural: P, name: 'sub', body: { ...cur, spec: { image: 'ignored' }, status: { replicas: 2 } } });
    const after = (await get('sub')) as Record<string, any>;
    expect(after.spec.image).toBe('img');
    expect(after.status).toEqual({ replicas: 2 });
    const scale = (await custom.getNamespacedCustomObjectScale({ group: G, version: V, namespace: 'default', plural: P, name: 'sub' })) as Record<string, any>;
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 2 } });
    await custom.patchNamespacedCustomObjectScale({ group: G, version: V, namespace: 'default', plural: P, name: 'sub', body: { spec: { replicas: 4 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(((await get('sub')) as Record<string, any>).spec.replicas).toBe(4);
  });

  it('garbage collection: dependents of a deleted owner go (background and foreground)', async () => {
    for (const policy of ['Background', 'Foreground'] as const) {
      const p = policy.toLowerCase();
      const owner = (await create(cron(`owner-${p}`))) as { metadata: { uid: string } };
      const ref = { apiVersion: `${G}/${V}`, kind: 'CronTab', name: `owner-${p}`, uid: owner.metadata.uid, blockOwnerDeletion: true };
      await create(cron(`child-${p}`, { ownerReferences: [ref] }));
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `cm-${p}`, ownerReferences: [ref] } } });
      await custom.deleteNamespacedCustomObject({ group: G, version: V, namespace: 'default', plural: P, name: `owner-${p}`, propagationPolicy: policy });
      await eventually(() => gone(`child-${p}`));
      await eventually(async () => core.readNamespacedConfigMap({ name: `cm-${p}`, namespace: 'default' }).then(() => false, () => true));
      await eventually(() => gone(`owner-${p}`));
    }
  });

  it('deleting a namespace deletes its custom objects', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await create(cron('inside'), 'doomed');
    await core.deleteNamespace({ name: 'doomed' });
    await eventually(async () => core.readNamespace({ name: 'doomed' }).then(() => false, () => true), 30_000);
    expect(await gone('inside', 'doomed')).toBe(true);
  });

  it('several versions and cluster scope over HTTP', async () => {
    const region = (version: string) => ({ group: 'geo.example.com', version, plural: 'regions' });
    await custom.createClusterCustomObject({ ...region('v1alpha1'), body: { apiVersion: 'geo.example.com/v1alpha1', kind: 'Region', metadata: { name: 'eu' }, spec: { code: 'europe' } } });
    const v1 = (await custom.getClusterCustomObject({ ...region('v1'), name: 'eu' })) as Record<string, any>;
    expect(v1).toMatchObject({ apiVersion: 'geo.example.com/v1', kind: 'Region', spec: { code: 'europe' } });
    expect(v1.metadata.namespace).toBeUndefined();
    const list = (await custom.listClusterCustomObject(region('v1alpha1'))) as { apiVersion: string; items: { apiVersion: string }[] };
    expect([list.apiVersion, ...list.items.map((i) => i.apiVersion)]).toEqual(['geo.example.com/v1alpha1', 'geo.example.com/v1alpha1']);
    const tooLong = await custom.createClusterCustomObject({ ...region('v1'), body: { apiVersion: 'geo.example.com/v1', kind: 'Region', metadata: { name: 'us' }, spec: { code: 'america' } } }).catch((e: ApiException<string>) => e);
    expect(JSON.parse((tooLong as ApiException<string>).body).message).toBe('Region.geo.example.com "us" is invalid: spec.code: Too long: may not be more than 3 bytes');
    const namespaced = await custom.getNamespacedCustomObject({ ...region('v1'), namespace: 'default', name: 'eu' }).catch((e: ApiException<string>) => e);
    expect((namespaced as ApiException<string>).code).toBe(404);
  });
});
