// Helpers from pkg/controller/controller_utils.go that the ReplicaSet and Deployment
// controllers share: UID-tracking expectations, ControllerRef claims (adopt/orphan),
// the active-pod filter, the pod deletion ranking (ActivePodsWithRanks) and slowStartBatch.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import type { ApiClient, KubeObject, OwnerReference, ResourceRef } from '../../client/types.js';
import { labelSelectorAsSelector, matchesSelector } from '../../client/labels.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { isPodReady } from '../daemonset/util.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

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
 * UIDTrackingControllerExpectations: creations are counted, deletions tracked by pod key so a
 * deletion seen twice (update with deletionTimestamp, then delete) lowers the count once.
 */
export class UIDTrackingExpectations {
  private readonly records = new Map<string, { add: number; del: number; timestamp: number }>();
  private readonly uids = new Map<string, Set<string>>();
  constructor(private readonly clock: Clock) {}

  get(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }

  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, del: 0, timestamp: this.clock.now() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.uids.set(key, new Set(podKeys));
    this.records.set(key, { add: 0, del: podKeys.length, timestamp: this.clock.now() });
  }

  lowerExpectations(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.add -= add;
    r.del -= del;
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string, podKey: string): void {
    const s = this.uids.get(key);
    if (s?.has(podKey)) {
      s.delete(podKey);
      this.lowerExpectations(key, 0, 1);
    }
  }

  delete(key: string): void {
    this.records.delete(key);
    this.uids.delete(key);
  }
}

/** controller.FilterActivePods: not Succeeded/Failed, not being deleted */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
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

function ms(t: string | undefined): number | undefined {
  return t ? Date.parse(t) : undefined;
}

function podReadyTime(p: Pod): number | undefined {
  if (!isPodReady(p)) return undefined;
  return ms((p.status?.conditions ?? []).find((c) => c.type === 'Ready')?.lastTransitionTime);
}

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  return Number(v);
}

/** maxContainerRestarts: [regular, sidecar] */
function maxRestarts(p: Pod): [number, number] {
  let regular = 0;
  let sidecar = 0;
  for (const c of p.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set((p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  for (const c of p.status?.initContainerStatuses ?? []) if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return [regular, sidecar];
}

/** int(math.Log2(nanoseconds since t)), -1 when not in the past */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * ActivePodsWithRanks.Less (LogarithmicScaleDown on, as upstream's default): true when pod i
 * should be deleted before pod j.
 */
export function podDeletesBefore(pi: Pod, pj: Pod, ri: number, rj: number, now: number): boolean {
  // 1. unassigned < assigned
  const ai = !!pi.spec?.nodeName;
  const aj = !!pj.spec?.nodeName;
  if (ai !== aj) return !ai;
  // 2. Pending < Unknown < Running
  const phi = PHASE_RANK[pi.status?.phase ?? ''] ?? 0;
  const phj = PHASE_RANK[pj.status?.phase ?? ''] ?? 0;
  if (phi !== phj) return phi < phj;
  // 3. not ready < ready
  const rdi = isPodReady(pi);
  const rdj = isPodReady(pj);
  if (rdi !== rdj) return !rdi;
  // 4. lower pod-deletion-cost < higher
  const ci = deletionCost(pi);
  const cj = deletionCost(pj);
  if (ci !== cj) return ci < cj;
  // 5. doubled up < not
  if (ri !== rj) return ri > rj;
  const uidLess = () => (pi.metadata?.uid ?? '') < (pj.metadata?.uid ?? '');
  // 6. ready for less time < more time (log scale)
  if (rdi && rdj) {
    const ti = podReadyTime(pi);
    const tj = podReadyTime(pj);
    if (ti !== tj) {
      if (ti === undefined || tj === undefined) return afterOrZero(ti, tj);
      const diff = logRank(ti, now) - logRank(tj, now);
      if (diff === 0) return uidLess();
      return diff < 0;
    }
  }
  // 7. more restarts < fewer
  const [mi, si] = maxRestarts(pi);
  const [mj, sj] = maxRestarts(pj);
  if (mi !== mj) return mi > mj;
  if (si !== sj) return si > sj;
  // 8. empty creation time < newer < older
  const ci2 = ms(pi.metadata?.creationTimestamp);
  const cj2 = ms(pj.metadata?.creationTimestamp);
  if (ci2 !== cj2) {
    if (ci2 === undefined || cj2 === undefined) return afterOrZero(ci2, cj2);
    const diff = logRank(ci2, now) - logRank(cj2, now);
    if (diff === 0) return uidLess();
    return diff < 0;
  }
  return false;
}

/** afterOrZero: zero time first, else the later one first */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/** sort pods so the first ones are deleted first (stable, as sort.Sort is not, but deterministic) */
export function rankPodsForDeletion<T extends Pod>(pods: T[], ranks: number[], now: number): T[] {
  const idx = pods.map((_, i) => i);
  idx.sort((a, b) => (podDeletesBefore(pods[a], pods[b], ranks[a], ranks[b], now) ? -1 : podDeletesBefore(pods[b], pods[a], ranks[b], ranks[a], now) ? 1 : a - b));
  return idx.map((i) => pods[i]);
}

/**
 * ClaimObjects (ControllerRefManager): keep owned matching objects, release owned
 * non-matching ones, adopt matching orphans (after canAdopt). Errors are aggregated.
 */
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
