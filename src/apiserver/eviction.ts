// POST pods/<name>/eviction honours PodDisruptionBudgets as upstream's EvictionREST
// (pkg/registry/core/pod/storage/eviction.go): a pod covered by a budget is deleted only when
// the budget allows one more disruption, which the eviction takes (disruptionsAllowed - 1 and
// the pod in status.disruptedPods, written with compare-and-swap); otherwise 429.

import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiError, conflict, forbidden, internalError } from '../api/errors.js';
import { labelSelectorMatcher } from '../api/selectors/index.js';
import type { ApiClient, KubeObject } from '../client/types.js';
import { rfc3339 } from './objects.js';

type PDB = PodDisruptionBudget & KubeObject;
type PodT = Pod & KubeObject;

const PDBS = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' };
/** MaxDisruptedPodSize */
const MAX_DISRUPTED_PODS = 2000;
const RETRIES = 10;

export const EVICTION_VIOLATION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', EVICTION_VIOLATION_MESSAGE, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** the budgets whose (non-empty) selector matches the pod: an empty selector matches nothing here */
async function budgetsFor(client: ApiClient, pod: PodT): Promise<PDB[]> {
  const list = await client.list<PDB>(PDBS, pod.metadata.namespace);
  return list.items.filter((pdb) => {
    const sel = pdb.spec?.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return false;
    return labelSelectorMatcher(sel)(pod.metadata.labels);
  });
}

/**
 * decide whether `pod` may be evicted; when a budget covers it, take one disruption from the
 * budget first. Throws 429 (budget exhausted or not yet observed), 403 or 500 as upstream.
 */
export async function admitEviction(client: ApiClient, pod: PodT, now: number, dryRun: boolean): Promise<void> {
  // a pod that already finished disrupts nothing
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
  const pdbs = await budgetsFor(client, pod);
  if (pdbs.length === 0) return;
  if (pdbs.length > 1) throw internalError('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  let pdb = pdbs[0];
  // an unready pod may go while the budget is met (IfHealthyBudget), or always (AlwaysAllow)
  if (!isReady(pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return;
    const s = pdb.status;
    if (s && (s.desiredHealthy ?? 0) > 0 && (s.currentHealthy ?? 0) >= (s.desiredHealthy ?? 0)) return;
  }
  for (let attempt = 0; ; attempt++) {
    const status = pdb.status ?? ({} as NonNullable<PDB['status']>);
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
      throw tooManyRequests(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
    }
    if ((status.disruptionsAllowed ?? 0) < 0) throw forbidden({ group: 'policy', resource: 'poddisruptionbudgets' }, pdb.metadata.name!, 'pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
      throw forbidden({ group: 'policy', resource: 'poddisruptionbudgets' }, pdb.metadata.name!, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if ((status.disruptionsAllowed ?? 0) === 0) {
      throw tooManyRequests(`The disruption budget ${pdb.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
    }
    if (dryRun) return;
    const next = structuredClone(status);
    next.disruptionsAllowed = (next.disruptionsAllowed ?? 0) - 1;
    if (next.disruptionsAllowed === 0) {
      const conds = (next.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
      const old = (next.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
      conds.push({
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'InsufficientPods',
        message: '',
        observedGeneration: pdb.metadata.generation,
        lastTransitionTime: old?.status === 'False' ? old.lastTransitionTime : rfc3339(now),
      });
      next.conditions = conds;
    }
    next.disruptedPods = { ...(next.disruptedPods ?? {}), [pod.metadata.name!]: rfc3339(now) };
    try {
      await client.update<PDB>(PDBS, pdb.metadata.namespace, { ...pdb, status: next }, {}, 'status');
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= RETRIES) {
        if (e instanceof ApiError && e.code === 409) throw conflict({ group: 'policy', resource: 'poddisruptionbudgets' }, pdb.metadata.name!, 'the object has been modified; please apply your changes to the latest version and try again');
        throw e;
      }
      pdb = await client.get<PDB>(PDBS, pdb.metadata.namespace, pdb.metadata.name!);
    }
  }
}
