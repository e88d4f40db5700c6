import { describe, it, expect, afterEach } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { R, type KubeObject } from '../../client/types.js';
import { GarbageCollector } from './garbagecollector.js';
import { PolicyFakeClient, ownerRef, settle } from './testing.js';

const NS = 'default';
const T = '2026-01-01T00:00:00Z';

function ds(name: string, uid: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: NS, uid, ...meta }, spec: {} };
}
function pod(name: string, uid: string, owners: ReturnType<typeof ownerRef>[], meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, uid, ownerReferences: owners, ...meta }, spec: {} };
}

let gc: GarbageCollector | undefined;
afterEach(() => gc?.stop());

async function run(client: PolicyFakeClient): Promise<GarbageCollector> {
  gc = new GarbageCollector(client, new FakeClock(), { workers: 2 });
  await gc.start();
  await settle();
  return gc;
}

describe('GarbageCollector: background', () => {
  it('deletes dependents of an owner that does not exist, with Background and a uid precondition', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'gone', 'ds-gone')]));
    c.seed(R.controllerrevisions, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'gone-1', namespace: NS, uid: 'cr1', ownerReferences: [ownerRef('DaemonSet', 'gone', 'ds-gone')] }, revision: 1 });
    await run(c);
    expect(c.peek(R.pods, NS, 'a')).toBeUndefined();
    expect(c.peek(R.controllerrevisions, NS, 'gone-1')).toBeUndefined();
    expect(c.deletes).toContainEqual({ resource: 'pods', namespace: NS, name: 'a', opts: { propagationPolicy: 'Background', preconditions: { uid: 'pa' } } });
  });

  it('keeps dependents of a live owner, and collects them once the owner is deleted', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')]));
    await run(c);
    expect(c.peek(R.pods, NS, 'a')).toBeDefined();
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Background' });
    await settle();
    expect(c.peek(R.pods, NS, 'a')).toBeUndefined();
  });

  it('treats an owner with the same name but another uid as gone', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds-new'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds-old')]));
    await run(c);
    expect(c.peek(R.pods, NS, 'a')).toBeUndefined();
    expect(c.peek(R.daemonsets, NS, 'web')).toBeDefined();
  });

  it('with a solid owner left, only removes the dangling reference (strategic $patch delete)', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('live', 'ds1'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'live', 'ds1', { controller: false }), ownerRef('DaemonSet', 'gone', 'ds2', { controller: false })]));
    await run(c);
    const p = c.peek(R.pods, NS, 'a')!;
    expect(p.metadata.ownerReferences!.map((r) => r.uid)).toEqual(['ds1']);
    const patch = c.actions().find((a) => a.verb === 'patch' && a.resource === 'pods');
    expect(patch?.patchType).toBe('strategic');
    expect(patch?.object).toEqual({ metadata: { ownerReferences: [{ $patch: 'delete', uid: 'ds2' }], uid: 'pa' } });
  });

  it('deletes a dependent without solid owners using the policy its own finalizers ask for', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.replicasets, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: NS, uid: 'rs1', finalizers: ['orphan'], ownerReferences: [ownerRef('Deployment', 'd', 'dep-gone')] } });
    await run(c);
    expect(c.deletes.find((d) => d.name === 'rs')?.opts.propagationPolicy).toBe('Orphan');
  });

  it('collects a dependent whose owner is deleted while the collector runs, via the informer', async () => {
    const c = new PolicyFakeClient();
    await run(c);
    await c.create(R.daemonsets, NS, ds('web', ''));
    const owner = c.peek(R.daemonsets, NS, 'web')!;
    await c.create(R.pods, NS, pod('p', '', [ownerRef('DaemonSet', 'web', owner.metadata.uid!)]));
    await settle();
    expect(c.peek(R.pods, NS, 'p')).toBeDefined();
    await c.delete(R.daemonsets, NS, 'web');
    await settle();
    expect(c.peek(R.pods, NS, 'p')).toBeUndefined();
  });
});

