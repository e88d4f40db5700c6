import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { ApiError } from '../api/errors.js';
import { FakeClient, strategicMergePatch } from './fake.js';
import { R, type KubeObject, type WatchEvent } from './types.js';

const pod = (name: string, labels: Record<string, string> = {}, nodeName?: string): KubeObject => ({
  metadata: { name, namespace: 'default', labels },
  spec: nodeName ? { nodeName } : {},
});

describe('FakeClient', () => {
  it('sets uid, resourceVersion, creationTimestamp, generation and kind on create', async () => {
    const c = new FakeClient([], { clock: new FakeClock(Date.parse('2026-01-01T00:00:05.700Z')) });
    const p = await c.create(R.pods, 'default', pod('a'));
    expect(p.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.metadata.resourceVersion).toBe('1');
    expect(p.metadata.creationTimestamp).toBe('2026-01-01T00:00:05Z');
    expect(p.metadata.generation).toBe(1);
    expect(p.kind).toBe('Pod');
    expect(p.apiVersion).toBe('v1');
    await expect(c.create(R.pods, 'default', pod('a'))).rejects.toMatchObject({ code: 409, message: 'pods "a" already exists' });
  });

  it('generateName appends 5 characters from the API server alphabet', async () => {
    const c = new FakeClient();
    const p = await c.create<KubeObject>(R.pods, 'default', { metadata: { generateName: 'foo-' } });
    expect(p.metadata.name).toMatch(/^foo-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('lists with label and field selectors', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a', { app: 'x' }, 'node-1'));
    await c.create(R.pods, 'default', pod('b', { app: 'y' }, 'node-2'));
    await c.create(R.pods, 'other', pod('c', { app: 'x' }, 'node-1'));
    expect((await c.list(R.pods, 'default', { labelSelector: 'app=x' })).items.map((p) => p.metadata.name)).toEqual(['a']);
    expect((await c.list(R.pods, undefined, { labelSelector: 'app in (x,y)' })).items.length).toBe(3);
    expect((await c.list(R.pods, undefined, { fieldSelector: 'spec.nodeName=node-1' })).items.map((p) => p.metadata.name)).toEqual(['a', 'c']);
    expect((await c.list(R.pods, undefined, { fieldSelector: 'metadata.name=b' })).items.map((p) => p.metadata.name)).toEqual(['b']);
  });

  it('records actions like client-go Actions()', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    await c.get(R.pods, 'default', 'a');
    await c.delete(R.pods, 'default', 'a');
    expect(c.actions().map((a) => [a.verb, a.resource, a.namespace, a.name])).toEqual([
      ['create', 'pods', 'default', 'a'],
      ['get', 'pods', 'default', 'a'],
      ['delete', 'pods', 'default', 'a'],
    ]);
  });

  it('injects errors through reactors (the action is still recorded)', async () => {
    const c = new FakeClient();
    c.addReactor('create', 'pods', () => new ApiError(500, 'InternalError', 'boom'));
    await expect(c.create(R.pods, 'default', pod('a'))).rejects.toThrow('boom');
    expect(c.actions().length).toBe(1);
    expect(c.peek(R.pods, 'default', 'a')).toBeUndefined();
  });

  it('update checks resourceVersion and keeps status unless the status subresource is used', async () => {
    const c = new FakeClient();
    const ds = await c.create<KubeObject>(R.daemonsets, 'default', { metadata: { name: 'd' }, spec: { x: 1 }, status: { a: 1 } });
    const u = await c.update(R.daemonsets, 'default', { ...ds, spec: { x: 2 }, status: { a: 2 } });
    expect(u.status).toEqual({ a: 1 });
    expect(u.metadata.generation).toBe(2);
    await expect(c.update(R.daemonsets, 'default', ds)).rejects.toMatchObject({ code: 409 });
    const s = await c.update(R.daemonsets, 'default', { ...u, status: { a: 3 } }, undefined, 'status');
    expect(s.status).toEqual({ a: 3 });
    expect(s.metadata.generation).toBe(2);
  });

  it('strategic merge patch merges ownerReferences by uid and deletes with $patch', async () => {
    const c = new FakeClient();
    const p = await c.create(R.pods, 'default', pod('a', { x: '1' }));
    const ref = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u1', controller: true, blockOwnerDeletion: true };
    const p2 = await c.patch(R.pods, 'default', 'a', 'strategic', { metadata: { ownerReferences: [ref], uid: p.metadata.uid } });
    expect(p2.metadata.ownerReferences).toEqual([ref]);
    expect(p2.metadata.labels).toEqual({ x: '1' });
    const p3 = await c.patch(R.pods, 'default', 'a', 'strategic', { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }], uid: p.metadata.uid } });
    expect(p3.metadata.ownerReferences).toEqual([]);
    await expect(c.patch(R.pods, 'default', 'a', 'strategic', { metadata: { uid: 'other' } })).rejects.toMatchObject({ code: 409 });
    expect(strategicMergePatch({ spec: { template: { a: 1, b: 2 } } }, { spec: { template: { $patch: 'replace', a: 3 } } })).toEqual({ spec: { template: { a: 3 } } });
  });

  it('merge and json patches', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a', { x: '1', y: '2' }));
    const m = await c.patch(R.pods, 'default', 'a', 'merge', { metadata: { labels: { x: null, z: '3' } } });
    expect(m.metadata.labels).toEqual({ y: '2', z: '3' });
    const j = await c.patch(R.pods, 'default', 'a', 'json', [{ op: 'add', path: '/metadata/labels/w', value: '4' }]);
    expect(j.metadata.labels).toEqual({ y: '2', z: '3', w: '4' });
  });

  it('watch delivers initial state, later writes in order, and replays from a resourceVersion', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    const evs: WatchEvent[] = [];
    const w = c.watch(R.pods, 'default', {}, (e) => evs.push(e));
    const b = await c.create(R.pods, 'default', pod('b'));
    await c.delete(R.pods, 'default', 'a');
    expect(evs.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED a', 'ADDED b', 'DELETED a']);
    w.stop();
    await c.create(R.pods, 'default', pod('c'));
    expect(evs.length).toBe(3);
    const replay: string[] = [];
    c.watch(R.pods, 'default', { resourceVersion: b.metadata.resourceVersion }, (e) => replay.push(`${e.type} ${e.object.metadata.name}`));
    expect(replay).toEqual(['DELETED a', 'ADDED c']);
  });

  it('a watch from a compacted resourceVersion closes with 410 Gone', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    await c.create(R.pods, 'default', pod('b'));
    c.compact();
    const err = await new Promise<unknown>((resolve) => c.watch(R.pods, 'default', { resourceVersion: '1' }, () => undefined, resolve));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(410);
  });

  it('delete of an object with finalizers sets deletionTimestamp; removing them deletes it', async () => {
    const c = new FakeClient();
    await c.create(R.daemonsets, 'default', { metadata: { name: 'd', finalizers: ['foregroundDeletion'] } });
    const d = await c.delete(R.daemonsets, 'default', 'd');
    expect(d.metadata.deletionTimestamp).toBeTruthy();
    await c.patch(R.daemonsets, 'default', 'd', 'merge', { metadata: { finalizers: null } });
    expect(c.peek(R.daemonsets, 'default', 'd')).toBeUndefined();
  });
});
