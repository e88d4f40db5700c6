// The registry: REST semantics over the store, for every resource. It is the in-process
// ApiClient (controllers call it directly) and the engine behind the HTTP handlers, so both
// paths give identical answers: defaulting, admission, validation, optimistic concurrency,
// generation, finalizers, graceful deletion, selectors, watch.

import type { Store } from '../store/types.js';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from '../store/types.js';
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
} from '../client/types.js';
import type { Clock } from '../clock/clock.js';
import type { ResourceInfo } from '../api/resources.js';
import { ResourceTable, groupVersion, storageKey, storagePrefix } from '../api/resources.js';
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  methodNotSupported,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
  tooLargeResourceVersion,
  tooOldResourceVersion,
  type GroupResource,
} from '../api/errors.js';
import { clone, deepEqual, dropNulls, generatedName, newUid, rfc3339 } from './objects.js';
import { hasStatusSubresource, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from './strategy.js';
import { ResourceWatchHub, decodeStored, type HubEvent } from './watchhub.js';
import { compileFilter, type ObjectFilter } from './selection.js';
import { applyDefaults } from '../api/defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../api/validation/index.js';
import { admitPod } from './admission.js';
import { applyPatch } from './patching.js';
import { admitEviction } from './eviction.js';
import { decodeFields } from './fieldvalidation.js';
import { getScale, patchScale, updateScale } from './scale.js';
import { ServiceAllocator } from './services.js';
import { beginCRDDeletion, isCRDResource } from '../apiextensions/crd.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';

export interface RegistryOptions {
  /** called for each write warning (fieldValidation=Warn); the HTTP layer turns them into Warning headers */
  onWarning?: (warning: string) => void;
}

/** per-request context the HTTP layer passes along */
export interface RequestContext {
  warnings?: string[];
  /** duplicate keys the HTTP layer found in the raw JSON body (reported per fieldValidation) */
  duplicateFields?: string[];
}

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };

const CONTINUE_VERSION = 'meta.k8s.io/v1';

function gr(info: ResourceInfo): GroupResource {
  return { group: info.group, resource: info.plural };
}

/**
 * drop nulls from client input as typed decoding does, except inside RawExtension fields
 * (a ControllerRevision's data is kept byte for byte upstream)
 */
function sanitize<T>(info: ResourceInfo, obj: T): T {
  // a custom object's nulls are the schema's business (nullable fields keep them)
  if (info.custom && obj && typeof obj === 'object') {
    const o = obj as { metadata?: unknown };
    if (o.metadata) dropNulls(o.metadata);
    return obj;
  }
  if (info.kind === 'ControllerRevision' && obj && typeof obj === 'object') {
    const { data, ...rest } = obj as Record<string, unknown>;
    const out = dropNulls(rest) as Record<string, unknown>;
    if (data !== undefined) out.data = data;
    return out as T;
  }
  return dropNulls(obj);
}

function isDryRun(opts?: { dryRun?: string[] }): boolean {
  return !!opts?.dryRun?.includes('All');
}

function encodeContinue(rev: number, startAfter: string): string {
  return Buffer.from(JSON.stringify({ v: CONTINUE_VERSION, rv: rev, start: startAfter })).toString('base64');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (parsed.v !== CONTINUE_VERSION || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error();
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest(`continue key is not valid: invalid continue token`);
  }
}

/** how long a read at a future resourceVersion waits for the store (the watch cache's blockTimeout) */
const FUTURE_RV_WAIT_MS = 3000;

