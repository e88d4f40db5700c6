import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import { FakeClock } from '../clock/clock.js';
import { Registry } from './registry.js';
import { startEventTTL, sweepEvents } from './eventttl.js';
import { R } from '../client/types.js';

async function setup() {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const reg = new Registry(new MemoryStore(), clock);
  await reg.create(R.namespaces, undefined, { metadata: { name: 'default' } });
  const event = (name: string, last: string) =>
    reg.create(R.events, 'default', {
      metadata: { name },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      message: 'x',
      type: 'Normal',
      lastTimestamp: last,
      firstTimestamp: last,
    } as any);
  return { clock, reg, event };
}

describe('event TTL (kube-apiserver --event-ttl=1h)', () => {
  it('deletes events last seen more than an hour ago and keeps newer ones', async () => {
    const { reg, event } = await setup();
    await event('old', '2026-01-01T00:00:00Z');
    await event('recent', '2026-01-01T00:30:00Z');
    const deleted = await sweepEvents(reg, Date.parse('2026-01-01T01:00:01Z'));
    expect(deleted).toBe(1);
    expect((await reg.list(R.events, 'default')).items.map((e) => e.metadata.name)).toEqual(['recent']);
  });

  it('sweeps every minute of clock time', async () => {
    const { clock, reg, event } = await setup();
    await event('old', '2026-01-01T00:00:00Z');
    const timer = startEventTTL(reg, clock);
    const settle = () => new Promise((r) => setTimeout(r, 50));
    // one sweep per minute: within the hour the event stays
    for (let m = 0; m < 60; m++) {
      clock.step(60_000);
      await settle();
    }
    expect((await reg.list(R.events, 'default')).items).toHaveLength(1);
    clock.step(60_000);
    await settle();
    expect((await reg.list(R.events, 'default')).items).toHaveLength(0);
    timer.cancel();
  });
});
