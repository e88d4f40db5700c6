// An in-memory ApiClient for controller unit tests, in the spirit of client-go's fake
// clientset: objects live in maps, every call is recorded as an action, reactors can inject
// errors, and watches see every write synchronously (in order) so tests are deterministic.
// It is not an API server: no validation, no defaulting, no admission.

import { randomUUID } from 'node:crypto';
import jsonpatch from 'fast-json-patch';
import type { Clock } from '../clock/clock.js';
import { ApiError, alreadyExists, conflict, notFound, OPTIMISTIC_LOCK_MESSAGE, gone, badRequest } from '../api/errors.js';
import { resourceFor } from '../api/resources.js';
import { matchesFieldSelector, matchesSelector, parseSelector } from './labels.js';
import type {
  ApiClient,
  ClientWatch,
  DeleteOptions,
  KubeList,
  KubeObject,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface Action {
  verb: Verb;
  /** plural resource name, e.g. 'pods' */
  resource: string;
  namespace: string;
  name: string;
  subresource?: string;
  /** the object sent (create/update), or the patch body (patch) */
  object?: unknown;
  patchType?: PatchType;
}

/** a reactor returns an error to fail the call, or undefined to let it proceed */
export type Reactor = (action: Action) => Error | undefined;

const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** the 5 random characters the API server appends to generateName */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += RANDOM_ALPHABET[Math.floor(Math.random() * RANDOM_ALPHABET.length)];
  return s;
}

interface Listener {
  res: string;
  namespace?: string;
  opts: WatchOptions;
  onEvent: (ev: WatchEvent) => void;
  onClose?: (err?: Error) => void;
  stopped: boolean;
}

interface LogEntry {
  rv: number;
  res: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  obj: KubeObject;
}

function resKey(res: ResourceRef): string {
  return `${res.group}/${res.version}/${res.plural}`;
}

function clone<T>(o: T): T {
  return structuredClone(o);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** merge keys of the lists a strategic merge patch merges instead of replacing (enough for controllers) */
const MERGE_KEYS: Record<string, string> = {
  ownerReferences: 'uid',
  containers: 'name',
  initContainers: 'name',
  tolerations: 'key',
  conditions: 'type',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  finalizers: '',
};

/**
 * A small strategic merge patch: maps merge as in a merge patch, lists with a known merge key
 * merge item by item (`$patch: delete` removes one), `$patch: replace` replaces a map.
 */
export function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (key === undefined || !Array.isArray(target)) return clone(patch.filter((p) => !(isObj(p) && p.$patch === 'delete')));
    if (key === '') {
      const out = [...target];
      for (const p of patch) if (!out.includes(p)) out.push(p);
      return out;
    }
    const out = [...target] as unknown[];
    for (const p of patch) {
      if (!isObj(p)) continue;
      const i = out.findIndex((t) => isObj(t) && t[key] === p[key]);
      if (p.$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = strategicMergePatch(out[i], p);
      else out.push(clone(p));
    }
    return out;
  }
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return clone(rest);
  }
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

export interface FakeClientOptions {
  clock?: Clock;
}

export class FakeClient implements ApiClient {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: LogEntry[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly reactors: { verb: Verb | '*'; resource: string; fn: Reactor }[] = [];
  private recorded: Action[] = [];
  private rv = 0;
  /** watches from a resourceVersion at or below this get 410 Gone */
  private compactedRv = 0;

  constructor(
    objects: { res: ResourceRef; obj: KubeObject }[] = [],
    private readonly opts: FakeClientOptions = {},
  ) {
    for (const { res, obj } of objects) this.seed(res, obj);
  }

  // ---- test helpers ----

  /** put an object in place without recording an action (test set-up) */
  seed<T extends KubeObject>(res: ResourceRef, obj: T): T {
    const o = this.stamp(res, clone(obj));
    this.bucket(res).set(this.key(o.metadata.namespace, o.metadata.name ?? ''), o);
    this.emit(res, 'ADDED', o);
    return clone(o) as T;
  }

  /** every call made so far, like client-go's fake Actions() */
  actions(): Action[] {
    return [...this.recorded];
  }

  clearActions(): void {
    this.recorded = [];
  }

  /** fail calls matching verb and resource ('*' = any) when fn returns an error */
  addReactor(verb: Verb | '*', resource: string, fn: Reactor): void {
    this.reactors.push({ verb, resource, fn });
  }

  clearReactors(): void {
    this.reactors.length = 0;
  }

  /** the stored object (a copy), or undefined */
  peek<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): T | undefined {
    const o = this.bucket(res).get(this.key(namespace, name));
    return o ? (clone(o) as T) : undefined;
  }

  /** all stored objects of the resource (copies) */
  all<T extends KubeObject = KubeObject>(res: ResourceRef): T[] {
    return [...this.bucket(res).values()].map((o) => clone(o) as T);
  }

