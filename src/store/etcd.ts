// A Store on etcd v3, through etcd's JSON gateway (grpc-gateway: POST /v3/kv/range, /v3/kv/put,
// /v3/kv/txn, /v3/kv/deleterange, /v3/kv/compaction and the streaming /v3/watch), with node's
// http/https and keep-alive agents: no gRPC dependency.
//
// The mapping follows the upstream apiserver's etcd3 store (k8s.io/apiserver/pkg/storage/etcd3):
//   revision        = etcd's mod_revision (minus revisionOffset, 0 unless several logical
//                     stores share one etcd, as the conformance tests do)
//   create          = txn(if create_revision(key) == 0 then put)
//   update/delete   = txn(if mod_revision(key) == expected then put/delete else range)
//   list            = range [prefix+startAfter+"\0", prefixEnd) at a revision, with limit
//   watch           = /v3/watch from start_revision = afterRevision+1 with prev_kv, resumed
//                     after the last delivered revision when the stream breaks
//   compaction      = /v3/kv/compaction; the compacted revision is kept in the key
//                     "compact_rev_key" (as kube-apiserver's compactor does), so every process
//                     sharing the etcd knows it.
//
// URL: etcd://host1:port1,host2:port2[?cacert=/ca.pem&cert=/client.pem&key=/client-key.pem]
// (https when TLS options are given, or etcds://). Requests go to one endpoint and move to the
// next on connection errors.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
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
import { FutureRevisionError, StoreClosedError } from './memory.js';
import type { Clock, Timer } from '../clock/clock.js';

/** kube-apiserver's --etcd-compaction-interval default: 5 minutes */
export const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60_000;

/** a running compactor (EtcdStore.startCompactor) */
export interface Compactor {
  /** one round now (what each interval runs); resolves when it is done */
  runOnce(): Promise<void>;
  /** resolves when the round under way (started by the clock) is done */
  settled(): Promise<void>;
  stop(): void;
}

export interface EtcdTlsOptions {
  /** PEM text or a path to a PEM file */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface EtcdStoreOptions {
  /** host:port endpoints (or http(s)://host:port URLs) */
  endpoints: string[];
  tls?: EtcdTlsOptions;
  /** every key is stored under this etcd key prefix (kube-apiserver's --etcd-prefix is applied to whole keys) */
  keyPrefix?: string;
  /**
   * subtracted from etcd's revisions (added to revisions given to etcd). Several logical stores
   * can share one etcd this way, each starting at revision 0 (tests); every process sharing
   * a store must use the same offset. Default 0.
   */
  revisionOffset?: number;
  /** time limit for one unary request (ms); default 15 s */
  requestTimeoutMs?: number;
  /** concurrent unary requests per endpoint (keep-alive sockets); default 64 */
  maxSockets?: number;
}

/** a connection-level failure: the request did not get an answer from this endpoint */
export class EtcdUnavailableError extends StoreError {}

/** an error answer from etcd (gRPC status in the gateway's JSON) */
export class EtcdError extends StoreError {
  constructor(
    message: string,
    public readonly grpcCode: number,
    public readonly httpStatus: number,
  ) {
    super(message);
  }
}

interface RawKv {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}
interface RawHeader {
  revision?: string;
}
interface RawRange {
  header?: RawHeader;
  kvs?: RawKv[];
  count?: string;
  more?: boolean;
}
interface RawTxn {
  header?: RawHeader;
  succeeded?: boolean;
  responses?: Array<{ response_range?: RawRange; response_put?: { header?: RawHeader }; response_delete_range?: { header?: RawHeader; prev_kvs?: RawKv[] } }>;
}
interface RawWatchResult {
  header?: RawHeader;
  created?: boolean;
  canceled?: boolean;
  compact_revision?: string;
  cancel_reason?: string;
  events?: Array<{ type?: 'PUT' | 'DELETE'; kv?: RawKv; prev_kv?: RawKv }>;
}

const COMPACT_KEY = 'compact_rev_key';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');
const num = (s: string | undefined) => (s ? Number(s) : 0);

/** the smallest key greater than every key with this prefix (etcd's GetPrefixRangeEnd) */
export function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix, 'utf8');
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]); // no end: the whole key space
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

