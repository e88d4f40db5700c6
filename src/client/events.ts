// An event recorder writing core/v1 Events as client-go's record package does: the event is
// named `<object name>.<unix nanos in hex>`; an identical event (same source, object, type,
// reason and message) seen again is not created anew but PATCHed with count+1 and a new
// lastTimestamp (the EventCorrelator's "dedup" step). Time comes from the Clock.
// (Not done: the "similar events" aggregation that rewrites messages after 10 variants.)

import type { Clock } from '../clock/clock.js';
import type { ApiClient, KubeObject } from './types.js';
import { R } from './types.js';

export type EventType = 'Normal' | 'Warning';

/** what controllers call; both the real recorder and FakeRecorder implement it */
export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

/** RFC3339 with second precision, as metav1.Time serializes */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * the last name suffix used by any recorder in this process: UnixNano is unique in practice, a
 * millisecond clock is not, and two recorders (scheduler, kubelet) naming events of one object
 * in the same millisecond would collide (the second create failing with AlreadyExists); taken
 * when the event is recorded, so names (the list order) follow the order of occurrence
 */
let lastNanos = 0n;

export class EventRecorder implements Recorder {
  private readonly seen = new Map<string, Seen>();
  /** writes in flight; tests await flush() */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly host = '',
    /** how many distinct events to remember for dedup (client-go's LRU: 4096) */
    private readonly cacheSize = 4096,
  ) {}

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    // writes are serialized so an identical event recorded twice in a row is deduplicated
    const at = this.clock.now(); // the time of the occurrence, not of the write
    let nanos = BigInt(at) * 1_000_000n;
    if (nanos <= lastNanos) nanos = lastNanos + 1n;
    lastNanos = nanos;
    this.pending = this.pending.then(() => this.write(obj, type, reason, message, at, nanos)).catch(() => undefined);
  }

  /** resolves when every event recorded so far has been written (or failed) */
  flush(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  private involved(obj: KubeObject) {
    return {
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
      uid: obj.metadata.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
  }

  private async write(obj: KubeObject, type: EventType, reason: string, message: string, nowMs: number, nanos: bigint): Promise<void> {
    const now = rfc3339(nowMs);
    const ref = this.involved(obj);
    const namespace = ref.namespace || 'default';
    const dedupKey = JSON.stringify([this.component, this.host, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion, type, reason, message]);
    const prev = this.seen.get(dedupKey);
    if (prev) {
      prev.count++;
      try {
        await this.client.patch(R.events, prev.namespace, prev.name, 'strategic', { count: prev.count, lastTimestamp: now, message });
        return;
      } catch {
        // the earlier event is gone (expired or deleted): record a fresh one below
        this.seen.delete(dedupKey);
      }
    }
    const name = `${ref.name}.${nanos.toString(16)}`;
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      source: this.host ? { component: this.component, host: this.host } : { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
    const created = await this.client.create(R.events, namespace, ev);
    if (this.seen.size >= this.cacheSize) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(dedupKey, { name: created.metadata.name ?? name, namespace, count: 1, firstTimestamp: now });
  }
}

/** records events as strings `"<type> <reason> <message>"`, like client-go's FakeRecorder */
export class FakeRecorder implements Recorder {
  readonly events: string[] = [];
  event(_obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
  }
}