  /** end every open watch as a server would (onClose without error) */
  closeWatches(err?: Error): void {
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.stopped = true;
      l.onClose?.(err);
    }
  }

  /** forget history up to the current revision: later watches from older versions get 410 */
  compact(): void {
    this.compactedRv = this.rv;
    this.log.length = 0;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  // ---- internals ----

  private now(): string {
    const t = this.opts.clock ? this.opts.clock.now() : Date.now();
    return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  private bucket(res: ResourceRef): Map<string, KubeObject> {
    const k = resKey(res);
    let b = this.objects.get(k);
    if (!b) this.objects.set(k, (b = new Map()));
    return b;
  }

  private key(namespace: string | undefined, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  private gr(res: ResourceRef) {
    return { group: res.group, resource: res.plural };
  }

  private stamp(res: ResourceRef, o: KubeObject): KubeObject {
    o.metadata = o.metadata ?? {};
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomSuffix();
    o.metadata.uid = o.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp = o.metadata.creationTimestamp ?? this.now();
    if (o.metadata.generation === undefined) o.metadata.generation = 1;
    o.metadata.resourceVersion = String(++this.rv);
    const info = resourceFor(res.group, res.version, res.plural);
    if (info) {
      o.apiVersion = o.apiVersion ?? (res.group ? `${res.group}/${res.version}` : res.version);
      o.kind = o.kind ?? info.kind;
    }
    return o;
  }

  private record(a: Action): void {
    this.recorded.push(clone(a));
    for (const r of this.reactors) {
      if ((r.verb === '*' || r.verb === a.verb) && (r.resource === '*' || r.resource === a.resource)) {
        const err = r.fn(a);
        if (err) throw err;
      }
    }
  }

  private emit(res: ResourceRef, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const rk = resKey(res);
    const rv = Number(obj.metadata.resourceVersion);
    this.log.push({ rv, res: rk, type, obj: clone(obj) });
    for (const l of [...this.listeners]) {
      if (l.stopped || l.res !== rk) continue;
      if (this.visible(l, obj)) l.onEvent({ type, object: clone(obj) });
    }
  }

  private visible(l: { namespace?: string; opts: { labelSelector?: string; fieldSelector?: string } }, obj: KubeObject): boolean {
    if (l.namespace && obj.metadata.namespace !== l.namespace) return false;
    if (!matchesSelector(parseSelector(l.opts.labelSelector), obj.metadata.labels)) return false;
    return matchesFieldSelector(l.opts.fieldSelector, obj);
  }

  // ---- ApiClient ----

  async get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    this.record({ verb: 'get', resource: res.plural, namespace: namespace ?? '', name, subresource });
    const o = this.bucket(res).get(this.key(namespace, name));
    if (!o) throw notFound(this.gr(res), name);
    return clone(o) as T;
  }

  async list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.record({ verb: 'list', resource: res.plural, namespace: namespace ?? '', name: '' });
    const items = [...this.bucket(res).values()]
      .filter((o) => this.visible({ namespace, opts }, o))
      .sort((a, b) => this.key(a.metadata.namespace, a.metadata.name ?? '').localeCompare(this.key(b.metadata.namespace, b.metadata.name ?? '')))
      .map((o) => clone(o) as T);
    const info = resourceFor(res.group, res.version, res.plural);
    return {
      apiVersion: res.group ? `${res.group}/${res.version}` : res.version,
      kind: info ? info.listKind : 'List',
      metadata: { resourceVersion: String(this.rv) },
      items,
    };
  }

  async create<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, obj: T, _opts?: WriteOptions, subresource?: string): Promise<T> {
    const ns = namespace ?? obj.metadata?.namespace;
    this.record({ verb: 'create', resource: res.plural, namespace: ns ?? '', name: obj.metadata?.name ?? '', subresource, object: obj });
    const o = clone(obj) as KubeObject;
    o.metadata = { ...(o.metadata ?? {}) };
    if (ns) o.metadata.namespace = ns;
    if (!o.metadata.name && !o.metadata.generateName) throw badRequest('name or generateName is required');
    delete o.metadata.resourceVersion;
    delete o.metadata.uid;
    delete o.metadata.creationTimestamp;
    const b = this.bucket(res);
    if (o.metadata.name && b.has(this.key(ns, o.metadata.name))) throw alreadyExists(this.gr(res), o.metadata.name);
    this.stamp(res, o);
    if (b.has(this.key(ns, o.metadata.name ?? ''))) throw alreadyExists(this.gr(res), o.metadata.name ?? '');
    b.set(this.key(ns, o.metadata.name ?? ''), o);
    this.emit(res, 'ADDED', o);
    return clone(o) as T;
  }

  private write(res: ResourceRef, old: KubeObject, next: KubeObject, subresource?: string): KubeObject {
    const info = resourceFor(res.group, res.version, res.plural);
    const hasStatus = info?.subresources?.includes('status') ?? false;
    let o: KubeObject;
    if (subresource === 'status') {
      o = clone(old);
      o.status = clone(next.status);
    } else {
      o = clone(next);
      if (hasStatus) o.status = clone(old.status);
      if (o.status === undefined) delete o.status;
    }
    o.metadata.uid = old.metadata.uid;
    o.metadata.creationTimestamp = old.metadata.creationTimestamp;
    o.metadata.namespace = old.metadata.namespace;
    o.metadata.name = old.metadata.name;
    o.metadata.generation = old.metadata.generation;
    if (subresource !== 'status' && JSON.stringify(old.spec) !== JSON.stringify(o.spec)) o.metadata.generation = (old.metadata.generation ?? 1) + 1;
    o.metadata.resourceVersion = String(++this.rv);
    const b = this.bucket(res);
    const k = this.key(old.metadata.namespace, old.metadata.name ?? '');
    // finalizers emptied on an object being deleted: it goes away now
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length === 0) {
      b.delete(k);
      this.emit(res, 'DELETED', o);
      return o;
    }
    b.set(k, o);
    this.emit(res, 'MODIFIED', o);
    return o;
  }

  async update<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, obj: T, _opts?: WriteOptions, subresource?: string): Promise<T> {
    const name = obj.metadata?.name ?? '';
    this.record({ verb: 'update', resource: res.plural, namespace: namespace ?? '', name, subresource, object: obj });
    const old = this.bucket(res).get(this.key(namespace, name));
    if (!old) throw notFound(this.gr(res), name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(this.gr(res), name, OPTIMISTIC_LOCK_MESSAGE);
    }
    return clone(this.write(res, old, obj, subresource)) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    _opts?: WriteOptions,
    subresource?: string,
  ): Promise<T> {
    this.record({ verb: 'patch', resource: res.plural, namespace: namespace ?? '', name, subresource, object: patch, patchType: type });
    const old = this.bucket(res).get(this.key(namespace, name));
    if (!old) throw notFound(this.gr(res), name);
    const body = typeof patch === 'string' ? JSON.parse(patch) : patch;
    let next: KubeObject;
    if (type === 'json') next = jsonpatch.applyPatch(clone(old), body as jsonpatch.Operation[], false, false).newDocument;
    else if (type === 'merge') next = mergePatch(old, body) as KubeObject;
    else next = strategicMergePatch(old, body) as KubeObject;
    // a uid in the patch is a precondition (as ClaimPods' patches use)
    const puid = (body as { metadata?: { uid?: string } })?.metadata?.uid;
    if (puid && puid !== old.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${puid}, UID in object meta: ${old.metadata.uid}`);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    return clone(this.write(res, old, next, subresource)) as T;
  }

  async delete(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    this.record({ verb: 'delete', resource: res.plural, namespace: namespace ?? '', name });
    const b = this.bucket(res);
    const k = this.key(namespace, name);
    const old = b.get(k);
    if (!old) throw notFound(this.gr(res), name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid) {
      throw conflict(this.gr(res), name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (old.metadata.deletionTimestamp) return clone(old);
      const o = clone(old);
      o.metadata.deletionTimestamp = this.now();
      o.metadata.resourceVersion = String(++this.rv);
      b.set(k, o);
      this.emit(res, 'MODIFIED', o);
      return clone(o);
    }
    b.delete(k);
    const o = clone(old);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit(res, 'DELETED', o);
    return clone(o);
  }

  async deleteCollection(res: ResourceRef, namespace: string | undefined, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    this.record({ verb: 'deletecollection', resource: res.plural, namespace: namespace ?? '', name: '' });
    const list = await this.list(res, namespace, opts);
    this.recorded.pop(); // the inner list is part of this action
    for (const o of list.items) {
      const b = this.bucket(res);
      const k = this.key(o.metadata.namespace, o.metadata.name ?? '');
      b.delete(k);
      o.metadata.resourceVersion = String(++this.rv);
      this.emit(res, 'DELETED', o);
    }
    return list;
  }

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: ApiError | Error) => void,
  ): ClientWatch {
    this.record({ verb: 'watch', resource: res.plural, namespace: namespace ?? '', name: '' });
    const l: Listener = { res: resKey(res), namespace, opts, onEvent: onEvent as (ev: WatchEvent) => void, onClose, stopped: false };
    const from = opts.resourceVersion;
    if (from && from !== '0') {
      const n = Number(from);
      if (n < this.compactedRv) {
        // as the API server: the watch ends right away with 410 Gone
        queueMicrotask(() => onClose?.(gone(`too old resource version: ${n} (${this.compactedRv})`)));
        return { stop: () => undefined };
      }
      for (const e of this.log) {
        if (e.rv > n && e.res === l.res && this.visible(l, e.obj)) l.onEvent({ type: e.type, object: clone(e.obj) });
      }
    } else {
      for (const o of this.bucket(res).values()) if (this.visible(l, o)) l.onEvent({ type: 'ADDED', object: clone(o) });
    }
    this.listeners.add(l);
    return {
      stop: () => {
        l.stopped = true;
        this.listeners.delete(l);
      },
    };
  }
}