function parseRV(rv: string | undefined, what = 'resourceVersion'): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid ${what}: ${rv}`);
  return Number(rv);
}

export class Registry implements ApiClient {
  private readonly hubs = new Map<string, ResourceWatchHub>();
  private closed = false;
  /** Service ClusterIP/NodePort allocation (services.ts) */
  readonly services: ServiceAllocator;
  /** the resources served: built-ins and those of CustomResourceDefinitions (src/apiextensions) */
  readonly resources = new ResourceTable();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    private readonly opts: RegistryOptions = {},
  ) {
    this.services = ServiceAllocator.forStore(store);
  }

  // ---- lookups ---------------------------------------------------------------------------

  info(res: ResourceRef): ResourceInfo {
    const info = this.resources.lookup(res.group, res.version, res.plural);
    if (!info) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return info;
  }

  private key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return storageKey(info, info.namespaced ? namespace : undefined, name);
  }

  private hub(info: ResourceInfo): ResourceWatchHub {
    const prefix = storagePrefix(info);
    let h = this.hubs.get(prefix);
    if (!h) {
      h = new ResourceWatchHub(this.store, prefix);
      this.hubs.set(prefix, h);
    }
    return h;
  }

  private requireNamespace(info: ResourceInfo, namespace: string | undefined): void {
    if (info.namespaced && !namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
  }

  private async ensureNamespaceActive(info: ResourceInfo, namespace: string, name: string): Promise<void> {
    if (!info.namespaced) return;
    const kv = await this.store.get(storageKey(this.info({ group: '', version: 'v1', plural: 'namespaces' }), undefined, namespace));
    if (!kv) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    const ns = JSON.parse(kv.value) as Obj;
    if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
      throw forbidden(
        gr(info),
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private encode(info: ResourceInfo, obj: Obj): string {
    const copy: Obj = { ...obj, metadata: { ...obj.metadata } };
    delete copy.metadata.resourceVersion;
    // custom objects are stored in the storage version (conversion None: only apiVersion changes)
    if (info.custom) copy.apiVersion = `${info.group}/${info.custom.storageVersion}`;
    return JSON.stringify(copy);
  }

  // ---- reads -----------------------------------------------------------------------------

  /**
   * a read at resourceVersion N that is not Exact means "not older than N": wait up to 3 s for
   * the store to reach N, then 504 Too large resource version, as the watch cache does
   */
  async awaitResourceVersion(resourceVersion: string | undefined, match: string | undefined): Promise<void> {
    if (match === 'Exact') return;
    const rv = parseRV(resourceVersion);
    if (!rv) return;
    const deadline = Date.now() + FUTURE_RV_WAIT_MS;
    for (;;) {
      const current = await this.store.currentRevision();
      if (current >= rv) return;
      if (Date.now() >= deadline) throw tooLargeResourceVersion(rv, current);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, subresource?: string): Promise<T> {
    const info = this.info(res);
    this.requireNamespace(info, namespace);
    if (subresource === 'scale') return (await getScale(this, res, namespace, name)) as unknown as T;
    if (subresource && subresource !== 'status') throw methodNotSupported(gr(info), 'get');
    const kv = await this.store.get(this.key(info, namespace, name));
    if (!kv) throw notFound(gr(info), name);
    return this.withTypeMeta(info, decodeStored(kv.value, kv.modRevision)) as T;
  }

  private withTypeMeta(info: ResourceInfo, obj: KubeObject): KubeObject {
    obj.apiVersion = groupVersion(info);
    obj.kind = info.kind;
    return obj;
  }

  async list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    const info = this.info(res);
    const filter = compileFilter(info, opts.labelSelector, opts.fieldSelector);
    const prefix = info.namespaced && namespace ? `${storagePrefix(info)}${namespace}/` : storagePrefix(info);
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      revision = c.rv;
      startAfter = c.start;
    } else {
      const rv = parseRV(opts.resourceVersion);
      if (rv !== undefined && rv !== 0 && opts.resourceVersionMatch === 'Exact') revision = rv;
      else await this.awaitResourceVersion(opts.resourceVersion, opts.resourceVersionMatch);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: T[] = [];
    let more = false;
    let listRev = 0;
    let lastKey: string | undefined;
    let remaining: number | undefined;
    try {
      // page through the store until `limit` matching items are found (selectors filter after reading)
      for (;;) {
        const page = await this.store.list(prefix, {
          revision,
          startAfter,
          limit: limit ? Math.max(limit - items.length, 64) : 0,
        });
        listRev = page.revision;
        revision = page.revision;
        for (const kv of page.items) {
          if (limit && items.length >= limit) {
            more = true;
            break;
          }
          lastKey = kv.key;
          const obj = decodeStored(kv.value, kv.modRevision);
          // custom objects are stored in the storage version: give them the requested one
          if (info.custom) obj.apiVersion = groupVersion(info);
          if (filter(obj)) items.push(obj as T);
        }
        if (limit && items.length >= limit) {
          more = more || page.more;
          if (more && filter.matchesEverything) remaining = (page.remaining ?? 0) + (page.items.length - page.items.findIndex((kv) => kv.key === lastKey) - 1);
          break;
        }
        if (!page.more) break;
        startAfter = page.items[page.items.length - 1].key;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        if (opts.continue) {
          throw gone(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          );
        }
        throw tooOldResourceVersion(err.requested, err.compacted);
      }
      throw err;
    }
    const list: KubeList<T> = {
      apiVersion: groupVersion(info),
      kind: info.listKind,
      metadata: { resourceVersion: String(listRev) },
      items,
    };
    if (more && lastKey) {
      list.metadata.continue = encodeContinue(listRev, lastKey);
      if (remaining !== undefined && remaining > 0) list.metadata.remainingItemCount = remaining;
    }
    return list;
  }

  // ---- writes ----------------------------------------------------------------------------

  async create<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    input: T,
    opts: WriteOptions & RequestContext = {},
    subresource?: string,
  ): Promise<T> {
    const info = this.info(res);
    if (subresource) return (await this.createSubresource(info, namespace, input, opts, subresource)) as T;
    this.requireNamespace(info, namespace);
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the body of the request is not a valid object');
    if (info.custom?.terminating) throw new ApiError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
    const obj = sanitize(info, clone(this.decodeFields(info, input, opts))) as Obj;
    obj.metadata = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
    this.checkTypeMeta(info, obj);
    if (info.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generatedName(obj.metadata.generateName);
    const name = obj.metadata.name ?? '';
    obj.metadata.uid = newUid();
    obj.metadata.creationTimestamp = rfc3339(this.clock.now());
    delete obj.metadata.deletionTimestamp;
    delete obj.metadata.deletionGracePeriodSeconds;
    delete obj.metadata.generation;
    delete obj.metadata.managedFields;
    this.withTypeMeta(info, obj);
    prepareForCreate(info, obj);
    applyDefaults(info, obj);
    if (info.kind === 'Pod') await admitPod(this, obj, name);
    const errs = validateCreate(info, obj);
    if (errs.length) throw invalid(info.kind, info.group, name, errs);
    if (name) await this.ensureNamespaceActive(info, namespace ?? '', name);
    const svcTxn = await this.services.allocateCreate(info, obj);
    applyDefaults(info, obj); // ipFamilies/ipFamilyPolicy/clusterIPs once a clusterIP is set
    if (isDryRun(opts)) {
      svcTxn.revert();
      obj.metadata.resourceVersion = undefined;
      return obj as T;
    }
    try {
      const rev = await this.store.create(this.key(info, namespace, name), this.encode(info, obj));
      svcTxn.commit();
      obj.metadata.resourceVersion = String(rev);
      return obj as T;
    } catch (err) {
      svcTxn.revert();
      if (err instanceof KeyExistsError) throw alreadyExists(gr(info), name);
      throw err;
    }
  }

  private checkTypeMeta(info: ResourceInfo, obj: Obj): void {
    const gv = groupVersion(info);
    if (obj.kind && obj.kind !== info.kind && obj.kind !== 'Binding' && obj.kind !== 'Eviction') {
      throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: no kind "${obj.kind}" is registered for version "${obj.apiVersion ?? gv}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
    }
    if (obj.apiVersion && obj.apiVersion !== gv && obj.kind === info.kind) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    }
  }

  /**
   * a request body as the Go type would decode it: unknown fields pruned in place (before any
   * copy, so whatever a hostile body nests in them is never walked), reported per
   * fieldValidation (the HTTP API always sets it; in-process callers write typed objects)
   */
  private decodeFields<T>(info: ResourceInfo, obj: T, opts: WriteOptions & RequestContext): T {
    const mode = opts.fieldValidation;
    if (!mode || !obj || typeof obj !== 'object') return obj;
    for (const w of decodeFields(info, obj, mode, opts.duplicateFields)) {
      if (opts.warnings?.includes(w)) continue; // a retried update finds them again
      opts.warnings?.push(w);
      this.opts.onWarning?.(w);
    }
    return obj;
  }

  private async createSubresource(info: ResourceInfo, namespace: string | undefined, input: KubeObject, opts: WriteOptions, sub: string): Promise<KubeObject> {
    if (info.kind === 'Pod' && sub === 'binding') return this.bindPod(namespace ?? '', input, opts);
    if (info.kind === 'Pod' && sub === 'eviction') return this.evictPod(namespace ?? '', input, opts);
    throw methodNotSupported(gr(info), 'create');
  }

  /** POST pods/<name>/binding: set spec.nodeName once (pkg/registry/core/pod/storage BindingREST) */
  private async bindPod(namespace: string, binding: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const target = (binding as any).target as { kind?: string; name?: string } | undefined;
    const podName = binding.metadata?.name ?? '';
    if (!target?.name) throw invalid('Binding', '', podName, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    const info = this.info({ group: '', version: 'v1', plural: 'pods' });
    await this.guaranteedUpdate(info, namespace, podName, (pod) => {
      if (pod.metadata.deletionTimestamp) throw conflict(gr(info), podName, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw conflict(gr(info), podName, `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec = { ...(pod.spec ?? {}), nodeName: target.name };
      const conds: any[] = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.clock.now()) });
      pod.status = { ...(pod.status ?? {}), conditions: conds };
      return pod;
    }, opts, { internal: true });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as KubeObject;
  }

  /** POST pods/<name>/eviction: delete the pod unless its PodDisruptionBudget forbids it (eviction.ts) */
  private async evictPod(namespace: string, eviction: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const podName = eviction.metadata?.name ?? '';
    const deleteOptions = ((eviction as any).deleteOptions ?? {}) as DeleteOptions;
    const dryRun = opts.dryRun ?? deleteOptions.dryRun;
    const pods = { group: '', version: 'v1', plural: 'pods' };
    await admitEviction(this, await this.get(pods, namespace, podName), this.clock.now(), isDryRun({ dryRun }));
    await this.delete(pods, namespace, podName, { ...deleteOptions, dryRun });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as KubeObject;
  }

  async update<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    input: T,
    opts: WriteOptions & RequestContext = {},
    subresource?: string,
  ): Promise<T> {
    const info = this.info(res);
    this.requireNamespace(info, namespace);
    if (subresource === 'scale') return (await updateScale(this, res, namespace, input?.metadata?.name ?? '', input, opts)) as unknown as T;
    if (subresource && subresource !== 'status' && !(subresource === 'finalize' && info.kind === 'Namespace')) throw methodNotSupported(gr(info), 'update');
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the body of the request is not a valid object');
    const body = this.decodeFields(info, input, opts);
    const name = input.metadata?.name ?? '';
    const expectedRV = parseRV(input.metadata?.resourceVersion);
    return (await this.guaranteedUpdate(
      info,
      namespace,
      name,
      (current) => {
        if (expectedRV !== undefined && String(expectedRV) !== current.metadata.resourceVersion) {
          throw conflict(gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
        }
        const next = sanitize(info, clone(body)) as Obj;
        next.metadata = next.metadata ?? {};
        if (info.namespaced && next.metadata.namespace && next.metadata.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
          throw conflict(gr(info), name, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
        }
        return next;
      },
      opts,
      { subresource, urlName: name },
    )) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions & RequestContext = {},
    subresource?: string,
  ): Promise<T> {
    const info = this.info(res);
    this.requireNamespace(info, namespace);
    if (subresource === 'scale') return (await patchScale(this, res, namespace, name, type, patch, opts)) as unknown as T;
    if (subresource && subresource !== 'status') throw methodNotSupported(gr(info), 'patch');
    if (type === 'apply') {
      // server-side apply: create when absent, else merge the applied configuration
      const exists = await this.store.get(this.key(info, namespace, name));
      if (!exists) {
        const obj = clone(patch) as Obj;
        obj.metadata = { ...(obj.metadata ?? {}), name };
        return this.create(res, namespace, obj as T, opts);
      }
    }
    return (await this.guaranteedUpdate(
      info,
      namespace,
      name,
      (current) => {
        // upstream decodes the patched object into its type (patch directives are gone by then)
        const applied = this.decodeFields(info, applyPatch(info, current, type, patch), opts);
        const patched = sanitize(info, applied) as Obj;
        patched.metadata = patched.metadata ?? {};
        if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
          throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
        }
        // a patch that sets resourceVersion is a precondition
        const prv = patched.metadata.resourceVersion;
        if (prv && prv !== current.metadata.resourceVersion) throw conflict(gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
        patched.metadata.resourceVersion = current.metadata.resourceVersion;
        return patched;
      },
      opts,
      { subresource, urlName: name },
    )) as T;
  }

  /**
   * read-modify-write with compare-and-swap, retried on conflicts (the store's
   * GuaranteedUpdate). `mutate` gets a private copy of the current object.
   */
  private async guaranteedUpdate(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    mutate: (current: Obj) => Obj,
    opts: WriteOptions = {},
    extra: { subresource?: string; urlName?: string; internal?: boolean } = {},
  ): Promise<Obj> {
    const key = this.key(info, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(gr(info), name);
      // two decodings of the stored JSON: `old` stays as stored, `next` is the caller's to change
      const old = this.withTypeMeta(info, decodeStored(kv.value, kv.modRevision)) as Obj;
      let next = mutate(this.withTypeMeta(info, decodeStored(kv.value, kv.modRevision)) as Obj);
      if (extra.urlName !== undefined && next.metadata.name !== undefined && next.metadata.name !== extra.urlName) {
        throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${extra.urlName})`);
      }
      this.checkTypeMeta(info, next);
      this.withTypeMeta(info, next);
      // fields only the server sets
      next.metadata.name = old.metadata.name;
      next.metadata.namespace = old.metadata.namespace;
      next.metadata.uid = old.metadata.uid;
      next.metadata.creationTimestamp = old.metadata.creationTimestamp;
      next.metadata.deletionTimestamp = old.metadata.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (old.metadata.deletionTimestamp) {
        // once deleting, finalizers may only be removed
        const added = (next.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length) {
          throw invalid(info.kind, info.group, name, [
            { type: 'FieldValueForbidden', field: 'metadata.finalizers', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` },
          ]);
        }
      }
      let errs: ReturnType<typeof validateUpdate> = [];
      if (extra.internal) {
        // server-internal writes (binding) change fields users may not, and skip user validation
      } else if (extra.subresource === 'status') {
        next = prepareForStatusUpdate(info, next, old);
        next.metadata.resourceVersion = old.metadata.resourceVersion;
        applyDefaults(info, next);
        errs = validateStatusUpdate(info, next, old);
      } else if (extra.subresource === 'finalize') {
        // PUT namespaces/<name>/finalize: only spec.finalizers may change
        const finalizers = next.spec?.finalizers;
        next = { ...old, spec: { ...(old.spec ?? {}), finalizers } };
        if (!finalizers) delete next.spec!.finalizers;
      } else {
        prepareForUpdate(info, next, old);
        applyDefaults(info, next);
        this.services.prepareUpdate(info, next, old);
        errs = validateUpdate(info, next, old);
      }
      if (errs.length) throw invalid(info.kind, info.group, name, errs);
      const svcTxn = extra.internal || extra.subresource ? undefined : await this.services.allocateUpdate(info, next, old);
      if (svcTxn) applyDefaults(info, next);
      next.metadata.resourceVersion = old.metadata.resourceVersion;
      if (deepEqual(next, old) || isDryRun(opts)) svcTxn?.revert();
      if (deepEqual(next, old)) return old; // no-op: no write, no event, same resourceVersion
      if (isDryRun(opts)) return next;
      // the last finalizer removed from an object being deleted: it goes away now
      if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length && !this.blocksRemoval(info, next)) {
        try {
          const { revision } = await this.store.delete(key, kv.modRevision);
          svcTxn?.revert();
          await this.services.release(info, old);
          next.metadata.resourceVersion = String(revision);
          return next;
        } catch (err) {
          svcTxn?.revert();
          if (err instanceof ConflictError && attempt < 20) continue;
          if (err instanceof KeyNotFoundError) throw notFound(gr(info), name);
          throw err;
        }
      }
      try {
        const rev = await this.store.update(key, this.encode(info, next), kv.modRevision);
        svcTxn?.commit();
        next.metadata.resourceVersion = String(rev);
        return next;
      } catch (err) {
        svcTxn?.revert();
        if (err instanceof ConflictError && attempt < 20) continue;
        if (err instanceof KeyNotFoundError) throw notFound(gr(info), name);
        if (err instanceof ConflictError) throw conflict(gr(info), name, OPTIMISTIC_LOCK_MESSAGE);
        throw err;
      }
    }
  }

  /**
   * what keeps an object marked for deletion besides metadata.finalizers: a pod bound to a
   * node waits for the kubelet (which deletes it with grace 0); a namespace waits for its
   * spec.finalizers (the namespace controller empties it through /finalize).
   */
  private blocksRemoval(info: ResourceInfo, obj: Obj): boolean {
    if (info.kind === 'Pod') return !!obj.spec?.nodeName && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
    if (info.kind === 'Namespace') return (obj.spec?.finalizers ?? []).length > 0;
    return false;
  }

  async delete(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const info = this.info(res);
    this.requireNamespace(info, namespace);
    const key = this.key(info, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(gr(info), name);
      const current = this.withTypeMeta(info, decodeStored(kv.value, kv.modRevision)) as Obj;
      if (opts.preconditions?.uid && opts.preconditions.uid !== current.metadata.uid) {
        throw conflict(gr(info), name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(gr(info), name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`);
      }
      const next = clone(current);
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      const finalizers = new Set(next.metadata.finalizers ?? []);
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      } else if (policy === 'Background' && !current.metadata.deletionTimestamp) {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      if (info.kind === 'Namespace') finalizers.delete('orphan'), finalizers.delete('foregroundDeletion');
      next.metadata.finalizers = finalizers.size ? [...finalizers] : undefined;
      if (!next.metadata.finalizers) delete next.metadata.finalizers;
      if (isCRDResource(info) && !current.metadata.deletionTimestamp) beginCRDDeletion(next as unknown as CustomResourceDefinition, rfc3339(this.clock.now()));

      let grace = 0;
      if (info.kind === 'Pod') {
        grace = opts.gracePeriodSeconds ?? (next.spec?.terminationGracePeriodSeconds as number | undefined) ?? 30;
        // an unscheduled pod, or one that already finished, goes at once (pod strategy CheckGracefulDelete)
        if (!next.spec?.nodeName || next.status?.phase === 'Failed' || next.status?.phase === 'Succeeded') grace = 0;
        if (current.metadata.deletionTimestamp && current.metadata.deletionGracePeriodSeconds !== undefined) {
          grace = Math.min(grace, current.metadata.deletionGracePeriodSeconds);
        }
      }
      const namespaceFinalizing = info.kind === 'Namespace' && (next.spec?.finalizers ?? []).length > 0;
      const lingers = (next.metadata.finalizers ?? []).length > 0 || grace > 0 || namespaceFinalizing;
      if (!lingers) {
        if (isDryRun(opts)) return current;
        try {
          const { revision } = await this.store.delete(key, kv.modRevision);
          await this.services.release(info, current);
          current.metadata.resourceVersion = String(revision);
          return current;
        } catch (err) {
          if (err instanceof ConflictError && attempt < 20) continue;
          if (err instanceof KeyNotFoundError) throw notFound(gr(info), name);
          throw err;
        }
      }
      // graceful: mark for deletion, keep the object until finalizers/kubelet let it go
      const now = this.clock.now();
      if (!next.metadata.deletionTimestamp || (info.kind === 'Pod' && grace < (current.metadata.deletionGracePeriodSeconds ?? Infinity))) {
        next.metadata.deletionTimestamp = rfc3339(now + grace * 1000);
        next.metadata.deletionGracePeriodSeconds = grace;
      }
      if (namespaceFinalizing) {
        next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      }
      if (info.kind === 'Pod' && grace === 0 && !(next.metadata.finalizers ?? []).length) {
        // force delete with no finalizers: gone now
        if (isDryRun(opts)) return next;
        try {
          const { revision } = await this.store.delete(key, kv.modRevision);
          next.metadata.resourceVersion = String(revision);
          return next;
        } catch (err) {
          if (err instanceof ConflictError && attempt < 20) continue;
          throw err;
        }
      }
      if (deepEqual(next, current)) return current;
      if (isDryRun(opts)) return next;
      try {
        const rev = await this.store.update(key, this.encode(info, next), kv.modRevision);
        next.metadata.resourceVersion = String(rev);
        return next;
      } catch (err) {
        if (err instanceof ConflictError && attempt < 20) continue;
        if (err instanceof KeyNotFoundError) throw notFound(gr(info), name);
        throw err;
      }
    }
  }

  async deleteCollection(res: ResourceRef, namespace: string | undefined, opts: ListOptions & DeleteOptions = {}): Promise<KubeList> {
    const info = this.info(res);
    const list = await this.list(res, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push(await this.delete(res, item.metadata.namespace, item.metadata.name ?? '', opts));
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return { apiVersion: groupVersion(info), kind: info.listKind, metadata: { resourceVersion: list.metadata.resourceVersion }, items: deleted };
  }

  // ---- watch -----------------------------------------------------------------------------

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: ApiError | Error) => void,
  ): ClientWatch {
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    const timers: { cancel(): void }[] = [];
    const finish = (err?: ApiError | Error) => {
      if (stopped) return;
      stopped = true;
      unsubscribe?.();
      for (const t of timers) t.cancel();
      onClose?.(err);
    };
    this.watchRaw(res, namespace, opts, (type, obj) => {
      if (!stopped) onEvent({ type, object: obj as T });
    }, finish)
      .then((unsub) => {
        if (stopped) unsub();
        else unsubscribe = unsub;
        if (opts.timeoutSeconds && opts.timeoutSeconds > 0) timers.push(this.clock.setTimeout(() => finish(), opts.timeoutSeconds * 1000));
      })
      .catch((err) => finish(err));
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        unsubscribe?.();
        for (const t of timers) t.cancel();
      },
    };
  }

  /**
   * the watch engine shared by the in-process client and HTTP: calls emit for each event
   * (with the shared HubEvent when there is one, so HTTP can reuse its JSON).
   * Returns the unsubscribe function. Errors (410) are reported through onError.
   */
  async watchRaw(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    emit: (type: WatchEvent['type'], obj: KubeObject, shared?: HubEvent) => void,
    onError: (err: ApiError | Error) => void,
  ): Promise<() => void> {
    const info = this.info(res);
    const filter = compileFilter(info, opts.labelSelector, opts.fieldSelector);
    const nsPrefix = info.namespaced && namespace ? `${namespace}` : undefined;
    const inScope = (obj: KubeObject) => !nsPrefix || obj.metadata.namespace === nsPrefix;
    let rv = parseRV(opts.resourceVersion) ?? 0;
    const initial = !opts.resourceVersion || opts.resourceVersion === '0' || opts.sendInitialEvents;
    if (initial) {
      const list = await this.list(res, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.sendInitialEvents ? undefined : undefined });
      for (const item of list.items) emit('ADDED', this.withTypeMeta(info, item));
      rv = Number(list.metadata.resourceVersion);
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
        emit('BOOKMARK', {
          kind: info.kind,
          apiVersion: groupVersion(info),
          metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      const compacted = await this.store.compactedRevision();
      if (rv < compacted) throw tooOldResourceVersion(rv, compacted);
    }
    let lastSent = rv;
    // the stored JSON of a custom object names its storage version: re-encode for other versions
    const storedJsonServes = !info.custom || info.custom.storageVersion === info.version;
    const listener = (hubEvent: HubEvent) => {
      const ev = storedJsonServes ? hubEvent : undefined;
      const obj = hubEvent.object;
      if (!inScope(obj)) return;
      lastSent = hubEvent.revision;
      this.withTypeMeta(info, obj);
      if (hubEvent.type === 'DELETE') {
        if (filter(obj)) emit('DELETED', obj, ev);
        return;
      }
      const now = filter(obj);
      const before = hubEvent.hasPrev ? filter.matchesEverything || filter(hubEvent.prev!) : false;
      if (now && before) emit('MODIFIED', obj, ev);
      else if (now) emit('ADDED', obj, ev);
      else if (before) emit('DELETED', obj, ev);
    };
    let unsub: () => void;
    try {
      unsub = await this.hub(info).subscribe(rv, listener, (err) => onError(err instanceof CompactedError ? tooOldResourceVersion(err.requested, err.compacted) : err));
    } catch (err) {
      if (err instanceof CompactedError) throw tooOldResourceVersion(err.requested, err.compacted);
      throw err;
    }
    let bookmarkTimer: { cancel(): void } | undefined;
    if (opts.allowWatchBookmarks) {
      // upstream sends a bookmark about once a minute so watchers can resume cheaply
      bookmarkTimer = this.clock.setInterval(() => {
        emit('BOOKMARK', { kind: info.kind, apiVersion: groupVersion(info), metadata: { resourceVersion: String(lastSent) } });
      }, 60_000);
    }
    return () => {
      bookmarkTimer?.cancel();
      unsub();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hubs.values()) h.close();
    this.hubs.clear();
  }
}

export { ObjectFilter };
