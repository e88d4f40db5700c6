// The scheduler's Filter plugins, as pure functions of (pod, node, cluster snapshot). Each
// returns null when the pod may go to the node, or a status with upstream's reason strings.
// The order in FILTERS is upstream's default plugin order; a node stops at its first failure.

import type { Node, Pod, PodAffinityTerm, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint, tolerated } from '../../api/taints.js';
import { labelSelectorMatches } from './labels.js';
import { requiredNodeAffinity } from '../../api/nodeaffinity.js';
import { NodeInfo, podHostPorts, podRequests, type HostPort } from './nodeinfo.js';

export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterStatus {
  plugin: string;
  code: StatusCode;
  reasons: string[];
  /** NodeResourcesFit: what was short, in base units (millicores, bytes, pods); for explain */
  insufficient?: InsufficientResource[];
  /** NodePorts: the requested host ports already in use on the node; for explain */
  portsInUse?: HostPort[];
}

export interface InsufficientResource {
  resource: 'pods' | 'cpu' | 'memory' | 'ephemeral-storage';
  requested: number;
  used: number;
  allocatable: number;
}

/** everything a filter may look at besides the pod and the node */
export interface Snapshot {
  nodes: NodeInfo[];
  /** labels of a namespace, for pod affinity namespaceSelector; undefined when unknown */
  namespaceLabels?: (ns: string) => Record<string, string> | undefined;
  /** position of a node in `nodes`, when the caller keeps an index (else found by a scan) */
  nodeIndex?: (name: string) => number | undefined;
  /** the pods in `nodes` with required anti-affinity, when the caller keeps them (else found by a scan) */
  antiAffinityPods?: { node: NodeInfo; pod: Pod }[];
}

export const REASON = {
  nodeName: "node(s) didn't match the requested node name",
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  podAffinity: "node(s) didn't match pod affinity rules",
  podAntiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
  insufficient: (r: string) => `Insufficient ${r}`,
} as const;

const fail = (plugin: string, code: StatusCode, ...reasons: string[]): FilterStatus => ({ plugin, code, reasons });

// ---- tolerations ----

export { toleratesTaint, tolerated };

// ---- filters ----

export function filterNodeName(pod: Pod, ni: NodeInfo): FilterStatus | null {
  const want = pod.spec?.nodeName;
  if (!want || want === ni.name) return null;
  return fail('NodeName', 'UnschedulableAndUnresolvable', REASON.nodeName);
}

export function filterNodeUnschedulable(pod: Pod, ni: NodeInfo): FilterStatus | null {
  if (!ni.node.spec?.unschedulable) return null;
  const taint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
  if (tolerated(pod.spec?.tolerations, taint)) return null;
  return fail('NodeUnschedulable', 'UnschedulableAndUnresolvable', REASON.unschedulable);
}

export function filterTaintToleration(pod: Pod, ni: NodeInfo): FilterStatus | null {
  for (const taint of ni.node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerated(pod.spec?.tolerations, taint)) return fail('TaintToleration', 'UnschedulableAndUnresolvable', REASON.taint(taint));
  }
  return null;
}

/** nodeSelector AND required node affinity (component-helpers RequiredNodeAffinity) */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  return requiredNodeAffinity(pod.spec).match(node);
}

export function filterNodeAffinity(pod: Pod, ni: NodeInfo): FilterStatus | null {
  if (podMatchesNodeSelectorAndAffinity(pod, ni.node)) return null;
  return fail('NodeAffinity', 'UnschedulableAndUnresolvable', REASON.nodeAffinity);
}

/**
 * NodeAffinity's PreFilter: when every required term pins metadata.name with In, only those
 * nodes are candidates (the DaemonSet case). undefined = all nodes.
 */
export function preFilterNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((m) => m.key === 'metadata.name' && m.operator === 'In');
    if (!f) return undefined;
    for (const v of f.values ?? []) names.add(v);
  }
  return names;
}

export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === '0.0.0.0' || b.ip === '0.0.0.0' || a.ip === b.ip;
}

export function filterNodePorts(pod: Pod, ni: NodeInfo): FilterStatus | null {
  const taken = podHostPorts(pod).filter((w) => ni.usedPorts.some((u) => portsConflict(w, u)));
  if (taken.length) return { ...fail('NodePorts', 'Unschedulable', REASON.nodePorts), portsInUse: taken };
  return null;
}

