// kube-apiserver's --event-ttl (default 1 h): upstream stores Events under an etcd lease so
// they expire. kindling sweeps instead: every minute of clock time, Events last seen more than
// the TTL ago are deleted, so a long-running cluster does not keep every event it ever had.

import type { Clock, Timer } from '../clock/clock.js';
import type { ApiClient, KubeObject, ResourceRef } from '../client/types.js';

export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

const EVENT_RESOURCES: ResourceRef[] = [
  { group: '', version: 'v1', plural: 'events' },
  { group: 'events.k8s.io', version: 'v1', plural: 'events' },
];

type EventLike = KubeObject & { lastTimestamp?: string; eventTime?: string; series?: { lastObservedTime?: string } };

/** when an event was last seen, as upstream's lease would have been refreshed on each update */
function lastSeen(ev: EventLike): number {
  const t = ev.series?.lastObservedTime ?? ev.lastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** delete every Event last seen before now - ttl; returns how many went */
export async function sweepEvents(client: ApiClient, now: number, ttlMs = DEFAULT_EVENT_TTL_MS): Promise<number> {
  let deleted = 0;
  for (const res of EVENT_RESOURCES) {
    const list = await client.list<EventLike>(res, undefined);
    for (const ev of list.items) {
      if (now - lastSeen(ev) <= ttlMs) continue;
      try {
        await client.delete(res, ev.metadata.namespace, ev.metadata.name ?? '', {
          preconditions: { resourceVersion: ev.metadata.resourceVersion },
        });
        deleted++;
      } catch {
        // updated (seen again) or already gone since the list: leave it
      }
    }
  }
  return deleted;
}

export function startEventTTL(client: ApiClient, clock: Clock, ttlMs = DEFAULT_EVENT_TTL_MS): Timer {
  let running = false;
  return clock.setInterval(() => {
    if (running) return;
    running = true;
    sweepEvents(client, clock.now(), ttlMs)
      .catch(() => {})
      .finally(() => (running = false));
  }, 60_000);
}
