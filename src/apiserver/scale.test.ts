// The scale subresource through the real registry: GET/PUT/PATCH of autoscaling/v1 Scale.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { MemoryStore } from '../store/memory.js';
import { R, type KubeObject } from '../client/types.js';
import { ApiError } from '../api/errors.js';
import { Registry } from './registry.js';
import { selectorString } from './scale.js';

async function setup() {
  const reg = new Registry(new MemoryStore(), new FakeClock());
  await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const d = await reg.create(R.deployments, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] },
      template: { metadata: { labels: { app: 'web', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  } as KubeObject);
  return { reg, d };
}

async function err(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected an error');
}

describe('scale subresource', () => {
  it('GET returns the Scale of a deployment', async () => {
    const { reg, d } = await setup();
    expect(await reg.get(R.deployments, 'default', 'web', 'scale')).toEqual({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', namespace: 'default', uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: 2 },
      status: { replicas: 0, selector: 'app=web,tier in (a,b)' },
    });
    const e = await err(reg.get(R.deployments, 'default', 'nope', 'scale'));
    expect([e.code, e.message]).toEqual([404, 'deployments.apps "nope" not found']);
  });

  it('PATCH (merge, as kubectl scale sends) and PUT change spec.replicas and bump generation', async () => {
    const { reg } = await setup();
    const s = await reg.patch<KubeObject & { spec: { replicas: number } }>(R.deployments, 'default', 'web', 'merge', { spec: { replicas: 5 } }, {}, 'scale');
    expect(s.spec.replicas).toBe(5);
    let d = await reg.get<any>(R.deployments, 'default', 'web');
    expect([d.spec.replicas, d.metadata.generation, d.metadata.resourceVersion]).toEqual([5, 2, s.metadata.resourceVersion]);
    await reg.update(R.deployments, 'default', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', resourceVersion: s.metadata.resourceVersion }, spec: { replicas: 1 } } as KubeObject, {}, 'scale');
    d = await reg.get<any>(R.deployments, 'default', 'web');
    expect(d.spec.replicas).toBe(1);
    await reg.patch(R.deployments, 'default', 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 3 }], {}, 'scale');
    expect((await reg.get<any>(R.deployments, 'default', 'web')).spec.replicas).toBe(3);
  });

  it('a stale resourceVersion conflicts; negative replicas are invalid', async () => {
    const { reg, d } = await setup();
    await reg.patch(R.deployments, 'default', 'web', 'merge', { spec: { replicas: 4 } }, {}, 'scale');
    const c = await err(reg.update(R.deployments, 'default', { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', resourceVersion: d.metadata.resourceVersion }, spec: { replicas: 1 } } as KubeObject, {}, 'scale'));
    expect([c.code, c.message]).toEqual([409, 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again']);
    const i = await err(reg.patch(R.deployments, 'default', 'web', 'merge', { spec: { replicas: -1 } }, {}, 'scale'));
    expect([i.code, i.message]).toEqual([422, 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('resources without a scale subresource refuse it', async () => {
    const { reg } = await setup();
    const e = await err(reg.get(R.pods, 'default', 'x', 'scale'));
    expect(e.code).toBe(405);
  });

  it('selectorString sorts requirements by key as labels.Selector.String does', () => {
    expect(selectorString({ matchLabels: { b: '1', a: '2' }, matchExpressions: [{ key: 'c', operator: 'Exists' }, { key: 'aa', operator: 'DoesNotExist' }] })).toBe('a=2,!aa,b=1,c');
  });
});
