// Where a daemon pod may run: upstream's NodeShouldRunDaemonPod and the helpers it relies on
// (toleration matching, required node affinity, the tolerations every daemon pod gets, the
// per-node affinity term). Pure functions over kubernetes-types objects.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type {
  Affinity,
  Node,
  NodeSelectorTerm,
  Pod,
  PodSpec,
  Taint,
  Toleration,
} from 'kubernetes-types/core/v1.js';
import { findUntoleratedTaint, toleratesTaint } from '../../api/taints.js';
import { requiredNodeAffinity, type NodeAffinityMismatch } from '../../api/nodeaffinity.js';

export { toleratesTaint };

export { findUntoleratedTaint };

/** v1 Toleration.MatchToleration: same key, operator, value and effect */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** add the toleration, replacing a matching one (the same key/operator/value/effect) in place */
export function addOrUpdateToleration(spec: PodSpec, tol: Toleration): void {
  const out: Toleration[] = [];
  let updated = false;
  for (const t of spec.tolerations ?? []) {
    if (sameToleration(tol, t)) {
      if (deepEqual(tol, t)) return;
      out.push({ ...tol });
      updated = true;
      continue;
    }
    out.push(t);
  }
  if (!updated) out.push({ ...tol });
  spec.tolerations = out;
}

/** util.AddOrUpdateDaemonPodTolerations: what every daemon pod tolerates, forever */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  const add = (key: string, effect: 'NoExecute' | 'NoSchedule') => addOrUpdateToleration(spec, { key, operator: 'Exists', effect });
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
}

/** the pod's nodeSelector AND its required node affinity (nodeaffinity.GetRequiredNodeAffinity().Match) */
export function podMatchesNodeAffinity(spec: PodSpec, node: Node): boolean {
  return requiredNodeAffinity(spec).match(node);
}

/** the hypothetical pod used to decide: template + namespace + nodeName + daemon tolerations */
export function newDaemonPod(ds: DaemonSet, nodeName: string): Pod {
  const tpl = structuredClone(ds.spec?.template ?? {});
  const spec = (tpl.spec ?? { containers: [] }) as PodSpec;
  spec.nodeName = nodeName;
  addOrUpdateDaemonPodTolerations(spec);
  return { metadata: { ...(tpl.metadata ?? {}), namespace: ds.metadata?.namespace }, spec };
}

/** the template's tolerations with the daemon ones added, as newDaemonPod's pod has them */
function daemonPodTolerations(tplSpec: PodSpec): Toleration[] | undefined {
  const spec: PodSpec = { containers: [], tolerations: tplSpec.tolerations, hostNetwork: tplSpec.hostNetwork };
  addOrUpdateDaemonPodTolerations(spec);
  return spec.tolerations;
}

/** why NodeShouldRunDaemonPod said no (or only "continue running") for a node */
export type ShouldRunReason =
  | { reason: 'NodeNameMismatch'; want: string }
  | NodeAffinityMismatch
  | { reason: 'TaintNotTolerated'; taint: Taint };

export interface ShouldRun {
  /** a daemon pod should be created on the node */
  shouldRun: boolean;
  /** an existing daemon pod may stay */
  shouldContinueRunning: boolean;
  /** what decided when shouldRun is false: the first check that failed (explain shows it) */
  why?: ShouldRunReason;
}

/** upstream NodeShouldRunDaemonPod */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const nodeName = node.metadata?.name ?? '';
  const tplNodeName = ds.spec?.template?.spec?.nodeName ?? '';
  if (tplNodeName !== '' && tplNodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false, why: { reason: 'NodeNameMismatch', want: tplNodeName } };
  // what newDaemonPod would decide on, without copying the whole template for every node:
  // the template's nodeSelector and affinity as they are, its tolerations plus the daemon ones
  const tplSpec = (ds.spec?.template?.spec ?? { containers: [] }) as PodSpec;
  const mismatch = requiredNodeAffinity(tplSpec).mismatch(node);
  if (mismatch) return { shouldRun: false, shouldContinueRunning: false, why: mismatch };
  const taints = node.spec?.taints;
  if (!taints || taints.length === 0) return { shouldRun: true, shouldContinueRunning: true };
  const tols = daemonPodTolerations(tplSpec);
  const untolerated = findUntoleratedTaint(taints, tols, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule');
  if (untolerated) {
    const noExecute = findUntoleratedTaint(taints, tols, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute, why: { reason: 'TaintNotTolerated', taint: noExecute ?? untolerated } };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: required node affinity = exactly `metadata.name In [node]` */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term: NodeSelectorTerm = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const a: Affinity = affinity ? { ...affinity } : {};
  const na = a.nodeAffinity ? { ...a.nodeAffinity } : {};
  na.requiredDuringSchedulingIgnoredDuringExecution = { ...(na.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms: [term] };
  a.nodeAffinity = na;
  return a;
}

/** util.GetTargetNodeName: spec.nodeName, or the single `metadata.name In [x]` of an unscheduled pod */
export function getTargetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length < 1) return undefined;
  for (const t of terms) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In') {
        if ((f.values ?? []).length !== 1) return undefined;
        return f.values![0];
      }
    }
  }
  return undefined;
}
