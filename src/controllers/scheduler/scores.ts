// The scheduler's Score plugins. Each gives every feasible node a score in 0..100 (after its
// normalization); the total is the weighted sum with upstream's default weights.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { nodeSelectorTermMatches } from '../../api/nodeaffinity.js';
import { NodeInfo, podRequests } from './nodeinfo.js';
import { tolerated } from './filters.js';

export const MAX_NODE_SCORE = 100;

/** sum of the weights of the preferred node-affinity terms the node matches */
export function nodeAffinityRawScore(pod: Pod, ni: NodeInfo): number {
  let s = 0;
  for (const p of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight !== 0 && nodeSelectorTermMatches(p.preference, ni.node)) s += p.weight;
  }
  return s;
}

/** number of PreferNoSchedule taints the pod does not tolerate */
export function taintTolerationRawScore(pod: Pod, ni: NodeInfo): number {
  // only tolerations with an empty or PreferNoSchedule effect count here
  const tols = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return (ni.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(tols, t)).length;
}

/** scale raw scores so the best is 100; reverse makes the lowest raw score best */
export function normalize(raw: number[], reverse: boolean): number[] {
  const maxRaw = Math.max(0, ...raw);
  if (maxRaw === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((r) => {
    const s = Math.floor((MAX_NODE_SCORE * r) / maxRaw);
    return reverse ? MAX_NODE_SCORE - s : s;
  });
}

/** LeastAllocated over cpu and memory (weight 1 each), with non-zero default requests */
export function leastAllocatedScore(pod: Pod, ni: NodeInfo): number {
  const want = podRequests(pod, true);
  const one = (requested: number, capacity: number) => {
    if (capacity === 0 || requested > capacity) return 0;
    return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
  };
  const cpu = one(ni.nonZeroRequested.milliCPU + want.milliCPU, ni.allocatable.milliCPU);
  const mem = one(ni.nonZeroRequested.memory + want.memory, ni.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/** BalancedAllocation: the closer the cpu and memory fractions, the better */
export function balancedAllocationScore(pod: Pod, ni: NodeInfo): number {
  const want = podRequests(pod);
  const frac = (requested: number, capacity: number) => (capacity === 0 ? 0 : Math.min(1, requested / capacity));
  const cpu = frac(ni.requested.milliCPU + want.milliCPU, ni.allocatable.milliCPU);
  const mem = frac(ni.requested.memory + want.memory, ni.allocatable.memory);
  const std = Math.abs(cpu - mem) / 2;
  return Math.floor((1 - std) * MAX_NODE_SCORE);
}

/** default profile weights */
export const WEIGHTS = { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, NodeResourcesBalancedAllocation: 1 } as const;

/** total weighted score for each node, in the order given */
export function scoreNodes(pod: Pod, nodes: NodeInfo[]): number[] {
  const affinity = normalize(nodes.map((n) => nodeAffinityRawScore(pod, n)), false);
  const taints = normalize(nodes.map((n) => taintTolerationRawScore(pod, n)), true);
  return nodes.map(
    (n, i) =>
      WEIGHTS.NodeAffinity * affinity[i] +
      WEIGHTS.TaintToleration * taints[i] +
      WEIGHTS.NodeResourcesFit * leastAllocatedScore(pod, n) +
      WEIGHTS.NodeResourcesBalancedAllocation * balancedAllocationScore(pod, n),
  );
}

/** the index of the best score; ties broken uniformly at random (reservoir sampling) */
export function selectHost(scores: number[], random: () => number = Math.random): number {
  let best = -1;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (best < 0 || scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return best;
}
