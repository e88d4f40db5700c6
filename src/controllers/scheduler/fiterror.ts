// Why a pod fits nowhere, worded exactly as upstream's FitError.Error():
// "0/N nodes are available: <count reason, sorted>. preemption: 0/N nodes are available: ...".

import type { FilterStatus } from './filters.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** a histogram of reasons, "count reason", sorted as strings and joined with ", " */
export function reasonHistogram(statuses: Iterable<{ reasons: string[] }>): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  // Go's sort.Strings compares bytes; JS default sort compares UTF-16 units (same for ASCII)
  parts.sort();
  return parts.join(', ');
}

export interface Diagnosis {
  /** one status per node that failed a filter, by node name */
  nodeStatuses: Map<string, FilterStatus>;
  /** the status for nodes a PreFilter left out (e.g. DaemonSet pods pinned to another node) */
  absentStatus?: FilterStatus;
  /** the PostFilter (preemption) message, already prefixed with "preemption: " */
  postFilterMsg?: string;
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  const statuses: { reasons: string[] }[] = [...d.nodeStatuses.values()];
  const absent = numAllNodes - d.nodeStatuses.size;
  if (d.absentStatus && absent > 0) for (let i = 0; i < absent; i++) statuses.push(d.absentStatus);
  let msg = `0/${numAllNodes} nodes are available:`;
  const hist = reasonHistogram(statuses);
  if (hist) msg += ` ${hist}.`;
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** DefaultPreemption's message when it finds no candidate */
export function preemptionMessage(numAllNodes: number, statuses: Iterable<{ reasons: string[] }>): string {
  return `preemption: 0/${numAllNodes} nodes are available: ${reasonHistogram(statuses)}.`;
}

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_PREEMPTION_VICTIMS = 'No preemption victims found for incoming pod';
