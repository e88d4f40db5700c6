import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from './fake.js';
import { DeletedFinalStateUnknown, Informer, objectKey } from './informer.js';
import { R, type KubeObject } from './types.js';

const pod = (name: string, ns = 'default', node = ''): KubeObject => ({ metadata: { name, namespace: ns, labels: { app: 'x' } }, spec: { nodeName: node } });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Informer', () => {
  it('lists, then follows the watch; handlers see add/update/delete', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    const inf = new Informer<KubeObject>(c, R.pods, { clock: new FakeClock() });
    const log: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => log.push(`add ${o.metadata.name}`),
      onUpdate: (o, n) => log.push(`update ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
      onDelete: (o) => log.push(`delete ${(o as KubeObject).metadata.name}`),
    });
    expect(inf.hasSynced()).toBe(false);
    await inf.start();
    expect(inf.hasSynced()).toBe(true);
    expect(inf.get('default/a')?.metadata.name).toBe('a');
    await c.create(R.pods, 'default', pod('b'));
    await c.patch(R.pods, 'default', 'b', 'merge', { metadata: { labels: { y: '1' } } });
    await c.delete(R.pods, 'default', 'a');
    expect(log).toEqual(['add a', 'add b', 'update 2->3', 'delete a']);
    expect(inf.list().map(objectKey)).toEqual(['default/b']);
    // the list call is followed by a watch from the list's resourceVersion
    const acts = c.actions().filter((a) => a.resource === 'pods' && (a.verb === 'list' || a.verb === 'watch'));
    expect(acts.map((a) => a.verb)).toEqual(['list', 'watch']);
    inf.stop();
    await c.create(R.pods, 'default', pod('c'));
    expect(inf.get('default/c')).toBeUndefined();
  });

  it('indexes objects and answers byIndex; the namespace index is built in', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a', 'default', 'n1'));
    await c.create(R.pods, 'default', pod('b', 'default', 'n2'));
    await c.create(R.pods, 'kube-system', pod('c', 'kube-system', 'n1'));
    const inf = new Informer<KubeObject>(c, R.pods, { clock: new FakeClock() });
    inf.addIndexer('node', (o) => [String((o.spec as { nodeName?: string }).nodeName ?? '')]);
    await inf.start();
    expect(inf.byIndex('node', 'n1').map(objectKey).sort()).toEqual(['default/a', 'kube-system/c']);
    expect(inf.listNamespace('kube-system').map(objectKey)).toEqual(['kube-system/c']);
    await c.patch(R.pods, 'default', 'a', 'merge', { spec: { nodeName: 'n2' } });
    expect(inf.byIndex('node', 'n1').map(objectKey)).toEqual(['kube-system/c']);
    expect(inf.byIndex('node', 'n2').map(objectKey).sort()).toEqual(['default/a', 'default/b']);
    expect(() => inf.byIndex('nope', 'x')).toThrow();
  });

  it('re-watches from the last resourceVersion when the watch closes', async () => {
    const c = new FakeClient();
    const inf = new Informer<KubeObject>(c, R.pods, { clock: new FakeClock() });
    const adds: string[] = [];
    inf.addEventHandler({ onAdd: (o) => adds.push(o.metadata.name!) });
    await inf.start();
    await c.create(R.pods, 'default', pod('a'));
    c.closeWatches();
    await c.create(R.pods, 'default', pod('b'));
    await tick();
    expect(adds).toEqual(['a', 'b']);
    const watches = c.actions().filter((a) => a.verb === 'watch');
    expect(watches.length).toBe(2);
  });

  it('on 410 Gone re-lists and emits the difference, deletes as tombstones', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    await c.create(R.pods, 'default', pod('b'));
    const inf = new Informer<KubeObject>(c, R.pods, { clock: new FakeClock() });
    const log: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => log.push(`add ${o.metadata.name}`),
      onUpdate: (_o, n) => log.push(`update ${n.metadata.name}`),
      onDelete: (o) => log.push(o instanceof DeletedFinalStateUnknown ? `tombstone ${o.key}` : `delete ${o.metadata.name}`),
    });
    await inf.start();
    log.length = 0;
    // the informer misses these writes, then history is compacted and the watch breaks
    inf.stop();
    await c.delete(R.pods, 'default', 'a');
    await c.patch(R.pods, 'default', 'b', 'merge', { metadata: { labels: { z: '1' } } });
    await c.create(R.pods, 'default', pod('c'));
    c.compact();
    // restart watching from the stale version, as after a dropped connection
    (inf as unknown as { stopped: boolean }).stopped = false;
    (inf as unknown as { startWatch(): void }).startWatch();
    await tick();
    await tick();
    expect(log.sort()).toEqual(['add c', 'tombstone default/a', 'update b']);
    expect(inf.list().map(objectKey).sort()).toEqual(['default/b', 'default/c']);
  });

  it('handlers added after sync get onAdd for cached objects; resync calls onUpdate through the clock', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    const clock = new FakeClock();
    const inf = new Informer<KubeObject>(c, R.pods, { clock, resyncMs: 30_000 });
    await inf.start();
    const log: string[] = [];
    inf.addEventHandler({ onAdd: (o) => log.push(`add ${o.metadata.name}`), onUpdate: (_o, n) => log.push(`resync ${n.metadata.name}`) });
    expect(log).toEqual(['add a']);
    clock.step(29_999);
    expect(log).toEqual(['add a']);
    clock.step(1);
    expect(log).toEqual(['add a', 'resync a']);
    inf.stop();
  });

  it('filters by namespace and label selector', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a'));
    await c.create(R.pods, 'other', pod('b', 'other'));
    await c.create(R.pods, 'other', { metadata: { name: 'c', namespace: 'other', labels: { app: 'y' } } });
    const inf = new Informer<KubeObject>(c, R.pods, { namespace: 'other', labelSelector: 'app=x', clock: new FakeClock() });
    await inf.start();
    expect(inf.keys()).toEqual(['other/b']);
  });
});
