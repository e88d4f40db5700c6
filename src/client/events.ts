// An event recorder writing core/v1 Events as client-go's record package does, with its
// EventCorrelator: the event is named `<object name>.<unix nanos in hex>`; an identical event
// (same source, object, type, reason and message) seen again is not created anew but PATCHed
// with count+1 and a new lastTimestamp ("dedup"); from the 10th distinct message with the same
// source, object, type and reason within 10 minutes, they are combined into one event
// "(combined from similar events): <message>" ("aggregate"); and a source may write 25 events
// about one object, then one per 5 minutes ("spam filter": the rest are dropped, as upstream).
// Time comes from the Clock.

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

/** client-go record's defaults (events_cache.go) */
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;

/** a Map used as client-go's LRU: get() refreshes, set() evicts the oldest past the size */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.size) this.m.delete(this.m.keys().next().value as string);
  }
  delete(k: string): void {
    this.m.delete(k);
  }
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
  private readonly seen: Lru<Seen>;
  /** aggregate key -> the distinct messages seen within the interval, and when the last came */
  private readonly aggregates: Lru<{ messages: Set<string>; last: number }>;
  /** spam key (source + object) -> a token bucket */
  private readonly spam: Lru<{ tokens: number; last: number }>;
  /** writes in flight; tests await flush() */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly host = '',
    /** how many distinct events to remember for dedup (client-go's LRU: 4096) */
    cacheSize = 4096,
  ) {
    this.seen = new Lru(cacheSize);
    this.aggregates = new Lru(cacheSize);
    this.spam = new Lru(cacheSize);
  }

  /** EventAggregate: the message to record and the key it is deduplicated under */
  private aggregate(objectKey: string, type: EventType, reason: string, message: string, at: number): { message: string; key: string } {
    const aggKey = JSON.stringify([objectKey, type, reason]);
    let rec = this.aggregates.get(aggKey);
    if (!rec || at - rec.last > AGGREGATE_INTERVAL_MS) rec = { messages: new Set(), last: at };
    rec.messages.add(message);
    rec.last = at;
    this.aggregates.set(aggKey, rec);
    if (rec.messages.size < AGGREGATE_MAX_EVENTS) return { message, key: JSON.stringify([objectKey, type, reason, message]) };
    rec.messages.delete(rec.messages.values().next().value as string); // do not grow past the max
    return { message: `(combined from similar events): ${message}`, key: aggKey };
  }

  /** EventSourceObjectSpamFilter: true when this source has no token left for the object */
  private spammed(objectKey: string, at: number): boolean {
    let b = this.spam.get(objectKey);
    if (!b) b = { tokens: SPAM_BURST, last: at };
    b.tokens = Math.min(SPAM_BURST, b.tokens + ((at - b.last) / 1000) * SPAM_QPS);
    b.last = at;
    const skip = b.tokens < 1;
    if (!skip) b.tokens -= 1;
    this.spam.set(objectKey, b);
    return skip;
  }

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
    const objectKey = JSON.stringify([this.component, this.host, ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion]);
    const agg = this.aggregate(objectKey, type, reason, message, nowMs);
    const dedupKey = agg.key;
    message = agg.message;
    // the observation counts even when the spam filter then drops the write (as upstream)
    const prev = this.seen.get(dedupKey);
    if (prev) prev.count++;
    if (this.spammed(objectKey, nowMs)) return;
    if (prev) {
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