describe('GarbageCollector: foreground', () => {
  it('deletes blocking dependents, then removes foregroundDeletion so the owner goes', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')]));
    c.seed(R.pods, pod('b', 'pb', [ownerRef('DaemonSet', 'web', 'ds1')]));
    await run(c);
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Foreground' });
    await settle();
    expect(c.peek(R.pods, NS, 'a')).toBeUndefined();
    expect(c.peek(R.pods, NS, 'b')).toBeUndefined();
    expect(c.peek(R.daemonsets, NS, 'web')).toBeUndefined();
    // the pods have no dependents of their own: deleted in the background
    expect(c.deletes.filter((d) => d.resource === 'pods').map((d) => d.opts.propagationPolicy)).toEqual(['Background', 'Background']);
  });

  it('keeps the owner while a blocking dependent still exists', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1'));
    // a dependent held by another finalizer lingers after its deletion
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')], { finalizers: ['example.com/hold'] }));
    await run(c);
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Foreground' });
    await settle();
    expect(c.peek(R.pods, NS, 'a')?.metadata.deletionTimestamp).toBeDefined();
    expect(c.peek(R.daemonsets, NS, 'web')?.metadata.finalizers).toEqual(['foregroundDeletion']);
    // releasing the dependent lets the owner go
    await c.patch(R.pods, NS, 'a', 'merge', { metadata: { finalizers: null } });
    await settle();
    expect(c.peek(R.daemonsets, NS, 'web')).toBeUndefined();
  });

  it('does not wait for non-blocking dependents', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1', { block: false })], { finalizers: ['example.com/hold'] }));
    await run(c);
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Foreground' });
    await settle();
    expect(c.peek(R.daemonsets, NS, 'web')).toBeUndefined();
  });

  it('cascades through a chain: a dependent with dependents of its own is deleted in the foreground', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.deployments, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: NS, uid: 'dep1' } });
    c.seed(R.replicasets, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: NS, uid: 'rs1', ownerReferences: [ownerRef('Deployment', 'd', 'dep1')] } });
    c.seed(R.pods, pod('p1', 'p1', [ownerRef('ReplicaSet', 'rs', 'rs1')]));
    await run(c);
    await c.delete(R.deployments, NS, 'd', { propagationPolicy: 'Foreground' });
    await settle(80);
    expect(c.deletes.find((d) => d.resource === 'replicasets')?.opts).toEqual({ propagationPolicy: 'Foreground', preconditions: { uid: 'rs1' } });
    expect(c.peek(R.pods, NS, 'p1')).toBeUndefined();
    expect(c.peek(R.replicasets, NS, 'rs')).toBeUndefined();
    expect(c.peek(R.deployments, NS, 'd')).toBeUndefined();
  });

  it('drops the reference to an owner waiting for its dependents when another owner is solid', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('live', 'ds1'));
    c.seed(R.daemonsets, ds('going', 'ds2'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'live', 'ds1', { controller: false }), ownerRef('DaemonSet', 'going', 'ds2', { controller: false })]));
    await run(c);
    await c.delete(R.daemonsets, NS, 'going', { propagationPolicy: 'Foreground' });
    await settle();
    expect(c.peek(R.pods, NS, 'a')?.metadata.ownerReferences?.map((r) => r.uid)).toEqual(['ds1']);
    expect(c.peek(R.daemonsets, NS, 'going')).toBeUndefined();
  });
});

describe('GarbageCollector: orphan', () => {
  it('removes the owner reference from every dependent, then the orphan finalizer', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1'));
    c.seed(R.daemonsets, ds('other', 'ds2'));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')]));
    c.seed(R.pods, pod('b', 'pb', [ownerRef('DaemonSet', 'web', 'ds1'), ownerRef('DaemonSet', 'other', 'ds2', { controller: false })]));
    c.seed(R.controllerrevisions, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'web-1', namespace: NS, uid: 'cr1', ownerReferences: [ownerRef('DaemonSet', 'web', 'ds1')] } });
    await run(c);
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Orphan' });
    await settle();
    expect(c.peek(R.daemonsets, NS, 'web')).toBeUndefined();
    expect(c.peek(R.pods, NS, 'a')?.metadata.ownerReferences ?? []).toEqual([]);
    expect(c.peek(R.pods, NS, 'b')?.metadata.ownerReferences?.map((r) => r.uid)).toEqual(['ds2']);
    expect(c.peek(R.controllerrevisions, NS, 'web-1')?.metadata.ownerReferences ?? []).toEqual([]);
    const fin = c.actions().find((a) => a.verb === 'patch' && a.resource === 'daemonsets' && a.patchType === 'merge' && a.name === 'web' && JSON.stringify(a.object).includes('null'));
    expect(fin?.object).toMatchObject({ metadata: { finalizers: null } });
    expect((fin?.object as { metadata: { resourceVersion?: string } }).metadata.resourceVersion).toBeDefined();
    expect(c.deletes.filter((d) => d.resource === 'pods')).toEqual([]);
  });

  it('keeps other finalizers when removing orphan', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1', { finalizers: ['example.com/keep'] }));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')]));
    await run(c);
    await c.delete(R.daemonsets, NS, 'web', { propagationPolicy: 'Orphan' });
    await settle();
    expect(c.peek(R.daemonsets, NS, 'web')?.metadata.finalizers).toEqual(['example.com/keep']);
    expect(c.peek(R.pods, NS, 'a')?.metadata.ownerReferences ?? []).toEqual([]);
  });

  it('orphans an owner already marked when the collector starts', async () => {
    const c = new PolicyFakeClient();
    c.seed(R.daemonsets, ds('web', 'ds1', { finalizers: ['orphan'], deletionTimestamp: T }));
    c.seed(R.pods, pod('a', 'pa', [ownerRef('DaemonSet', 'web', 'ds1')]));
    await run(c);
    expect(c.peek(R.daemonsets, NS, 'web')).toBeUndefined();
    expect(c.peek(R.pods, NS, 'a')).toBeDefined();
    expect(c.peek(R.pods, NS, 'a')?.metadata.ownerReferences ?? []).toEqual([]);
  });
});
