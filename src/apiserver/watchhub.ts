// One store watch per resource, fanned out to every API watcher of that resource, like the
// upstream apiserver's watch cache. Each event is decoded once; its JSON encoding is computed
// once, lazily, and shared by every HTTP watcher. A ring buffer of recent events (as stored
// strings, decoded again on replay) lets a new watcher resume from a recent resourceVersion
// without touching the store.

import type { Store, Watch as StoreWatch, WatchEvent as StoreEvent } from '../store/types.js';
import { CompactedError } from '../store/types.js';
import type { KubeObject } from '../client/types.js';
import { spliceResourceVersion } from './rawjson.js';

export interface HubEvent {
  /** PUT = created or modified (prev tells which), DELETE = deleted */
  type: 'PUT' | 'DELETE';
  revision: number;
  /** the object after the event (for DELETE: as it was, with resourceVersion = the delete's revision) */
  object: KubeObject;
  /** the object before the event, if any (decoded on first use: most watchers only need hasPrev) */
  readonly prev?: KubeObject;
  /** whether there was an object before the event (a PUT with hasPrev is a modification) */
  hasPrev: boolean;
  /** JSON of `object`, computed once */
  json(): string;
}

export type HubListener = (ev: HubEvent) => void;

interface Subscriber {
  afterRevision: number;
  listener: HubListener;
  onError: (err: Error) => void;
}

export function decodeStored(value: string, revision: number): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

function makeEvent(ev: StoreEvent): HubEvent {
  const object = decodeStored(ev.kv.value, ev.revision);
  // stored text that already carries apiVersion and kind is the event's JSON but for the
  // resourceVersion: splice that in rather than encoding the decoded object again
  const typed = object.apiVersion !== undefined && object.kind !== undefined;
  const prevKv = ev.prevKv;
  let prev: KubeObject | undefined;
  let json: string | undefined;
  return {
    type: ev.type,
    revision: ev.revision,
    object,
    get prev() {
      if (prev === undefined && prevKv) prev = decodeStored(prevKv.value, prevKv.modRevision);
      return prev;
    },
    hasPrev: !!prevKv,
    json: () => (json ??= (typed ? spliceResourceVersion(ev.kv.value, String(ev.revision)) : undefined) ?? JSON.stringify(object)),
  };
}

export class ResourceWatchHub {
  private storeWatch?: StoreWatch;
  private readonly subscribers = new Set<Subscriber>();
  /**
   * recent store events, kept as the store's strings (which the store's log holds anyway):
   * a replay decodes them again, so the buffer keeps no decoded objects alive
   */
  private readonly buffer: StoreEvent[] = [];
  /** the buffer holds every event of this prefix with revision > coverageStart */
  private coverageStart = 0;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly bufferSize = 2000,
  ) {}

  private async ensureStarted(): Promise<void> {
    if (this.storeWatch) return;
    const rev = await this.store.currentRevision();
    if (this.storeWatch) return;
    this.coverageStart = rev;
    this.storeWatch = this.store.watch(
      this.prefix,
      { afterRevision: rev },
      (ev) => this.dispatch(ev),
      (err) => {
        for (const s of this.subscribers) s.onError(err);
        this.subscribers.clear();
        this.storeWatch = undefined;
        this.buffer.length = 0;
      },
    );
  }

  private dispatch(raw: StoreEvent): void {
    this.buffer.push(raw);
    if (this.buffer.length > this.bufferSize) {
      const dropped = this.buffer.splice(0, this.buffer.length - this.bufferSize);
      this.coverageStart = dropped[dropped.length - 1].revision;
    }
    if (this.subscribers.size === 0) return;
    const ev = makeEvent(raw);
    for (const s of this.subscribers) {
      if (ev.revision > s.afterRevision) {
        try {
          s.listener(ev);
        } catch {
          // a listener's failure must not stop delivery to the others
        }
      }
    }
  }

  /**
   * deliver every event with revision > afterRevision. Replays from the ring buffer when it
   * covers the requested revision; otherwise opens a dedicated store watch from there (which
   * fails with CompactedError when the store no longer has that history).
   */
  async subscribe(afterRevision: number, listener: HubListener, onError: (err: Error) => void): Promise<() => void> {
    await this.ensureStarted();
    if (afterRevision >= this.coverageStart) {
      const sub: Subscriber = { afterRevision, listener, onError };
      for (const ev of this.buffer) if (ev.revision > afterRevision) listener(makeEvent(ev));
      this.subscribers.add(sub);
      return () => this.subscribers.delete(sub);
    }
    // older than the buffer: a dedicated watch on the store
    const compacted = await this.store.compactedRevision();
    if (afterRevision < compacted) throw new CompactedError(afterRevision, compacted);
    let closed = false;
    const w = this.store.watch(
      this.prefix,
      { afterRevision },
      (ev) => {
        if (!closed) listener(makeEvent(ev));
      },
      (err) => {
        if (!closed) onError(err);
      },
    );
    return () => {
      closed = true;
      w.close();
    };
  }

  close(): void {
    this.storeWatch?.close();
    this.storeWatch = undefined;
    this.subscribers.clear();
  }
}
