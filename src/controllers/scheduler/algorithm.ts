// One scheduling attempt for one pod against a snapshot of the cluster: PreFilter (node
// names), Filter, Score, select; and DefaultPreemption when nothing fits.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { fitErrorMessage, NO_PREEMPTION_VICTIMS, preemptionMessage, PREEMPTION_NOT_HELPFUL, type Diagnosis } from './fiterror.js';
import { preFilterNodeNames, runFilters, type FilterStatus, type Snapshot } from './filters.js';
import { NodeInfo, podPriority } from './nodeinfo.js';
import { scoreNodes, selectHost } from './scores.js';

export interface ScheduleSnapshot extends Snapshot {
  /** pods nominated to a node by an earlier preemption, still waiting to be bound there */
  nominatedPods?: (nodeName: string) => Pod[];
}

export type ScheduleResult = { node: string } | { diagnosis: Diagnosis; numAllNodes: number };

/** the node with the pod's higher-or-equal-priority nominated pods added, as upstream filters */
function withNominated(pod: Pod, ni: NodeInfo, snap: ScheduleSnapshot): NodeInfo {
  const nominated = snap.nominatedPods?.(ni.name) ?? [];
  const extra = nominated.filter((p) => p.metadata?.uid !== pod.metadata?.uid && podPriority(p) >= podPriority(pod));
  if (extra.length === 0) return ni;
  const copy = ni.clone();
  for (const p of extra) copy.addPod(p);
  return copy;
}

/**
 * how many feasible nodes are enough (upstream's percentageOfNodesToScore, adaptive): all of
 * them below 100 nodes, else 50% minus 1% per 125 nodes, at least 5% and at least 100 nodes
 */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < 100) return numAllNodes;
  const pct = Math.max(5, 50 - Math.floor(numAllNodes / 125));
  return Math.max(100, Math.floor((numAllNodes * pct) / 100));
}

/**
 * startIndex rotates the first node examined between cycles (upstream's nextStartNodeIndex),
 * so sampling spreads pods over all nodes.
 */