export function filterNodeResourcesFit(pod: Pod, ni: NodeInfo): FilterStatus | null {
  const reasons: string[] = [];
  const insufficient: InsufficientResource[] = [];
  let unresolvable = false;
  if (ni.pods.length + 1 > ni.allocatable.pods) {
    reasons.push(REASON.tooManyPods);
    insufficient.push({ resource: 'pods', requested: 1, used: ni.pods.length, allocatable: ni.allocatable.pods });
  }
  const req = podRequests(pod);
  const check = (name: InsufficientResource['resource'], want: number, alloc: number, used: number) => {
    if (want === 0) return;
    if (want > alloc - used) {
      reasons.push(REASON.insufficient(name));
      insufficient.push({ resource: name, requested: want, used, allocatable: alloc });
      // more than the whole node: no preemption can help
      if (want > alloc) unresolvable = true;
    }
  };
  check('cpu', req.milliCPU, ni.allocatable.milliCPU, ni.requested.milliCPU);
  check('memory', req.memory, ni.allocatable.memory, ni.requested.memory);
  check('ephemeral-storage', req.ephemeralStorage, ni.allocatable.ephemeralStorage, ni.requested.ephemeralStorage);
  if (reasons.length === 0) return null;
  return { ...fail('NodeResourcesFit', unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', ...reasons), insufficient };
}

// ---- inter-pod affinity ----

/** the namespaces a term applies to: its list, its selector, or the pod's own namespace */
function termMatchesPod(owner: Pod, term: PodAffinityTerm, candidate: Pod, snap: Snapshot): boolean {
  const ns = candidate.metadata?.namespace ?? '';
  const list = term.namespaces ?? [];
  let nsOk: boolean;
  if (list.length === 0 && !term.namespaceSelector) nsOk = ns === (owner.metadata?.namespace ?? '');
  else nsOk = list.includes(ns) || (!!term.namespaceSelector && labelSelectorMatches(term.namespaceSelector, snap.namespaceLabels?.(ns) ?? {}));
  if (!nsOk) return false;
  return labelSelectorMatches(term.labelSelector, candidate.metadata?.labels);
}

const requiredAffinity = (p: Pod) => p.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
const requiredAntiAffinity = (p: Pod) => p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];

function topologyValue(node: Node, key: string): string | undefined {
  const l = node.metadata?.labels ?? {};
  return Object.prototype.hasOwnProperty.call(l, key) ? l[key] : undefined;
}

/** existing pods with required anti-affinity, found once per snapshot (most pods have none) */
const antiAffinityPods = new WeakMap<Snapshot, { node: NodeInfo; pod: Pod }[]>();
function podsWithAntiAffinity(snap: Snapshot): { node: NodeInfo; pod: Pod }[] {
  if (snap.antiAffinityPods) return snap.antiAffinityPods;
  let list = antiAffinityPods.get(snap);
  if (!list) {
    list = [];
    for (const node of snap.nodes) for (const pod of node.pods) if (requiredAntiAffinity(pod).length > 0) list.push({ node, pod });
    antiAffinityPods.set(snap, list);
  }
  return list;
}

export function filterInterPodAffinity(pod: Pod, ni: NodeInfo, snap: Snapshot): FilterStatus | null {
  // 1. existing pods' required anti-affinity against this pod
  for (const { node: other, pod: existing } of podsWithAntiAffinity(snap)) {
    {
      for (const term of requiredAntiAffinity(existing)) {
        const v = topologyValue(other.node, term.topologyKey);
        if (v === undefined || topologyValue(ni.node, term.topologyKey) !== v) continue;
        if (termMatchesPod(existing, term, pod, snap)) return fail('InterPodAffinity', 'Unschedulable', REASON.existingAntiAffinity);
      }
    }
  }
  // 2. the pod's required affinity: every term needs a matching pod in the node's domain
  const aff = requiredAffinity(pod);
  if (aff.length > 0) {
    let anyMatchInCluster = false;
    let allSatisfied = true;
    for (const term of aff) {
      const v = topologyValue(ni.node, term.topologyKey);
      let found = false;
      for (const other of snap.nodes) {
        for (const existing of other.pods) {
          if (!termMatchesPod(pod, term, existing, snap)) continue;
          anyMatchInCluster = true;
          if (v !== undefined && topologyValue(other.node, term.topologyKey) === v) found = true;
        }
      }
      if (!found) allSatisfied = false;
    }
    if (!allSatisfied) {
      // the first pod of a group that selects itself may go anywhere with the topology labels
      const selfMatch = aff.every((t) => termMatchesPod(pod, t, pod, snap) && topologyValue(ni.node, t.topologyKey) !== undefined);
      if (anyMatchInCluster || !selfMatch) return fail('InterPodAffinity', 'UnschedulableAndUnresolvable', REASON.podAffinity);
    }
  }
  // 3. the pod's required anti-affinity
  for (const term of requiredAntiAffinity(pod)) {
    const v = topologyValue(ni.node, term.topologyKey);
    if (v === undefined) continue;
    for (const other of snap.nodes) {
      if (topologyValue(other.node, term.topologyKey) !== v) continue;
      if (other.pods.some((e) => termMatchesPod(pod, term, e, snap))) return fail('InterPodAffinity', 'Unschedulable', REASON.podAntiAffinity);
    }
  }
  return null;
}

export type Filter = (pod: Pod, ni: NodeInfo, snap: Snapshot) => FilterStatus | null;

export const FILTERS: Filter[] = [
  filterNodeUnschedulable,
  filterNodeName,
  filterTaintToleration,
  filterNodeAffinity,
  filterNodePorts,
  filterNodeResourcesFit,
  filterInterPodAffinity,
];

/** run the filters in order; the first failure decides */
export function runFilters(pod: Pod, ni: NodeInfo, snap: Snapshot): FilterStatus | null {
  for (const f of FILTERS) {
    const s = f(pod, ni, snap);
    if (s) return s;
  }
  return null;
}
