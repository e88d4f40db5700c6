// Spliced JSON responses must be byte for byte what decoding + JSON.stringify gives.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { R, type KubeObject } from '../client/types.js';
import { ApiError } from '../api/errors.js';
import { resourceFor, storageKey } from '../api/resources.js';
import { Registry } from './registry.js';
import { decodeStored } from './watchhub.js';
import { getJson, listJson, spliceResourceVersion } from './rawjson.js';

const viaDecode = (stored: string, rv: number) => JSON.stringify(decodeStored(stored, rv));

describe('spliceResourceVersion', () => {
  const cases: Record<string, unknown> = {
    'typical': { apiVersion: 'v1', kind: 'Node', metadata: { name: 'a', labels: { x: 'y' }, uid: 'u' }, spec: {}, status: { conditions: [{ type: 'Ready' }] } },
    'empty metadata': { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { k: 'v' } },
    'metadata after spec with a nested metadata': {
      kind: 'DaemonSet',
      spec: { template: { metadata: { labels: { a: 'b' }, name: 'inner' } } },
      metadata: { name: 'outer', annotations: { note: 'a "quoted" \\ backslash \\" and }{][, "metadata":{' } },
    },
    'a stale resourceVersion inside metadata is replaced in place': { metadata: { name: 'a', resourceVersion: '7', uid: 'u' }, x: 1 },
    'a key named resourceVersion elsewhere is left alone': { spec: { resourceVersion: 'keep' }, metadata: { name: 'a', labels: { resourceVersion: 'x' } } },
    'numbers, booleans, null and arrays in metadata': { metadata: { generation: 3, deletionGracePeriodSeconds: 0, finalizers: ['a', 'b'], x: null, y: true, z: -1.5e-7 } },
    'unicode and escapes in keys and values': { metadata: { 'na\\"me': 'é\u2028\n\t', annotations: { '"}': '{"' } } },
    'a string ending in an escaped backslash': { metadata: { name: 'a\\', uid: '\\\\' }, data: { 'x\\': '\\' } },
  };
  for (const [what, obj] of Object.entries(cases)) {
    it(what, () => {
      const stored = JSON.stringify(obj);
      expect(spliceResourceVersion(stored, '12345')).toBe(viaDecode(stored, 12345));
    });
  }

  it('declines what it does not understand', () => {
    expect(spliceResourceVersion('{"kind":"X"}', '1')).toBeUndefined(); // no metadata
    expect(spliceResourceVersion('{"metadata":null}', '1')).toBeUndefined();
    expect(spliceResourceVersion('{ "metadata": {} }', '1')).toBeUndefined(); // not compact
    expect(spliceResourceVersion('{"metadata":{"name":"a"', '1')).toBeUndefined(); // truncated
    expect(spliceResourceVersion('[]', '1')).toBeUndefined();
  });
});

describe('getJson / listJson against the registry', () => {
  async function setup() {
    const store = new MemoryStore();
    const reg = new Registry(store, new FakeClock());
    await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    for (const ns of ['default', 'other']) {
      for (const name of ['b', 'a', 'c']) {
        await reg.create(R.configmaps, ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { n: name } }, data: { q: 'say "hi"\\' } } as KubeObject);
      }
    }
    const cm = await reg.get(R.configmaps, 'default', 'a');
    await reg.update(R.configmaps, 'default', { ...cm, data: { q: 'changed' } });
    return { store, reg, cms: resourceFor('', 'v1', 'configmaps')!, nss: resourceFor('', 'v1', 'namespaces')! };
  }

  it('GET equals the registry\'s answer, including after an update', async () => {
    const { store, reg, cms, nss } = await setup();
    for (const name of ['a', 'b']) {
      expect(await getJson(store, cms, 'default', name)).toBe(JSON.stringify(await reg.get(R.configmaps, 'default', name)));
    }
    expect(await getJson(store, nss, undefined, 'other')).toBe(JSON.stringify(await reg.get(R.namespaces, undefined, 'other')));
    expect(JSON.parse((await getJson(store, cms, 'default', 'a'))!).metadata.resourceVersion).toBe((await reg.get(R.configmaps, 'default', 'a')).metadata.resourceVersion);
  });

  it('GET of a missing object is the registry\'s NotFound', async () => {
    const { store, cms } = await setup();
    const e = await getJson(store, cms, 'default', 'nope').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).toStatus()).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' } });
  });

  it('GET declines a stored object without the expected apiVersion/kind in front', async () => {
    const { store, cms } = await setup();
    await store.create(storageKey(cms, 'default', 'odd'), JSON.stringify({ metadata: { name: 'odd', namespace: 'default' } }));
    expect(await getJson(store, cms, 'default', 'odd')).toBeUndefined();
  });

  it('LIST equals the registry\'s answer, all namespaces and one', async () => {
    const { store, reg, cms } = await setup();
    expect(await listJson(store, cms, undefined, {})).toBe(JSON.stringify(await reg.list(R.configmaps, undefined)));
    expect(await listJson(store, cms, 'other', { resourceVersion: '0' })).toBe(JSON.stringify(await reg.list(R.configmaps, 'other', { resourceVersion: '0' })));
    const empty = resourceFor('apps', 'v1', 'daemonsets')!;
    expect(await listJson(store, empty, 'default', {})).toBe(JSON.stringify(await reg.list(R.daemonsets, 'default')));
    expect(JSON.parse((await listJson(store, cms, undefined, {}))!).items.map((o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'default/a', 'default/b', 'default/c', 'other/a', 'other/b', 'other/c',
    ]);
  });

  it('LIST declines paging, exact resourceVersions and malformed ones (the registry answers those)', async () => {
    const { store, cms } = await setup();
    expect(await listJson(store, cms, undefined, { limit: 2 })).toBeUndefined();
    expect(await listJson(store, cms, undefined, { continue: 'x' })).toBeUndefined();
    expect(await listJson(store, cms, undefined, { resourceVersion: '3', resourceVersionMatch: 'Exact' })).toBeUndefined();
    expect(await listJson(store, cms, undefined, { resourceVersion: 'abc' })).toBeUndefined();
    expect(await listJson(store, cms, undefined, { resourceVersion: '3', resourceVersionMatch: 'NotOlderThan' })).toBeDefined();
  });
});
