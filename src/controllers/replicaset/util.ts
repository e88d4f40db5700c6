// What the ReplicaSet and Deployment controllers share beyond src/controllers/controllerutil.ts
// (re-exported here): the active-pod filter and the pod deletion ranking (ActivePodsWithRanks).

import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodReady } from '../daemonset/util.js';
import { errMsg, isNotFound, isAlreadyExists, isNamespaceTerminating, AggregateError, controllerOf, ControllerExpectations, UIDTrackingExpectations, EXPECTATIONS_TIMEOUT_MS, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch, claimObjects, recheckDeletion } from '../controllerutil.js';

export { errMsg, isNotFound, isAlreadyExists, isNamespaceTerminating, AggregateError, controllerOf, ControllerExpectations, UIDTrackingExpectations, EXPECTATIONS_TIMEOUT_MS, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch, claimObjects, recheckDeletion };

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** controller.FilterActivePods: not Succeeded/Failed, not being deleted */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
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
