// A shared informer with client-go's behaviour: list, then watch from the list's
// resourceVersion; when the watch ends, watch again from the last version seen; on 410 Gone
// (history compacted) list again and emit the difference (adds, updates, and deletes as
// DeletedFinalStateUnknown tombstones). The cache is indexed (namespace index built in).
//
// Objects in the cache and those passed to handlers are SHARED: treat them as read-only,
// deep-copy before changing anything (as with client-go listers).

import type { Clock, Timer } from '../clock/clock.js';
import { RealClock } from '../clock/clock.js';
import { ApiError } from '../api/errors.js';
import type { ApiClient, ClientWatch, KubeObject, ResourceRef, WatchEvent } from './types.js';

/** what onDelete receives when the informer missed the delete (found out by a re-list) */
export class DeletedFinalStateUnknown<T> {
  constructor(
    public readonly key: string,
    public readonly obj: T,
  ) {}
}

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  clock?: Clock;
  /** call onUpdate(obj, obj) for every cached object this often (0/undefined = never) */
  resyncMs?: number;
}

export type IndexFunc<T> = (obj: T) => string[];

/** the cache key client-go uses: `namespace/name`, or `name` for cluster-scoped objects */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : (obj.metadata.name ?? '');
}

/** split a key into namespace and name */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** an object or a tombstone, unwrapped */
export function unwrapTombstone<T>(obj: T | DeletedFinalStateUnknown<T>): T {
  return obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
}

