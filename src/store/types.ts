// The store contract: a revisioned key-value store with etcd's semantics.
// Every backend (memory, lmdb, etcd) implements this interface and passes the same
// conformance suite (conformance.ts).
//
// Keys look like `/registry/<group>/<resource>/<namespace>/<name>`. Values are opaque
// strings (the API server stores JSON without metadata.resourceVersion; the revision is the
// object's resourceVersion, as in the upstream apiserver's etcd3 store).

export interface KeyValue {
  key: string;
  value: string;
  /** revision of the write that created this key (etcd create_revision) */
  createRevision: number;
  /** revision of the last write to this key (etcd mod_revision); the resourceVersion */
  modRevision: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** for PUT the new value; for DELETE the key with the value it had, modRevision = the delete's revision */
  kv: KeyValue;
  /** the value before this event (undefined for a create) */
  prevKv?: KeyValue;
  /** the revision of this event (= kv.modRevision) */
  revision: number;
}

export interface ListOptions {
  /** read at this revision (0 or undefined = latest). Older than the compacted revision -> CompactedError */
  revision?: number;
  /** at most this many items (0 or undefined = all) */
  limit?: number;
  /** exclusive start key for pagination: only keys > startAfter */
  startAfter?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** the revision the list was read at */
  revision: number;
  /** true when limit cut the list short */
  more: boolean;
  /** how many keys remain after the last item returned (only meaningful when more) */
  remaining?: number;
}

export interface Watch {
  /** stop delivering events; idempotent */
  close(): void;
}

export interface WatchOptions {
  /**
   * deliver every event with revision > afterRevision. 0/undefined = only events after now.
   * If afterRevision < compacted revision, the watch fails with CompactedError via onError.
   */
  afterRevision?: number;
}

export interface Store {
  /** create the key; throws KeyExistsError if present. Returns the new revision. */
  create(key: string, value: string): Promise<number>;
  /**
   * replace the value. expectedModRevision (if given) must equal the key's modRevision,
   * else ConflictError. Throws KeyNotFoundError if absent. Returns the new revision.
   */
  update(key: string, value: string, expectedModRevision?: number): Promise<number>;
  /**
   * delete the key. expectedModRevision as for update. Throws KeyNotFoundError if absent.
   * Returns the revision of the delete and the value deleted.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }>;
  /** the current value, or undefined */
  get(key: string): Promise<KeyValue | undefined>;
  /** keys with the prefix, in key order */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** number of keys with the prefix (at the latest revision) */
  count(prefix: string): Promise<number>;
  /** events for keys with the prefix, in revision order; onEvent is never called concurrently */
  watch(
    prefix: string,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent) => void,
    onError?: (err: Error) => void,
  ): Watch;
  /** the latest revision (0 for an empty store) */
  currentRevision(): Promise<number>;
  /** forget history at and below revision; later reads/watches at older revisions get CompactedError */
  compact(revision: number): Promise<void>;
  /** the revision history is compacted to (0 = none) */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class StoreError extends Error {}
export class KeyExistsError extends StoreError {
  constructor(public readonly key: string) {
    super(`key exists: ${key}`);
  }
}
export class KeyNotFoundError extends StoreError {
  constructor(public readonly key: string) {
    super(`key not found: ${key}`);
  }
}
export class ConflictError extends StoreError {
  constructor(
    public readonly key: string,
    public readonly expected: number,
    public readonly actual: number,
  ) {
    super(`conflict on ${key}: expected revision ${expected}, found ${actual}`);
  }
}
export class CompactedError extends StoreError {
  constructor(
    public readonly requested: number,
    public readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}
