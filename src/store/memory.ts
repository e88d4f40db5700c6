// MemoryStore: an MVCC key-value store in memory with etcd's semantics.
//
// State: the current value of every key, a bucketed sorted key index, and an event log
// holding every write after the compacted revision (one event per revision). A list at an
// older revision starts from the current values and undoes the logged events newer than
// that revision; a watch from an older revision replays the log, then receives live events.
//
// Subclasses (LmdbStore) persist writes by overriding commitWrite(): a write is applied to
// memory at once (so revisions and compare-and-swap are decided in call order) and is
// *published* to watchers only when commitWrite() says it is durable.

import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  StoreError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from './types.js';
import { bucketOf, compareKeys, KeyIndex, upperBound } from './keyindex.js';

export interface MemoryStoreOptions {
  /**
   * Keep at most about this many events of history; older revisions are compacted
   * automatically (the apiserver compacts etcd every 5 minutes to the same end).
   * 0 = never compact automatically. Default 25,000 (about 40 MiB of history at 5,000 nodes).
   */
  historyLimit?: number;
}

export const DEFAULT_HISTORY_LIMIT = 25_000;

export class FutureRevisionError extends StoreError {
  constructor(
    public readonly requested: number,
    public readonly current: number,
  ) {
    // etcd's wording (mvcc.ErrFutureRev)
    super(`mvcc: required revision is a future revision (requested ${requested}, current ${current})`);
  }
}

export class StoreClosedError extends StoreError {
  constructor() {
    super('store is closed');
  }
}

/** events delivered to one watcher before it lets other work run */
const DRAIN_BATCH = 1000;

/** One watcher's queue: events are delivered in order, one at a time, off the writer's stack. */
class Watcher implements Watch {
  private queue: WatchEvent[] = [];
  private head = 0;
  private scheduled = false;
  closed = false;

  constructor(
    readonly prefix: string,
    /** events at or below this revision are not for this watcher */
    readonly afterRevision: number,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError: ((err: Error) => void) | undefined,
    private readonly unregister: (w: Watcher) => void,
  ) {}

