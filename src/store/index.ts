// Opening a store from a URL, and the store's public surface.
//   memory://              in-memory (lost on exit)
//   lmdb:///abs/path       embedded LMDB at that directory (the durable default)
//   /abs/path, ./rel/path  a bare path means lmdb
//   etcd://h1:p1,h2:p2     etcd v3 (several kindling processes can share it); ?cacert=&cert=&key= for TLS

import { fileURLToPath } from 'node:url';
import { LmdbStore } from './lmdb.js';
import { MemoryStore, type MemoryStoreOptions } from './memory.js';
import { EtcdStore } from './etcd.js';
import type { Store } from './types.js';

export * from './types.js';
export { MemoryStore, FutureRevisionError, StoreClosedError, DEFAULT_HISTORY_LIMIT, type MemoryStoreOptions } from './memory.js';
export { LmdbStore, type LmdbStoreOptions } from './lmdb.js';
export { EtcdStore, type EtcdStoreOptions, parseEtcdUrl } from './etcd.js';

export async function openStore(url: string, opts: MemoryStoreOptions = {}): Promise<Store> {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (url === '') throw new Error('store URL is empty (use memory:// or lmdb:///path)');
    return LmdbStore.open(url, opts);
  }
  if (scheme === 'memory') return new MemoryStore(opts);
  if (scheme === 'lmdb') {
    const path = fileURLToPath(url.replace(/^lmdb:/i, 'file:'));
    return LmdbStore.open(path, opts);
  }
  if (scheme === 'etcd' || scheme === 'etcds') return EtcdStore.open(url);
  throw new Error(`unsupported store URL "${url}": scheme "${scheme}://" is not one of memory://, lmdb://, etcd://`);
}
