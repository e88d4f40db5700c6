// LmdbStore: the embedded, durable store. It is the MemoryStore engine (which decides
// revisions, compare-and-swap, lists and watches) plus a write-behind to LMDB:
//
// - every write is applied to memory at once, then queued; all writes queued in the same
//   event-loop turn go to disk in one LMDB transaction (group commit), in revision order;
// - a write's promise resolves, and its event reaches watchers, only after that transaction
//   is committed and flushed (fsync), so nothing acknowledged or watched can be lost;
// - on open the current values are read back; history before the restart counts as
//   compacted (compactedRevision = currentRevision at open).
//
// On disk: sub-database `kv` maps key -> [value, createRevision, modRevision]; sub-database
// `meta` holds `revision`, the store's current revision (deletes leave no key behind).

import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { MemoryStore, type MemoryStoreOptions } from './memory.js';
import { StoreError, type KeyValue, type WatchEvent } from './types.js';

/** LMDB's default key limit is 1978 bytes; leave room for the key encoding's own bytes */
const MAX_KEY_BYTES = 1900;

type Record = [value: string, createRevision: number, modRevision: number];

export type LmdbStoreOptions = MemoryStoreOptions;

interface Batch {
  events: WatchEvent[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class LmdbStore extends MemoryStore {
  private batch: Batch | undefined;
  /** persistence of earlier batches; each batch publishes only after the ones before it */
  private chain: Promise<void> = Promise.resolve();
  /** set when a write could not be persisted: memory and disk disagree, so refuse writes */
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly root: RootDatabase,
    private readonly kv: Database<Record, string>,
    private readonly meta: Database<number, string>,
    opts: LmdbStoreOptions,
  ) {
    super(opts);
  }

  static async open(path: string, opts: LmdbStoreOptions = {}): Promise<LmdbStore> {
    // noSync stays off: commits are fsynced (flushed) before a write is acknowledged
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const root = open({ path, maxDbs: 4 });
    // the store holds Secrets: only the owner may read it (LMDB creates its files 0644)
    chmodSync(path, 0o700);
    for (const f of readdirSync(path)) chmodSync(join(path, f), 0o600);
    const kv = root.openDB<Record, string>({ name: 'kv', encoding: 'msgpack' });
    const meta = root.openDB<number, string>({ name: 'meta', encoding: 'msgpack' });
    const store = new LmdbStore(path, root, kv, meta, opts);
    store.restore();
    return store;
  }

  private restore(): void {
    const kvs: KeyValue[] = [];
    for (const { key, value } of this.kv.getRange()) {
      kvs.push({ key, value: value[0], createRevision: value[1], modRevision: value[2] });
    }
    this.load(kvs, this.meta.get('revision') ?? 0);
  }

  protected override commitWrite(ev: WatchEvent): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    let batch = this.batch;
    if (!batch) {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      batch = this.batch = { events: [], done, resolve, reject };
      // gather everything written in this turn of the event loop into one transaction
      setImmediate(() => this.flush());
    }
    batch.events.push(ev);
    return batch.done;
  }

  private flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    const { events } = batch;
    let written: Promise<unknown>;
    try {
      written = this.root.batch(() => {
        for (const ev of events) {
          if (ev.type === 'DELETE') void this.kv.remove(ev.kv.key);
          else void this.kv.put(ev.kv.key, [ev.kv.value, ev.kv.createRevision, ev.kv.modRevision]);
        }
        void this.meta.put('revision', events[events.length - 1]!.revision);
      });
    } catch (err) {
      written = Promise.reject(err);
    }
    // committed is not yet durable: lmdb overlaps the fsync with later commits, so wait for it
    const durable = written.then(() => this.root.flushed);
    this.chain = this.chain
      .then(() => durable)
      .then(
        () => {
          for (const ev of events) this.publish(ev);
          batch.resolve();
        },
        (err: unknown) => {
          const e = new StoreError(`lmdb write failed: ${err instanceof Error ? err.message : String(err)}`);
          this.failure ??= e;
          batch.reject(e);
        },
      );
  }

  protected override checkKey(key: string): void {
    super.checkKey(key);
    // LMDB's key limit (1978 bytes by default); refusing here keeps one long key from
    // failing a whole group commit
    const bytes = Buffer.byteLength(key);
    if (bytes > MAX_KEY_BYTES) throw new StoreError(`key too long for lmdb: ${bytes} bytes (max ${MAX_KEY_BYTES})`);
  }

  protected override checkOpen(): void {
    super.checkOpen();
    if (this.failure) throw this.failure;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closeMemory();
    await this.chain;
    await this.root.close();
  }
}
