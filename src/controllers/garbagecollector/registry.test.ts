// The collector against the real API server registry: its DELETE semantics (orphan and
// foregroundDeletion finalizers) and strategic merge patches on ownerReferences.
import { describe, it, expect, afterEach } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { Registry } from '../../apiserver/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { R, type KubeObject } from '../../client/types.js';
import { GarbageCollector } from './garbagecollector.js';
import { ownerRef, settle } from './testing.js';

let gc: GarbageCollector | undefined;
afterEach(() => gc?.stop());

const labels = { app: 'web' };
const ds: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'web' },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
};

async function setup() {
  const clock = new FakeClock();
  const reg = new Registry(new MemoryStore(), clock);
  await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const owner = await reg.create(R.daemonsets, 'default', ds);
  for (const name of ['a', 'b']) {
    await reg.create(R.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels, ownerReferences: [ownerRef('DaemonSet', 'web', owner.metadata.uid!)] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }
  gc = new GarbageCollector(reg, clock, { workers: 2 });
  await gc.start();
  await settle();
  return reg;
}

const names = async (reg: Registry) => (await reg.list(R.pods, 'default')).items.map((p) => p.metadata.name);

describe('GarbageCollector on the registry', () => {
  it('background: the pods of a deleted DaemonSet are collected', async () => {
    const reg = await setup();
    await reg.delete(R.daemonsets, 'default', 'web', { propagationPolicy: 'Background' });
    await settle(100);
    expect(await names(reg)).toEqual([]);
  });

  it('foreground: the DaemonSet lingers with foregroundDeletion until its pods are gone', async () => {
    const reg = await setup();
    const marked = await reg.delete(R.daemonsets, 'default', 'web', { propagationPolicy: 'Foreground' });
    expect(marked.metadata.finalizers).toEqual(['foregroundDeletion']);
    await settle(100);
    expect(await names(reg)).toEqual([]);
    await expect(reg.get(R.daemonsets, 'default', 'web')).rejects.toMatchObject({ code: 404 });
  });

  it('orphan: the pods stay without the owner reference and the DaemonSet goes', async () => {
    const reg = await setup();
    await reg.delete(R.daemonsets, 'default', 'web', { propagationPolicy: 'Orphan' });
    await settle(100);
    const pods = (await reg.list(R.pods, 'default')).items;
    expect(pods.map((p) => [p.metadata.name, p.metadata.ownerReferences ?? []])).toEqual([['a', []], ['b', []]]);
    await expect(reg.get(R.daemonsets, 'default', 'web')).rejects.toMatchObject({ code: 404 });
  });
});
