import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from './fake.js';
import { SharedInformerFactory } from './factory.js';
import { POD_NODE_INDEX, podNodeIndex } from './indexes.js';
import { R, type KubeObject } from './types.js';

const pod = (name: string, node = ''): KubeObject => ({ metadata: { name, namespace: 'default' }, spec: { nodeName: node } });

describe('SharedInformerFactory', () => {
  it('gives one informer per resource and options, listed and watched once for all its users', async () => {
    const c = new FakeClient();
    await c.create(R.pods, 'default', pod('a', 'n1'));
    const f = new SharedInformerFactory(c, new FakeClock());
    const a = f.informerFor(R.pods);
    const b = f.informerFor(R.pods);
    expect(b).toBe(a);
    expect(f.informerFor(R.pods, { namespace: 'kube-system' })).not.toBe(a);
    expect(f.informerFor(R.pods, { labelSelector: 'app=x' })).not.toBe(a);
    const seen: string[] = [];
    a.addEventHandler({ onAdd: (o) => seen.push(`1 ${o.metadata.name}`) });
    b.addEventHandler({ onAdd: (o) => seen.push(`2 ${o.metadata.name}`) });
    await Promise.all([a.start(), b.start()]);
    await c.create(R.pods, 'default', pod('b'));
    expect(seen).toEqual(['1 a', '2 a', '1 b', '2 b']);
    const calls = c.actions().filter((x) => x.resource === 'pods' && (x.verb === 'list' || x.verb === 'watch'));
    expect(calls.map((x) => x.verb)).toEqual(['list', 'watch']);
  });

  it('keeps an informer running until its last user stops it', async () => {
    const c = new FakeClient();
    const f = new SharedInformerFactory(c, new FakeClock());
    const inf = f.informerFor(R.pods);
    await inf.start();
    await inf.start();
    inf.stop();
    await c.create(R.pods, 'default', pod('a'));
    expect(inf.get('default/a')).toBeDefined();
    inf.stop();
    await c.create(R.pods, 'default', pod('b'));
    expect(inf.get('default/b')).toBeUndefined();
  });

  it('starts every informer taken from it, and releases them on stop', async () => {
    const c = new FakeClient();
    await c.create(R.nodes, undefined, { metadata: { name: 'n1' } });
    const f = new SharedInformerFactory(c, new FakeClock());
    const nodes = f.informerFor(R.nodes);
    const pods = f.informerFor(R.pods);
    await f.start();
    expect(nodes.hasSynced() && pods.hasSynced()).toBe(true);
    expect(nodes.get('n1')).toBeDefined();
    f.stop();
    await c.create(R.nodes, undefined, { metadata: { name: 'n2' } });
    expect(nodes.get('n2')).toBeUndefined();
  });

  it('lets users register the same indexer twice and refuses a different function under a taken name', () => {
    const inf = new SharedInformerFactory(new FakeClient(), new FakeClock()).informerFor(R.pods);
    inf.addIndexer(POD_NODE_INDEX, podNodeIndex);
    expect(() => inf.addIndexer(POD_NODE_INDEX, podNodeIndex)).not.toThrow();
    expect(() => inf.addIndexer(POD_NODE_INDEX, () => [])).toThrow(/indexer conflict/);
  });
});
