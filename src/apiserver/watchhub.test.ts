import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import { FakeClock } from '../clock/clock.js';
import { Registry } from './registry.js';
import { ResourceWatchHub, type HubEvent } from './watchhub.js';
import { R } from '../client/types.js';

describe('ResourceWatchHub', () => {
  it("gives each event's JSON byte-identical to encoding its object (spliced from the stored text)", async () => {
    const store = new MemoryStore();
    const reg = new Registry(store, new FakeClock());
    await reg.create(R.namespaces, undefined, { metadata: { name: 'default' } });
    const hub = new ResourceWatchHub(store, '/registry/core/configmaps/');
    const events: HubEvent[] = [];
    const unsub = await hub.subscribe(await store.currentRevision(), (ev) => events.push(ev), () => {});
    await reg.create(R.configmaps, 'default', { metadata: { name: 'a', annotations: { x: '"quoted" <b>' } }, data: { k: 'v\\n' } } as any);
    await reg.patch(R.configmaps, 'default', 'a', 'merge', { data: { k: 'w' } });
    await reg.delete(R.configmaps, 'default', 'a');
    await new Promise((r) => setTimeout(r, 20));
    expect(events.map((e) => e.type)).toEqual(['PUT', 'PUT', 'DELETE']);
    for (const ev of events) {
      expect(ev.object.metadata.resourceVersion).toBe(String(ev.revision));
      expect(ev.json()).toBe(JSON.stringify(ev.object));
    }
    unsub();
    hub.close();
  });
});