function readPem(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8');
}

/** parse etcd://h1:p1,h2:p2?cacert=..&cert=..&key=.. into options */
export function parseEtcdUrl(url: string): EtcdStoreOptions {
  const m = /^(etcds?):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url);
  if (!m) throw new Error(`invalid etcd store URL "${url}" (expected etcd://host:port[,host:port...])`);
  const hosts = m[2]!.split(',').map((h) => h.trim()).filter(Boolean);
  if (hosts.length === 0) throw new Error(`etcd store URL "${url}" names no endpoint`);
  const q = new URLSearchParams(m[4] ?? '');
  const tls: EtcdTlsOptions = {};
  if (q.get('cacert')) tls.ca = q.get('cacert')!;
  if (q.get('cert')) tls.cert = q.get('cert')!;
  if (q.get('key')) tls.key = q.get('key')!;
  const secure = m[1]!.toLowerCase() === 'etcds' || Object.keys(tls).length > 0;
  const path = m[3] && m[3] !== '/' ? m[3] : undefined;
  return {
    endpoints: hosts.map((h) => (/^https?:\/\//.test(h) ? h : `${secure ? 'https' : 'http'}://${h}`)),
    tls: secure ? tls : undefined,
    keyPrefix: q.get('prefix') ?? path?.replace(/\/$/, '') ?? undefined,
  };
}

export class EtcdStore implements Store {
  private readonly endpoints: string[];
  private current = 0;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private readonly tls?: { ca?: string; cert?: string; key?: string };
  private readonly prefix: string;
  private readonly offset: number;
  private readonly timeoutMs: number;
  private closed = false;
  private readonly watches = new Set<EtcdWatch>();
  private readonly compactors = new Set<() => void>();
  /** the highest compacted revision seen (etcd's numbering) */
  private knownCompacted = 0;
  /** writes wait for "from now" watches to be registered, so that "now" means the call */
  barrier: Promise<void> = Promise.resolve();

  static async open(url: string, extra: Partial<EtcdStoreOptions> = {}): Promise<EtcdStore> {
    const parsed = parseEtcdUrl(url);
    const store = new EtcdStore({ ...parsed, ...extra, tls: extra.tls ?? parsed.tls });
    try {
      await store.currentRevision(); // fail early when no endpoint answers
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  constructor(opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new Error('EtcdStore needs at least one endpoint');
    const secure = opts.tls !== undefined || opts.endpoints.some((e) => e.startsWith('https:'));
    this.endpoints = opts.endpoints.map((e) => (/^https?:\/\//.test(e) ? e : `${secure ? 'https' : 'http'}://${e}`)).map((e) => e.replace(/\/$/, ''));
    if (secure) this.tls = { ca: readPem(opts.tls?.ca), cert: readPem(opts.tls?.cert), key: readPem(opts.tls?.key) };
    const Agent = secure ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64, ...(this.tls ?? {}) });
    this.watchAgent = new Agent({ keepAlive: false, ...(this.tls ?? {}) });
    this.prefix = opts.keyPrefix ?? '';
    this.offset = opts.revisionOffset ?? 0;
    this.timeoutMs = opts.requestTimeoutMs ?? 15_000;
  }

  /** the endpoint requests go to now */
  get endpoint(): string {
    return this.endpoints[this.current]!;
  }

  // ---- transport

  private send(base: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
    const url = new URL(path, base);
    const mod = url.protocol === 'https:' ? https : http;
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      let responded = false;
      const req = mod.request(
        url,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: this.timeoutMs },
        (res) => {
          responded = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          // a response cut off mid-way (the member died) is a connection reset: reads may retry
          res.on('error', (e) => reject(Object.assign(new EtcdUnavailableError(`etcd ${base}: ${e.message}`), { code: 'ECONNRESET' })));
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const err = new EtcdUnavailableError(`etcd ${base}: ${e.message}`);
        // a kept-alive socket the member closed (it died while idle) fails before the request
        // is read: Node's documented keep-alive race, safe to resend even for writes
        const stale = req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE') && !responded;
        (err as { code?: string }).code = stale ? 'ESTALESOCKET' : e.code;
        reject(err);
      });
      req.end(data);
    });
  }

  /**
   * one unary call. Connection errors move to the next endpoint; a request that may have
   * reached etcd (reset, timeout) is retried only when idempotent (reads).
   */
  private async call<T>(path: string, body: unknown, idempotent: boolean): Promise<T> {
    if (this.closed) throw new StoreClosedError();
    let lastErr: Error | undefined;
    for (let attempt = 0; attempt < this.endpoints.length * 2; attempt++) {
      const idx = this.current;
      const base = this.endpoints[idx]!;
      let res: { status: number; text: string };
      try {
        res = await this.send(base, path, body);
      } catch (e) {
        lastErr = e as Error;
        const code = (e as { code?: string }).code ?? '';
        if (this.current === idx) this.current = (idx + 1) % this.endpoints.length;
        const notSent = code === 'ESTALESOCKET' || code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND';
        if (this.closed) throw new StoreClosedError();
        if (notSent || (idempotent && CONNECTION_ERRORS.has(code))) {
          if (attempt >= this.endpoints.length - 1) await new Promise((r) => setTimeout(r, 100 * (attempt - this.endpoints.length + 2)));
          continue;
        }
        throw e;
      }
      if (res.status === 200) return JSON.parse(res.text) as T;
      let msg = res.text;
      let grpcCode = 0;
      try {
        const j = JSON.parse(res.text) as { error?: string; message?: string; code?: number };
        msg = j.message ?? j.error ?? res.text;
        grpcCode = j.code ?? 0;
      } catch {
        // not JSON
      }
      // 14 Unavailable (no leader, member stopping): another member may answer
      if (grpcCode === 14 || res.status === 503) {
        lastErr = new EtcdError(msg, grpcCode, res.status);
        if (this.current === idx) this.current = (idx + 1) % this.endpoints.length;
        if (idempotent || /no leader|leader changed|stopped/.test(msg)) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
      }
      throw new EtcdError(msg, grpcCode, res.status);
    }
    throw lastErr ?? new EtcdUnavailableError('etcd: no endpoint answered');
  }

  private etcdKey(key: string): string {
    return this.prefix + key;
  }

  private kv(raw: RawKv): KeyValue {
    return {
      key: unb64(raw.key).slice(this.prefix.length),
      value: unb64(raw.value),
      createRevision: num(raw.create_revision) - this.offset,
      modRevision: num(raw.mod_revision) - this.offset,
    };
  }

  private rev(h: RawHeader | undefined): number {
    return num(h?.revision) - this.offset;
  }

  private async revisionError(e: unknown, requested: number): Promise<never> {
    if (e instanceof EtcdError && /required revision has been compacted/.test(e.message)) {
      throw new CompactedError(requested, Math.max(await this.compactedRevision(), 0));
    }
    if (e instanceof EtcdError && /required revision is a future revision/.test(e.message)) {
      throw new FutureRevisionError(requested, await this.currentRevision().catch(() => -1));
    }
    throw e;
  }

  // ---- Store

  async create(key: string, value: string): Promise<number> {
    await this.barrier;
    const k = b64(this.etcdKey(key));
    const r = await this.call<RawTxn>(
      '/v3/kv/txn',
      { compare: [{ target: 'CREATE', key: k, result: 'EQUAL', create_revision: '0' }], success: [{ request_put: { key: k, value: b64(value) } }] },
      false,
    );
    if (!r.succeeded) throw new KeyExistsError(key);
    return this.rev(r.header);
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<number> {
    await this.barrier;
    const k = b64(this.etcdKey(key));
    const compare =
      expectedModRevision !== undefined
        ? { target: 'MOD', key: k, result: 'EQUAL', mod_revision: String(expectedModRevision + this.offset) }
        : { target: 'CREATE', key: k, result: 'GREATER', create_revision: '0' };
    const r = await this.call<RawTxn>(
      '/v3/kv/txn',
      { compare: [compare], success: [{ request_put: { key: k, value: b64(value) } }], failure: [{ request_range: { key: k } }] },
      false,
    );
    if (r.succeeded) return this.rev(r.header);
    throw this.casFailure(key, expectedModRevision, r);
  }

  private casFailure(key: string, expected: number | undefined, r: RawTxn): Error {
    const cur = r.responses?.[0]?.response_range?.kvs?.[0];
    if (!cur) return new KeyNotFoundError(key);
    return new ConflictError(key, expected ?? 0, num(cur.mod_revision) - this.offset);
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    await this.barrier;
    const k = b64(this.etcdKey(key));
    const compare =
      expectedModRevision !== undefined
        ? { target: 'MOD', key: k, result: 'EQUAL', mod_revision: String(expectedModRevision + this.offset) }
        : { target: 'CREATE', key: k, result: 'GREATER', create_revision: '0' };
    const r = await this.call<RawTxn>(
      '/v3/kv/txn',
      {
        compare: [compare],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      },
      false,
    );
    if (!r.succeeded) throw this.casFailure(key, expectedModRevision, r);
    const prev = r.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    // a concurrent delete between the compare and the delete cannot happen: a txn is atomic
    if (!prev) throw new KeyNotFoundError(key);
    return { revision: this.rev(r.header), prev: this.kv(prev) };
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const r = await this.call<RawRange>('/v3/kv/range', { key: b64(this.etcdKey(key)) }, true);
    const raw = r.kvs?.[0];
    return raw ? this.kv(raw) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const full = this.etcdKey(prefix);
    const start = opts.startAfter !== undefined && opts.startAfter >= prefix ? this.etcdKey(opts.startAfter) + '\0' : full;
    const body: Record<string, unknown> = {
      key: start === '' ? b64('\0') : b64(start),
      range_end: prefixEnd(full).toString('base64'),
    };
    if (opts.revision) body.revision = String(opts.revision + this.offset);
    if (opts.limit) body.limit = String(opts.limit);
    let r: RawRange;
    try {
      r = await this.call<RawRange>('/v3/kv/range', body, true);
    } catch (e) {
      return this.revisionError(e, opts.revision ?? 0);
    }
    const items = (r.kvs ?? []).map((raw) => this.kv(raw)).filter((kv) => this.prefix !== '' || kv.key !== COMPACT_KEY);
    const more = !!r.more;
    const result: ListResult = { items, revision: opts.revision || this.rev(r.header), more };
    if (more) result.remaining = num(r.count) - items.length;
    return result;
  }

  async count(prefix: string): Promise<number> {
    const full = this.etcdKey(prefix);
    const r = await this.call<RawRange>(
      '/v3/kv/range',
      { key: full === '' ? b64('\0') : b64(full), range_end: prefixEnd(full).toString('base64'), count_only: true },
      true,
    );
    return num(r.count);
  }

  async currentRevision(): Promise<number> {
    const r = await this.call<RawRange>('/v3/kv/range', { key: b64(this.etcdKey(COMPACT_KEY)), count_only: true }, true);
    return this.rev(r.header);
  }

  async compact(revision: number): Promise<void> {
    const target = revision + this.offset;
    try {
      await this.call('/v3/kv/compaction', { revision: String(target) }, false);
    } catch (e) {
      if (e instanceof EtcdError && /required revision has been compacted/.test(e.message)) return; // already at or past it
      if (e instanceof EtcdError && /future revision/.test(e.message)) {
        throw new FutureRevisionError(revision, await this.currentRevision());
      }
      throw e;
    }
    this.knownCompacted = Math.max(this.knownCompacted, target);
    // record it for every process sharing this etcd (compare-and-swap: never move it back)
    const k = b64(this.etcdKey(COMPACT_KEY));
    for (;;) {
      const cur = (await this.call<RawRange>('/v3/kv/range', { key: k }, true)).kvs?.[0];
      if (cur && Number(unb64(cur.value)) >= target) return;
      const compare = cur
        ? { target: 'MOD', key: k, result: 'EQUAL', mod_revision: cur.mod_revision }
        : { target: 'CREATE', key: k, result: 'EQUAL', create_revision: '0' };
      const r = await this.call<RawTxn>('/v3/kv/txn', { compare: [compare], success: [{ request_put: { key: k, value: b64(String(target)) } }] }, false);
      if (r.succeeded) return;
    }
  }

  async compactedRevision(): Promise<number> {
    const r = await this.call<RawRange>('/v3/kv/range', { key: b64(this.etcdKey(COMPACT_KEY)) }, true);
    const stored = Number(unb64(r.kvs?.[0]?.value) || '0');
    this.knownCompacted = Math.max(this.knownCompacted, stored);
    return Math.max(0, this.knownCompacted - this.offset);
  }

  /**
   * delete every key under this prefix (within the store's keyPrefix) in one deleterange;
   * returns how many were deleted. `kindling delete cluster` uses it for the cluster's
   * /registry/ keys (etcd's own history keeps them until the next compaction).
   */
  async deletePrefix(prefix: string): Promise<number> {
    const full = this.etcdKey(prefix);
    if (full === '') throw new Error('refusing to delete the whole etcd key space');
    const r = await this.call<{ deleted?: string }>('/v3/kv/deleterange', { key: b64(full), range_end: prefixEnd(full).toString('base64') }, false);
    return num(r.deleted);
  }

  /**
   * Automatic compaction as kube-apiserver's compactor does it (k8s.io/apiserver/pkg/storage/etcd3/
   * compact.go): every interval of the clock, one txn
   *   if version(compact_rev_key) == t then put(compact_rev_key, rev) else get(compact_rev_key)
   * where rev is the etcd revision this compactor saw one interval ago and t the key's version it
   * saw then. The txn succeeds in one process only when several share the etcd (the others see a
   * newer version and adopt it), and that process compacts etcd to rev: history older than one
   * interval is gone, reads and watches from before it answer 410 "too old resource version".
   * The first round compacts nothing (upstream: "we don't compact on bootstrap"). Errors are
   * logged and the next round tries again. intervalMs 0 disables it (upstream's 0 too).
   */
  startCompactor(clock: Clock, intervalMs = DEFAULT_COMPACTION_INTERVAL_MS, log: (m: string) => void = () => {}): Compactor {
    let t = 0; // compact_rev_key's version seen last round
    let rev = 0; // etcd's revision seen last round (0: none yet)
    let running: Promise<void> = Promise.resolve();
    let timer: Timer | undefined;
    const k = b64(this.etcdKey(COMPACT_KEY));
    const round = async () => {
      if (this.closed) return;
      const r = await this.call<RawTxn>(
        '/v3/kv/txn',
        {
          compare: [{ target: 'VERSION', key: k, result: 'EQUAL', version: String(t) }],
          success: [{ request_put: { key: k, value: b64(String(rev)) } }],
          failure: [{ request_range: { key: k } }],
        },
        false,
      );
      const curRev = num(r.header?.revision);
      if (!r.succeeded) {
        // another process compacted (or this one restarted): follow its count, compact next time
        const kv = r.responses?.[0]?.response_range?.kvs?.[0];
        t = num(kv?.version);
        rev = curRev;
        return;
      }
      t += 1;
      const target = rev;
      rev = curRev;
      if (target === 0) return;
      try {
        await this.call('/v3/kv/compaction', { revision: String(target) }, false);
      } catch (e) {
        if (!(e instanceof EtcdError && /required revision has been compacted/.test(e.message))) throw e;
      }
      this.knownCompacted = Math.max(this.knownCompacted, target);
      log(`kindling: etcd compacted to revision ${target}`);
    };
    const runOnce = () => {
      running = running.then(round).catch((e) => {
        if (!this.closed) log(`kindling: etcd compaction failed: ${(e as Error).message}`);
      });
      return running;
    };
    if (intervalMs > 0) timer = clock.setInterval(() => void runOnce(), intervalMs);
    this.compactors.add(() => timer?.cancel());
    return {
      runOnce,
      settled: () => running,
      stop: () => {
        timer?.cancel();
        timer = undefined;
      },
    };
  }

  /** @internal a watch learned of a compaction */
  noteCompacted(etcdRevision: number): void {
    this.knownCompacted = Math.max(this.knownCompacted, etcdRevision);
  }

  watch(prefix: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: Error) => void): Watch {
    const w = new EtcdWatch(this, prefix, opts.afterRevision && opts.afterRevision > 0 ? opts.afterRevision : undefined, onEvent, onError);
    if (this.closed) {
      queueMicrotask(() => w.fail(new StoreClosedError()));
      return w;
    }
    this.watches.add(w);
    const started = w.start();
    if (opts.afterRevision === undefined || opts.afterRevision <= 0) {
      // "only events after now": writes issued after this call wait until etcd registered the watch
      const prev = this.barrier;
      this.barrier = Promise.all([prev, started.catch(() => {})]).then(() => {});
    }
    return w;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.compactors) stop();
    for (const w of [...this.watches]) w.fail(new StoreClosedError());
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  // ---- for EtcdWatch

  /** @internal */
  get isClosed(): boolean {
    return this.closed;
  }
  /** @internal */
  forget(w: EtcdWatch): void {
    this.watches.delete(w);
  }
  /** @internal */
  wireKey(key: string): string {
    return this.etcdKey(key);
  }
  /** @internal */
  toKv(raw: RawKv): KeyValue {
    return this.kv(raw);
  }
  /** @internal */
  get revisionOffset(): number {
    return this.offset;
  }
  /** @internal open a watch stream on the current endpoint */
  openStream(body: unknown, onResponse: (res: http.IncomingMessage) => void, onFail: (e: Error) => void): http.ClientRequest {
    const base = this.endpoint;
    const url = new URL('/v3/watch', base);
    const mod = url.protocol === 'https:' ? https : http;
    const data = JSON.stringify(body);
    const req = mod.request(url, { method: 'POST', agent: this.watchAgent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, onResponse);
    req.on('error', (e) => {
      if (this.endpoint === base) this.current = (this.current + 1) % this.endpoints.length;
      onFail(e);
    });
    req.end(data);
    return req;
  }
}

/** one etcd watch stream, resumed after the last delivered revision when it breaks */
class EtcdWatch implements Watch {
  private closed = false;
  private req?: http.ClientRequest;
  /** etcd revision of the last delivered event (or the revision the watch started after) */
  private last?: number;
  private failures = 0;
  private createdResolve?: () => void;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: EtcdStore,
    private readonly prefix: string,
    afterRevision: number | undefined,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError?: (err: Error) => void,
  ) {
    this.last = afterRevision === undefined ? undefined : afterRevision + store.revisionOffset;
  }

  /** resolves once etcd acknowledged the first stream (created), or the watch failed */
  start(): Promise<void> {
    const p = new Promise<void>((r) => (this.createdResolve = r));
    this.connect();
    return p;
  }

  private created(): void {
    this.createdResolve?.();
    this.createdResolve = undefined;
  }

  private connect(): void {
    if (this.closed) return;
    const full = this.store.wireKey(this.prefix);
    const create: Record<string, unknown> = {
      key: full === '' ? b64('\0') : b64(full),
      range_end: prefixEnd(full).toString('base64'),
      prev_kv: true,
    };
    if (this.last !== undefined) create.start_revision = String(this.last + 1);
    let buf = '';
    let done = false;
    const broken = (e: Error) => {
      if (done) return;
      done = true;
      this.req?.destroy();
      if (this.closed) return;
      this.created(); // never hold writers back behind a broken stream
      this.failures++;
      // a stream that never got anywhere, many times in a row: keep trying, more slowly
      const delay = Math.min(2000, 50 * 2 ** Math.min(this.failures, 6));
      this.retryTimer = setTimeout(() => this.connect(), delay);
      void e;
    };
    this.req = this.store.openStream(
      { create_request: create },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          broken(new Error(`watch: HTTP ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (done) return;
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line && !this.handle(line)) {
              done = true;
              this.req?.destroy();
              return;
            }
            if (this.closed) return;
          }
        });
        res.on('end', () => broken(new Error('watch stream ended')));
        res.on('error', broken);
        res.on('aborted', () => broken(new Error('watch stream aborted')));
      },
      broken,
    );
  }

  /** handle one NDJSON message; false ends the stream (the watch failed or closed) */
  private handle(line: string): boolean {
    let msg: { result?: RawWatchResult; error?: { message?: string; grpc_code?: number } };
    try {
      msg = JSON.parse(line);
    } catch {
      return true;
    }
    if (msg.error) {
      // a stream-level error (e.g. the member lost its leader): reconnect
      return false === this.reconnectSoon();
    }
    const r = msg.result;
    if (!r) return true;
    if (r.created) {
      this.failures = 0;
      if (this.last === undefined) this.last = num(r.header?.revision);
      this.created();
    }
    if (r.canceled) {
      const compactRev = num(r.compact_revision);
      if (compactRev > 0) {
        this.store.noteCompacted(compactRev);
        const off = this.store.revisionOffset;
        this.fail(new CompactedError((this.last ?? 0) - off, compactRev - off));
      } else {
        this.fail(new StoreError(`etcd canceled the watch: ${r.cancel_reason ?? 'no reason given'}`));
      }
      return false;
    }
    for (const e of r.events ?? []) {
      if (this.closed) return false;
      const kv = e.kv ?? {};
      const rev = num(kv.mod_revision);
      if (this.last !== undefined && rev <= this.last) continue; // already delivered before a resume
      const prev = e.prev_kv ? this.store.toKv(e.prev_kv) : undefined;
      let ev: WatchEvent;
      if (e.type === 'DELETE') {
        const off = this.store.revisionOffset;
        ev = {
          type: 'DELETE',
          kv: { key: this.store.toKv(kv).key, value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0, modRevision: rev - off },
          revision: rev - off,
        };
      } else {
        const cur = this.store.toKv(kv);
        ev = { type: 'PUT', kv: cur, revision: cur.modRevision };
      }
      if (prev) ev.prevKv = prev;
      this.last = rev;
      try {
        this.onEvent(ev);
      } catch (err) {
        this.fail(err as Error);
        return false;
      }
    }
    return true;
  }

  private reconnectSoon(): boolean {
    this.req?.destroy();
    if (!this.closed) this.retryTimer = setTimeout(() => this.connect(), 100);
    return true;
  }

  fail(err: Error): void {
    if (this.closed) return;
    this.shutdown();
    this.onError?.(err);
  }

  private shutdown(): void {
    this.closed = true;
    this.created();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.req?.destroy();
    this.store.forget(this);
  }

  close(): void {
    if (this.closed) return;
    this.shutdown();
  }
}