  push(ev: WatchEvent): void {
    if (this.closed) return;
    this.queue.push(ev);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    let budget = DRAIN_BATCH;
    while (!this.closed && this.head < this.queue.length) {
      if (budget-- === 0) {
        // a long backlog (a replay) yields to I/O between slices instead of blocking it
        this.scheduled = true;
        setImmediate(this.drain);
        return;
      }
      const ev = this.queue[this.head++]!;
      try {
        this.onEvent(ev);
      } catch (err) {
        // a handler that throws breaks its watch, like a broken watch stream
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    }
    this.queue = [];
    this.head = 0;
  };

  fail(err: Error): void {
    if (this.closed) return;
    this.close();
    if (this.onError) {
      const onError = this.onError;
      queueMicrotask(() => onError(err));
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.unregister(this);
  }
}

export class MemoryStore implements Store {
  protected rev = 0;
  protected compacted = 0;
  protected closed = false;

  private readonly values = new Map<string, KeyValue>();
  private readonly index = new KeyIndex();

  /** events for revisions compacted+1 .. rev, the first at log[logHead] */
  private log: WatchEvent[] = [];
  private logHead = 0;
  /** highest revision handed to watchers */
  private published = 0;

  /** watchers keyed by the bucket of their prefix; '' holds watchers of short prefixes */
  private readonly watchers = new Map<string, Set<Watcher>>();

  private readonly historyLimit: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  }

  // ---- writes ----

  async create(key: string, value: string): Promise<number> {
    this.checkOpen();
    this.checkKey(key);
    if (this.values.has(key)) throw new KeyExistsError(key);
    const revision = this.rev + 1;
    const kv = freezeKv({ key, value, createRevision: revision, modRevision: revision });
    await this.commitWrite(this.apply({ type: 'PUT', kv, revision }));
    return revision;
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<number> {
    this.checkOpen();
    const prev = this.values.get(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && expectedModRevision !== prev.modRevision) {
      throw new ConflictError(key, expectedModRevision, prev.modRevision);
    }
    const revision = this.rev + 1;
    const kv = freezeKv({ key, value, createRevision: prev.createRevision, modRevision: revision });
    await this.commitWrite(this.apply({ type: 'PUT', kv, prevKv: prev, revision }));
    return revision;
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    this.checkOpen();
    const prev = this.values.get(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && expectedModRevision !== prev.modRevision) {
      throw new ConflictError(key, expectedModRevision, prev.modRevision);
    }
    const revision = this.rev + 1;
    const kv = freezeKv({ key, value: prev.value, createRevision: prev.createRevision, modRevision: revision });
    await this.commitWrite(this.apply({ type: 'DELETE', kv, prevKv: prev, revision }));
    return { revision, prev };
  }

  /** refuse keys the backend cannot hold (before anything is applied) */
  protected checkKey(key: string): void {
    if (key === '') throw new StoreError('key must not be empty');
  }

  /**
   * Make the write durable, then publish it. The memory store has nothing to persist.
   * Overrides must publish events in revision order.
   */
  protected commitWrite(ev: WatchEvent): Promise<void> | void {
    this.publish(ev);
  }

  /** apply one write to the in-memory state and the log (synchronously) */
  private apply(ev: WatchEvent): WatchEvent {
    Object.freeze(ev);
    const { key } = ev.kv;
    if (ev.type === 'DELETE') {
      this.values.delete(key);
      this.index.remove(key);
    } else {
      if (!ev.prevKv) this.index.add(key);
      this.values.set(key, ev.kv);
    }
    this.rev = ev.revision;
    this.log.push(ev);
    this.autoCompact();
    return ev;
  }

  /** hand an event to the watchers of its key (delivery itself is asynchronous) */
  protected publish(ev: WatchEvent): void {
    if (ev.revision <= this.published) return;
    this.published = ev.revision;
    const key = ev.kv.key;
    const deliver = (set: Set<Watcher> | undefined) => {
      if (!set) return;
      for (const w of set) {
        if (ev.revision > w.afterRevision && key.startsWith(w.prefix)) w.push(ev);
      }
    };
    deliver(this.watchers.get(bucketOf(key)));
    deliver(this.watchers.get(''));
  }

  // ---- reads ----

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.values.get(key);
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return this.index.count(prefix);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const readRev = opts.revision || this.rev;
    if (readRev < this.compacted) throw new CompactedError(readRev, this.compacted);
    if (readRev > this.rev) throw new FutureRevisionError(readRev, this.rev);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const range = this.index.range(prefix);

    if (readRev === this.rev) {
      // latest: slice the sorted index directly
      const lo = opts.startAfter !== undefined ? upperBound(range.arr, opts.startAfter, range.lo, range.hi) : range.lo;
      const end = Math.min(range.hi, lo + limit);
      const items: KeyValue[] = new Array(end - lo);
      for (let i = lo; i < end; i++) items[i - lo] = this.values.get(range.arr[i]!)!;
      return result(items, readRev, range.hi - end);
    }

    // older revision: undo the events after readRev (newest first, so the oldest wins)
    const before = new Map<string, KeyValue | undefined>();
    for (let r = this.rev; r > readRev; r--) {
      const ev = this.eventAt(r);
      if (ev.kv.key.startsWith(prefix)) before.set(ev.kv.key, ev.prevKv);
    }
    let keys: string[] = [];
    for (let i = range.lo; i < range.hi; i++) {
      const k = range.arr[i]!;
      if (!before.has(k) || before.get(k)) keys.push(k);
    }
    let restored = false;
    for (const [k, kv] of before) {
      if (kv && !this.values.has(k)) {
        keys.push(k);
        restored = true;
      }
    }
    if (restored) keys.sort(compareKeys);
    if (opts.startAfter !== undefined) keys = keys.slice(upperBound(keys, opts.startAfter));
    const taken = Math.min(keys.length, limit);
    const items: KeyValue[] = new Array(taken);
    for (let i = 0; i < taken; i++) {
      const k = keys[i]!;
      items[i] = before.has(k) ? before.get(k)! : this.values.get(k)!;
    }
    return result(items, readRev, keys.length - taken);
  }

  private eventAt(revision: number): WatchEvent {
    return this.log[this.logHead + (revision - this.compacted - 1)]!;
  }

  // ---- watch ----

  watch(
    prefix: string,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent) => void,
    onError?: (err: Error) => void,
  ): Watch {
    const after = opts.afterRevision && opts.afterRevision > 0 ? opts.afterRevision : this.published;
    const group = bucketOf(prefix);
    const w = new Watcher(prefix, after, onEvent, onError, (x) => {
      const set = this.watchers.get(group);
      if (set) {
        set.delete(x);
        if (set.size === 0) this.watchers.delete(group);
      }
    });
    if (this.closed) {
      w.fail(new StoreClosedError());
      return w;
    }
    if (after < this.compacted) {
      w.fail(new CompactedError(after, this.compacted));
      return w;
    }
    // replay what was already published, then register for the rest: both happen in this
    // synchronous call, so no event can fall between them
    for (let r = after + 1; r <= this.published; r++) {
      const ev = this.eventAt(r);
      if (ev.kv.key.startsWith(prefix)) w.push(ev);
    }
    let set = this.watchers.get(group);
    if (!set) this.watchers.set(group, (set = new Set()));
    set.add(w);
    return w;
  }

  // ---- compaction ----

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    this.compactTo(revision);
  }

  private compactTo(revision: number): void {
    if (revision <= this.compacted) return;
    this.logHead += revision - this.compacted;
    this.compacted = revision;
    // give the array back its dropped prefix once that is most of it
    if (this.logHead > 1024 && this.logHead * 2 > this.log.length) {
      this.log = this.log.slice(this.logHead);
      this.logHead = 0;
    }
  }

  private autoCompact(): void {
    const limit = this.historyLimit;
    if (limit <= 0) return;
    // compact in steps of ~1/8 of the limit so the cost per write stays constant
    if (this.rev - this.compacted > limit + Math.max(1, limit >> 3)) this.compactTo(this.rev - limit);
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    this.closeMemory();
  }

  protected closeMemory(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of [...this.watchers.values()]) for (const w of [...set]) w.close();
  }

  protected checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  /**
   * Replace the whole state with the given current values (all history before `revision`
   * counts as compacted). Used by persistent stores when they open.
   */
  protected load(kvs: Iterable<KeyValue>, revision: number): void {
    this.values.clear();
    const keys: string[] = [];
    for (const kv of kvs) {
      this.values.set(kv.key, freezeKv({ ...kv }));
      keys.push(kv.key);
      if (kv.modRevision > revision) revision = kv.modRevision;
    }
    keys.sort(compareKeys);
    for (const k of keys) this.index.add(k);
    this.rev = revision;
    this.compacted = revision;
    this.published = revision;
    this.log = [];
    this.logHead = 0;
  }
}

function result(items: KeyValue[], revision: number, remaining: number): ListResult {
  return remaining > 0 ? { items, revision, more: true, remaining } : { items, revision, more: false };
}

// values handed out are shared with the store's state; freezing keeps callers from editing history
function freezeKv(kv: KeyValue): KeyValue {
  return Object.freeze(kv);
}
