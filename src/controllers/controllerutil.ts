// What upstream's pkg/controller (controller_utils.go, controller_ref_manager.go) gives every
// workload controller: expectations, ControllerRef claims (adopt and release), slow-start
// batches, and the error helpers they share.

import type { Clock } from '../clock/clock.js';
import { ApiError } from '../api/errors.js';
import type { ApiClient, KubeObject, OwnerReference, ResourceRef } from '../client/types.js';
import { labelSelectorAsSelector, matchesSelector } from '../client/labels.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface ExpectationRecord {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, ExpectationRecord>();
  constructor(private readonly clock: Clock) {}

  get(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }

  /** no record, all observed, or expired */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  set(key: string, add: number, del: number): void {
    this.records.set(key, { add, del, timestamp: this.clock.now() });
  }

  lower(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.add -= add;
    r.del -= del;
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string, _podKey?: string): void {
    this.lower(key, 0, 1);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}

/**
 * UIDTrackingControllerExpectations: creations are counted, deletions tracked by pod key so a
 * deletion seen twice (update with deletionTimestamp, then delete) lowers the count once.
 */
export class UIDTrackingExpectations extends ControllerExpectations {
  private readonly uids = new Map<string, Set<string>>();

  expectCreations(key: string, n: number): void {
    this.set(key, n, 0);
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.uids.set(key, new Set(podKeys));
    this.set(key, 0, podKeys.length);
  }

  lowerExpectations(key: string, add: number, del: number): void {
    this.lower(key, add, del);
  }

  /** a deletion of podKey, counted once and only if it was expected */
  override deletionObserved(key: string, podKey?: string): void {
    const s = this.uids.get(key);
    if (podKey !== undefined && s?.has(podKey)) {
      s.delete(podKey);
      this.lower(key, 0, 1);
    }
  }

  override delete(key: string): void {
    super.delete(key);
    this.uids.delete(key);
  }
}

export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.code === 404;
}

export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
}

export function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** utilerrors.NewAggregate */
export class AggregateError extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.length === 1 ? errMsg(errors[0]) : `[${errors.map(errMsg).join(', ')}]`);
  }
}

export function controllerOf(o: KubeObject): OwnerReference | undefined {
  return (o.metadata.ownerReferences ?? []).find((r) => r.controller);
}


/**
 * slowStartBatch: call fn `count` times in batches of 1, 2, 4, ...; stop after the first
 * batch with an error. Returns how many succeeded and the first error.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length > 0) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}

export async function claimObjects<T extends KubeObject>(
  client: ApiClient,
  owner: KubeObject,
  ownerRef: OwnerReference,
  selector: LabelSelector | undefined,
  candidates: T[],
  res: ResourceRef,
  kind: string,
  canAdopt: () => Promise<void>,
): Promise<{ claimed: T[]; error?: Error }> {
  let sel: ReturnType<typeof labelSelectorAsSelector>;
  try {
    sel = labelSelectorAsSelector(selector);
  } catch (e) {
    return { claimed: [], error: e as Error };
  }
  const match = (o: T) => sel !== undefined && matchesSelector(sel, o.metadata.labels);
  const claimed: T[] = [];
  const errs: unknown[] = [];
  const deleting = !!owner.metadata.deletionTimestamp;
  for (const o of candidates) {
    const ref = controllerOf(o);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (match(o)) {
        claimed.push(o);
        continue;
      }
      if (deleting) continue;
      try {
        await client.patch(res, o.metadata.namespace, o.metadata.name!, 'strategic', {
          metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: o.metadata.uid },
        });
      } catch (e) {
        if (!isNotFound(e)) errs.push(e);
      }
      continue;
    }
    if (deleting || !match(o) || o.metadata.deletionTimestamp) continue;
    if (owner.metadata.namespace !== o.metadata.namespace) continue;
    try {
      try {
        await canAdopt();
      } catch (e) {
        throw new Error(`can't adopt ${kind} ${o.metadata.namespace}/${o.metadata.name} (${o.metadata.uid}): ${errMsg(e)}`);
      }
      const adopted = await client.patch<T>(res, o.metadata.namespace, o.metadata.name!, 'strategic', {
        metadata: { ownerReferences: [ownerRef], uid: o.metadata.uid },
      });
      claimed.push(adopted);
    } catch (e) {
      if (!isNotFound(e)) errs.push(e);
    }
  }
  return { claimed, error: errs.length ? new AggregateError(errs) : undefined };
}

/** RecheckDeletionTimestamp with an uncached GET, run at most once */
export function recheckDeletion(client: ApiClient, res: ResourceRef, owner: KubeObject, kind: string): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= (async () => {
      const fresh = await client.get(res, owner.metadata.namespace, owner.metadata.name!);
      if (fresh.metadata.uid !== owner.metadata.uid) {
        throw new Error(`original ${kind} ${owner.metadata.namespace}/${owner.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${owner.metadata.uid}`);
      }
      if (fresh.metadata.deletionTimestamp) {
        throw new Error(`${owner.metadata.namespace}/${owner.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
      }
    })();
    return result;
  };
}

/** the owner a controllerRef points at, if the cache has it with that uid (resolveControllerRef) */
export function resolveControllerRef<T extends KubeObject>(
  cache: { get(key: string): T | undefined },
  kind: string,
  namespace: string | undefined,
  ref: OwnerReference,
): T | undefined {
  if (ref.kind !== kind) return undefined;
  const owner = cache.get(namespace ? `${namespace}/${ref.name}` : ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/** the owners (e.g. every DaemonSet of a namespace) whose non-empty, valid selector matches the labels */
export function ownersSelecting<T extends KubeObject & { spec?: { selector?: LabelSelector } }>(
  owners: T[],
  labels: Record<string, string> | undefined,
): T[] {
  const out: T[] = [];
  for (const owner of owners) {
    let sel;
    try {
      sel = labelSelectorAsSelector(owner.spec?.selector);
    } catch {
      continue;
    }
    if (!sel || sel.length === 0) continue;
    if (matchesSelector(sel, labels)) out.push(owner);
  }
  return out;
}
