import { describe, it, expect, afterEach } from 'vitest';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { Registry } from '../../apiserver/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { R, type KubeObject } from '../../client/types.js';
import { NamespaceController } from './controller.js';
import { settle } from '../garbagecollector/testing.js';

type Ns = Namespace & KubeObject;

let ctrl: NamespaceController | undefined;
afterEach(() => ctrl?.stop());

async function setup() {
  const clock = new FakeClock();
  const reg = new Registry(new MemoryStore(), clock);
  await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
  await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } });
  ctrl = new NamespaceController(reg, clock);
  await ctrl.start();
  return { clock, reg };
}

const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...(nodeName ? { nodeName } : {}) },
});

async function getNs(reg: Registry, name: string): Promise<Ns | undefined> {
  try {
    return await reg.get<Ns>(R.namespaces, undefined, name);
  } catch {
    return undefined;
  }
}

async function advance(clock: FakeClock, ms: number) {
  clock.step(ms);
  await settle();
}

const cond = (ns: Ns | undefined, type: string) => ns?.status?.conditions?.find((c) => c.type === type);

describe('NamespaceController', () => {
  it('deletes the content of a terminating namespace, then finalizes it so it goes away', async () => {
    const { clock, reg } = await setup();
    await reg.create(R.configmaps, 'demo', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
    await reg.create(R.pods, 'demo', pod('unbound'));
    await reg.create(R.configmaps, 'keep', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    await reg.delete(R.namespaces, undefined, 'demo');
    expect((await getNs(reg, 'demo'))?.status?.phase).toBe('Terminating');
    // upstream waits 5 s after the namespace event before acting
    await advance(clock, 4_000);
    expect((await reg.list(R.configmaps, 'demo')).items).toHaveLength(1);
    await advance(clock, 1_000);
    expect((await reg.list(R.configmaps, 'demo')).items).toHaveLength(0);
    expect((await reg.list(R.pods, 'demo')).items).toHaveLength(0);
    // as upstream, the grace period of the (non-terminal) pods seen before deleting them is an
    // estimate to wait for; the conditions written meanwhile bring the namespace back 5 s later
    expect(await getNs(reg, 'demo')).toBeDefined();
    await advance(clock, 5_000);
    expect(await getNs(reg, 'demo')).toBeUndefined();
    expect((await reg.list(R.configmaps, 'keep')).items).toHaveLength(1);
  });

  it('waits for gracefully terminating pods (requeue after grace/2+1 s) and reports what remains', async () => {
    const { clock, reg } = await setup();
    await reg.create(R.pods, 'demo', pod('bound', 'node-1'));
    await reg.delete(R.namespaces, undefined, 'demo');
    await settle(); // the watch event reaches the controller
    await advance(clock, 5_000);
    const p = await reg.get(R.pods, 'demo', 'bound');
    expect(p.metadata.deletionTimestamp).toBeDefined();
    const ns = await getNs(reg, 'demo');
    expect(ns?.spec?.finalizers).toEqual(['kubernetes']);
    expect(cond(ns, 'NamespaceContentRemaining')).toMatchObject({ status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods. has 1 resource instances' });
    expect(cond(ns, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' });
    expect(cond(ns, 'NamespaceDeletionDiscoveryFailure')).toMatchObject({ status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
    expect(cond(ns, 'NamespaceDeletionContentFailure')).toMatchObject({ status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' });
    // t=10 s: second pass (5 s after the conditions changed): the pod is still terminating
    await advance(clock, 5_000);
    expect(await getNs(reg, 'demo')).toBeDefined();
    // the kubelet finishes the pod; the first pass asked to look again 30/2+1 s later (t=21 s)
    await reg.delete(R.pods, 'demo', 'bound', { gracePeriodSeconds: 0 });
    await advance(clock, 10_000);
    expect(await getNs(reg, 'demo')).toBeDefined();
    await advance(clock, 1_000);
    expect(await getNs(reg, 'demo')).toBeUndefined();
  });

  it('reports content held by finalizers and waits for it', async () => {
    const { clock, reg } = await setup();
    await reg.create(R.configmaps, 'demo', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await reg.delete(R.namespaces, undefined, 'demo');
    await settle(); // the watch event reaches the controller
    await advance(clock, 5_000);
    const ns = await getNs(reg, 'demo');
    expect(cond(ns, 'NamespaceFinalizersRemaining')).toMatchObject({
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect(cond(ns, 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: configmaps. has 1 resource instances');
    await reg.patch(R.configmaps, 'demo', 'held', 'merge', { metadata: { finalizers: null } });
    await advance(clock, 8_000); // 15/2+1
    expect(await getNs(reg, 'demo')).toBeUndefined();
  });

  it('finalizes at once a namespace whose content has no grace period to wait for', async () => {
    const { clock, reg } = await setup();
    await reg.create(R.configmaps, 'demo', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    await reg.create(R.secrets, 'demo', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    await reg.delete(R.namespaces, undefined, 'demo');
    await settle();
    await advance(clock, 5_000);
    expect(await getNs(reg, 'demo')).toBeUndefined();
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    const { clock, reg } = await setup();
    await reg.create(R.configmaps, 'keep', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    await ctrl!.deleteNamespace('keep');
    await advance(clock, 60_000);
    expect((await reg.list(R.configmaps, 'keep')).items).toHaveLength(1);
    expect((await getNs(reg, 'keep'))?.status?.conditions).toBeUndefined();
  });
});