export function schedulePod(pod: Pod, snap: ScheduleSnapshot, random: () => number = Math.random, startIndex = 0): ScheduleResult & { examined?: number } {
  const diagnosis: Diagnosis = { nodeStatuses: new Map() };
  const names = preFilterNodeNames(pod);
  let candidates = snap.nodes;
  if (names) {
    if (snap.nodeIndex) {
      // in snapshot order, without a pass over every node (the DaemonSet pod names one)
      const at: number[] = [];
      for (const name of names) {
        const i = snap.nodeIndex(name);
        if (i !== undefined && snap.nodes[i]?.name === name) at.push(i);
      }
      candidates = at.sort((a, b) => a - b).map((i) => snap.nodes[i]);
    } else candidates = snap.nodes.filter((n) => names.has(n.name));
    diagnosis.absentStatus = { plugin: 'NodeAffinity', code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't satisfy plugin(s) [NodeAffinity]"] };
  }
  const feasible: NodeInfo[] = [];
  const enough = numFeasibleNodesToFind(candidates.length);
  let examined = 0;
  for (let i = 0; i < candidates.length && feasible.length < enough; i++) {
    const ni = candidates[(startIndex + i) % candidates.length];
    examined++;
    const s = runFilters(pod, withNominated(pod, ni, snap), snap);
    if (s) diagnosis.nodeStatuses.set(ni.name, s);
    else feasible.push(ni);
  }
  if (feasible.length === 0) return { diagnosis, numAllNodes: snap.nodes.length };
  if (feasible.length === 1) return { node: feasible[0].name, examined };
  const scores = scoreNodes(pod, feasible);
  return { node: feasible[selectHost(scores, random)].name, examined };
}

export function fitError(result: { diagnosis: Diagnosis; numAllNodes: number }): string {
  return fitErrorMessage(result.numAllNodes, result.diagnosis);
}

// ---- DefaultPreemption ----

export interface PreemptionCandidate {
  node: string;
  victims: Pod[];
}

const startTime = (p: Pod) => Date.parse(p.status?.startTime ?? p.metadata?.creationTimestamp ?? '') || 0;

/** MoreImportantPod: higher priority first, then the one that started earlier */
function moreImportantFirst(a: Pod, b: Pod): number {
  return podPriority(b) - podPriority(a) || startTime(a) - startTime(b);
}

/** a snapshot where one node is replaced by a what-if copy */
function replaceNode(snap: ScheduleSnapshot, ni: NodeInfo): ScheduleSnapshot {
  // same positions, so nodeIndex still holds; the anti-affinity pods are found again
  return { ...snap, nodes: snap.nodes.map((n) => (n.name === ni.name ? ni : n)), antiAffinityPods: undefined };
}

/** SelectVictimsOnNode: the fewest lower-priority pods whose removal lets the pod fit */
export function selectVictimsOnNode(pod: Pod, ni: NodeInfo, snap: ScheduleSnapshot): { victims: Pod[] } | { status: FilterStatus } {
  const prio = podPriority(pod);
  const potential = ni.pods.filter((p) => podPriority(p) < prio);
  if (potential.length === 0) return { status: { plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: [NO_PREEMPTION_VICTIMS] } };
  const removed = new Set(potential);
  let what = ni.without(removed);
  const fits = (n: NodeInfo) => runFilters(pod, withNominated(pod, n, snap), replaceNode(snap, n));
  const s = fits(what);
  if (s) return { status: s };
  const victims: Pod[] = [];
  // give back as many pods as possible, most important first
  for (const p of [...potential].sort(moreImportantFirst)) {
    const trial = what.clone();
    trial.addPod(p);
    if (fits(trial)) victims.push(p);
    else what = trial;
  }
  return { victims };
}

/** pickOneNodeForPreemption's criteria, in upstream's order */
export function pickPreemptionNode(cands: PreemptionCandidate[]): PreemptionCandidate | undefined {
  if (cands.length === 0) return undefined;
  const highest = (c: PreemptionCandidate) => Math.max(...c.victims.map(podPriority), -Infinity);
  const shiftedSum = (c: PreemptionCandidate) => c.victims.reduce((s, p) => s + podPriority(p) + 2 ** 31, 0);
  const earliestTopStart = (c: PreemptionCandidate) => {
    const h = highest(c);
    return Math.min(...c.victims.filter((p) => podPriority(p) === h).map(startTime));
  };
  let pool = cands;
  const keepMin = (f: (c: PreemptionCandidate) => number) => {
    const m = Math.min(...pool.map(f));
    pool = pool.filter((c) => f(c) === m);
  };
  keepMin((c) => (c.victims.length === 0 ? -Infinity : highest(c)));
  if (pool.length > 1) keepMin(shiftedSum);
  if (pool.length > 1) keepMin((c) => c.victims.length);
  // the node whose most important victims started latest
  if (pool.length > 1) keepMin((c) => -earliestTopStart(c));
  return pool[0];
}

export type PreemptionResult = { candidate: PreemptionCandidate } | { message: string };

/** DefaultPreemption's PostFilter: where to preempt, or the message saying why not */
export function preempt(pod: Pod, snap: ScheduleSnapshot, failed: { diagnosis: Diagnosis; numAllNodes: number }, terminatingOnNominated = false): PreemptionResult {
  if (pod.spec?.preemptionPolicy === 'Never') return { message: 'not eligible due to preemptionPolicy=Never.' };
  if (terminatingOnNominated) return { message: 'not eligible due to a terminating pod on the nominated node.' };
  const statuses: FilterStatus[] = [];
  const cands: PreemptionCandidate[] = [];
  const notHelpful: FilterStatus = { plugin: 'DefaultPreemption', code: 'UnschedulableAndUnresolvable', reasons: [PREEMPTION_NOT_HELPFUL] };
  for (const ni of snap.nodes) {
    const st = failed.diagnosis.nodeStatuses.get(ni.name);
    if (!st || st.code === 'UnschedulableAndUnresolvable') {
      statuses.push(notHelpful);
      continue;
    }
    const r = selectVictimsOnNode(pod, ni, snap);
    if ('status' in r) statuses.push(r.status);
    else cands.push({ node: ni.name, victims: r.victims });
  }
  const best = pickPreemptionNode(cands);
  if (best) return { candidate: best };
  return { message: preemptionMessage(failed.numAllNodes, statuses) };
}