export class Informer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name -> index value -> keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly clock: Clock;
  private synced = false;
  private stopped = false;
  private lastRv = '';
  private w: ClientWatch | undefined;
  private resyncTimer: Timer | undefined;
  private retryTimer: Timer | undefined;
  private failures = 0;
  /** bumps on every (re)watch so events of an abandoned watch are ignored */
  private generation = 0;
  /** how many start() calls are not yet matched by stop(): a shared informer runs while any user does */
  private users = 0;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly res: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.clock = opts.clock ?? new RealClock();
    this.addIndexer('namespace', (o) => [o.metadata.namespace ?? '']);
  }

  /**
   * add an index; several users of a shared informer may register the same function under the
   * same name (a no-op), a different function under a taken name is a conflict (as client-go)
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    const had = this.indexers.get(name);
    if (had === fn) return;
    if (had) throw new Error(`indexer conflict: "${name}" is already registered with another function`);
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [k, o] of this.items) this.indexOne(name, fn, k, o);
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const idx = this.indices.get(name)!;
    for (const v of fn(obj)) {
      let s = idx.get(v);
      if (!s) idx.set(v, (s = new Set()));
      s.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const s = idx.get(v);
        if (!s) continue;
        s.delete(key);
        if (s.size === 0) idx.delete(v);
      }
    }
  }

  private put(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, key, obj);
    return old;
  }

  private remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  // ---- reading the cache ----

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indices.get(name);
    if (!idx) throw new Error(`index "${name}" does not exist`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!).filter(Boolean);
  }

  /** the objects of one namespace (the built-in namespace index) */
  listNamespace(namespace: string): T[] {
    return this.byIndex('namespace', namespace);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** the last resourceVersion seen (from a list, an event or a bookmark) */
  lastSyncResourceVersion(): string {
    return this.lastRv;
  }

  // ---- test seams: fill the cache directly, as upstream tests do with informer stores ----

  /** add or replace an object in the cache without calling handlers */
  cacheAdd(obj: T): void {
    this.put(obj);
  }

  /** remove an object from the cache without calling handlers */
  cacheDelete(obj: T): void {
    this.remove(objectKey(obj));
  }

  // ---- handlers ----

  /** add handlers; if the cache is already filled, onAdd runs for every object (as client-go) */
  addEventHandler(h: EventHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.items.values()) h.onAdd?.(o);
  }

  private fireAdd(o: T): void {
    for (const h of this.handlers) h.onAdd?.(o);
  }
  private fireUpdate(a: T, b: T): void {
    for (const h of this.handlers) h.onUpdate?.(a, b);
  }
  private fireDelete(o: T | DeletedFinalStateUnknown<T>): void {
    for (const h of this.handlers) h.onDelete?.(o);
  }

  // ---- running ----

  /**
   * list, fill the cache, start watching; resolves once synced. A shared informer is started by
   * each of its users: the first call runs it, later ones wait for the same sync.
   */
  start(): Promise<void> {
    this.users++;
    // a failed list may be retried by the next start()
    this.starting ??= this.run().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    });
    return this.starting;
  }

  private async run(): Promise<void> {
    this.stopped = false;
    await this.relist();
    this.synced = true;
    if (this.opts.resyncMs && this.opts.resyncMs > 0) {
      this.resyncTimer = this.clock.setInterval(() => {
        for (const o of this.items.values()) this.fireUpdate(o, o);
      }, this.opts.resyncMs);
    }
  }

  /** one user is done; the informer stops when the last one is */
  stop(): void {
    if (this.users > 1) {
      this.users--;
      return;
    }
    this.users = 0;
    this.starting = undefined;
    this.stopped = true;
    this.generation++;
    this.w?.stop();
    this.w = undefined;
    this.resyncTimer?.cancel();
    this.retryTimer?.cancel();
  }

  /** list and replace the cache, emitting the difference, then watch from the list's version */
  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.res, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    });
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const o of list.items) {
      const key = objectKey(o);
      seen.add(key);
      const old = this.put(o);
      if (!old) this.fireAdd(o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.fireUpdate(old, o);
    }
    for (const key of [...this.items.keys()]) {
      if (seen.has(key)) continue;
      const old = this.remove(key)!;
      this.fireDelete(new DeletedFinalStateUnknown(key, old));
    }
    this.lastRv = list.metadata.resourceVersion;
    this.startWatch();
  }

  private startWatch(): void {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.w?.stop();
    this.w = this.client.watch<T>(
      this.res,
      this.opts.namespace,
      {
        resourceVersion: this.lastRv,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        allowWatchBookmarks: true,
      },
      (ev) => {
        if (gen === this.generation) this.onEvent(ev);
      },
      (err) => {
        if (gen === this.generation) this.onClose(err);
      },
    );
  }

  private onEvent(ev: WatchEvent<T>): void {
    const o = ev.object;
    if (ev.type === 'ERROR') {
      const st = o as unknown as { code?: number; message?: string };
      this.onClose(new ApiError(st.code ?? 500, '', st.message ?? 'watch error'));
      return;
    }
    if (o?.metadata?.resourceVersion) this.lastRv = o.metadata.resourceVersion;
    this.failures = 0;
    if (ev.type === 'BOOKMARK') return;
    const key = objectKey(o);
    if (ev.type === 'DELETED') {
      const old = this.remove(key);
      if (old) this.fireDelete(o);
      return;
    }
    const old = this.put(o);
    if (old) this.fireUpdate(old, o);
    else this.fireAdd(o);
  }

  private onClose(err?: Error, relistFailed = false): void {
    if (this.stopped) return;
    this.generation++; // ignore anything the old watch still sends
    this.w = undefined;
    if (!err) {
      this.startWatch();
      return;
    }
    const relist = relistFailed || (err instanceof ApiError && err.code === 410);
    // back off on repeated failures: at once, then 100 ms, 200 ms ... up to 30 s
    const delay = this.failures === 0 ? 0 : Math.min(100 * 2 ** (this.failures - 1), 30_000);
    this.failures++;
    const retry = () => {
      if (this.stopped) return;
      if (relist) this.relist().catch((e) => this.onClose(e instanceof Error ? e : new Error(String(e)), true));
      else this.startWatch();
    };
    if (delay === 0) queueMicrotask(retry);
    else this.retryTimer = this.clock.setTimeout(retry, delay);
  }
}
