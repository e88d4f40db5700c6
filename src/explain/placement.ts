// Why a daemon pod will or will not run on each node. Nothing here decides on its own: the
// verdicts come from the DaemonSet controller's NodeShouldRunDaemonPod (nodeName, nodeSelector
// and required node affinity, taints) and from the scheduler's Filter plugins run on the pod
// the controller would create (resources, host ports, pod affinity), against the same NodeInfo
// the scheduler builds. This file only turns their answers into reasons with data.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { nodeShouldRunDaemonPod, replaceDaemonSetPodNodeNameNodeAffinity, getTargetNodeName, type ShouldRunReason } from '../controllers/daemonset/predicates.js';
import { createPodTemplate, getTemplateGeneration, isPodReady, REVISION_HASH_LABEL, scaledValue } from '../controllers/daemonset/util.js';
import { matchRevision } from '../controllers/daemonset/revision.js';
import { runFilters, portsConflict, type FilterStatus, type InsufficientResource } from '../controllers/scheduler/filters.js';
import { NodeInfo, podHostPorts } from '../controllers/scheduler/nodeinfo.js';
import { formatAmount, type ResourceName } from './quantity.js';
import { summarize, type SummaryEntry } from './summary.js';

export type ReasonCode =
  | 'NodeNameMismatch'
  | 'NodeSelectorMismatch'
  | 'NodeAffinityMismatch'
  | 'TaintNotTolerated'
  | 'NodeNotReady'
  | 'InsufficientCPU'
  | 'InsufficientMemory'
  | 'InsufficientEphemeralStorage'
  | 'InsufficientPods'
  | 'HostPortTaken'
  | 'SchedulerFilter'
  | 'NodeUnschedulable'
  | 'Misscheduled'
  | 'OldRevision';

export interface Reason {
  reason: ReasonCode;
  message: string;
  /** does this reason stop a daemon pod from running on the node? (false: a note) */
  blocking: boolean;
  [data: string]: unknown;
}

export interface DaemonPodState {
  name: string;
  revision?: string;
  current: boolean;
  phase?: string;
  ready: boolean;
  bound: boolean;
  terminating: boolean;
}

export interface NodeVerdict {
  node: string;
  willRun: boolean;
  reasons: Reason[];
  /** this DaemonSet's pods on the node (an existing DaemonSet, or one of the same name) */
  pods?: DaemonPodState[];
}

export interface Explanation {
  apiVersion: 'kindling/v1alpha1';
  kind: 'DaemonSetExplanation';
  daemonSet: { namespace: string; name: string; stored: boolean; changed: boolean; currentRevision?: string; updateStrategy: string };
  totals: { nodes: number; willRun: number; wontRun: number };
  summary: SummaryEntry[];
  nodes: NodeVerdict[];
}

export interface ExplainInput {
  /** the DaemonSet to evaluate (as stored, or a defaulted one from a file) */
  ds: DaemonSet;
  /** the stored DaemonSet of the same namespace/name, if any: its pods are the ones on the nodes */
  stored?: DaemonSet;
  /** the stored DaemonSet's ControllerRevisions (to name the current revision) */
  revisions?: { metadata?: { labels?: Record<string, string>; ownerReferences?: { uid?: string; controller?: boolean }[] }; data?: unknown }[];
  nodes: Node[];
  /** every pod of the cluster (assigned pods count against their nodes, as in the scheduler) */
  pods: Pod[];
  /** only this node in `nodes` of the answer (the summary covers it alone) */
  node?: string;
}

const NOT_READY_TAINTS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
const RESOURCE_REASON: Record<InsufficientResource['resource'], ReasonCode> = {
  cpu: 'InsufficientCPU',
  memory: 'InsufficientMemory',
  'ephemeral-storage': 'InsufficientEphemeralStorage',
  pods: 'InsufficientPods',
};

export const taintString = (t: Taint) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function controlledBy(p: Pod, uid: string | undefined): boolean {
  return !!uid && (p.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid);
}

function readyCondition(node: Node): string {
  const c = (node.status?.conditions ?? []).find((x) => x.type === 'Ready');
  return c ? `Ready=${c.status}${c.reason ? ` (${c.reason})` : ''}` : 'no Ready condition';
}

/** the controller's verdict as a reason */
function shouldRunReason(why: ShouldRunReason, node: Node, continueRunning: boolean): Reason {
  switch (why.reason) {
    case 'NodeNameMismatch':
      return { reason: why.reason, blocking: true, want: why.want, message: `the template's spec.nodeName is ${why.want}` };
    case 'NodeSelectorMismatch':
      return {
        reason: why.reason,
        blocking: true,
        key: why.key,
        want: why.want,
        ...(why.have !== undefined ? { have: why.have } : {}),
        message: why.have === undefined ? `nodeSelector ${why.key}=${why.want}: the node has no label ${why.key}` : `nodeSelector ${why.key}=${why.want}: the node's label is ${why.key}=${why.have}`,
      };
    case 'NodeAffinityMismatch':
      return {
        reason: why.reason,
        blocking: true,
        terms: why.terms,
        ...(why.errors ? { errors: why.errors } : {}),
        message: `required node affinity: none of its ${why.terms} term(s) matches the node's labels${why.errors ? ` (${why.errors.length} requirement(s) do not parse: ${why.errors[0]})` : ''}`,
      };
    case 'TaintNotTolerated': {
      const t = why.taint;
      const then = t.effect === 'NoExecute' ? 'the controller deletes any daemon pod there and creates none' : 'the controller creates no pod there; one already there stays (misscheduled)';
      if (NOT_READY_TAINTS.has(t.key)) {
        return {
          reason: 'NodeNotReady',
          blocking: true,
          taint: { key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect },
          condition: readyCondition(node),
          continueRunning,
          message: `node not ready (${readyCondition(node)}, taint ${taintString(t)}): daemon pods tolerate its NoExecute taint but not this one, so ${then} until the node is Ready`,
        };
      }
      return {
        reason: 'TaintNotTolerated',
        blocking: true,
        taint: { key: t.key, ...(t.value ? { value: t.value } : {}), effect: t.effect },
        continueRunning,
        message: `taint ${taintString(t)} not tolerated: ${then}`,
      };
    }
  }
}

const PENDING = 'the controller still creates the pod and the scheduler leaves it Pending';

/** the scheduler's verdict as reasons, with the data the filter found */
function filterReasons(s: FilterStatus, ni: NodeInfo): Reason[] {
  if (s.insufficient?.length) {
    return s.insufficient.map((r) => {
      const free = r.allocatable - r.used;
      const res = r.resource as ResourceName;
      const what = r.resource === 'pods' ? `too many pods: ${r.used} of ${r.allocatable} allowed already run` : `insufficient ${r.resource}: needs ${formatAmount(res, r.requested)}, free ${formatAmount(res, free)} of ${formatAmount(res, r.allocatable)} allocatable`;
      return { reason: RESOURCE_REASON[r.resource], blocking: true, resource: r.resource, requested: r.requested, free, allocatable: r.allocatable, message: `${what}; ${PENDING}` };
    });
  }
  if (s.portsInUse?.length) {
    return s.portsInUse.map((port) => {
      const holders = ni.pods.filter((p) => podHostPorts(p).some((u) => portsConflict(port, u))).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      const where = port.ip === '0.0.0.0' ? '' : ` on ${port.ip}`;
      return {
        reason: 'HostPortTaken',
        blocking: true,
        port: port.port,
        protocol: port.protocol,
        hostIP: port.ip,
        pods: holders,
        message: `host port ${port.port}/${port.protocol}${where} taken by ${holders.length ? `pod ${holders.join(', pod ')}` : 'another pod'}; ${PENDING}`,
      };
    });
  }
  return [{ reason: 'SchedulerFilter', blocking: true, plugin: s.plugin, reasons: s.reasons, message: `scheduler ${s.plugin}: ${s.reasons.join(', ')}; ${PENDING}` }];
}

/** the hash of the stored DaemonSet's revision that holds `ds`'s template, if there is one */
function currentRevision(input: ExplainInput): string | undefined {
  const uid = input.stored?.metadata?.uid;
  for (const cr of input.revisions ?? []) {
    if (!(cr.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === uid)) continue;
    if (matchRevision(input.ds, cr)) return cr.metadata?.labels?.[REVISION_HASH_LABEL];
  }
  return undefined;
}

function strategyText(ds: DaemonSet, desired: number): string {
  const s = ds.spec?.updateStrategy;
  if (s?.type === 'OnDelete') return 'OnDelete';
  const ru = s?.rollingUpdate;
  try {
    return `RollingUpdate (maxUnavailable ${scaledValue(ru?.maxUnavailable ?? 1, desired)}, maxSurge ${scaledValue(ru?.maxSurge ?? 0, desired)})`;
  } catch {
    return 'RollingUpdate';
  }
}

export function explainDaemonSet(input: ExplainInput): Explanation {
  const { ds } = input;
  const ns = ds.metadata?.namespace ?? 'default';
  const hash = currentRevision(input);
  const storedUid = input.stored?.metadata?.uid;
  const changed = !!input.stored && hash === undefined;

  // the pods the scheduler counts per node, without this DaemonSet's own (they are the subject)
  const others = new Map<string, Pod[]>();
  const own = new Map<string, Pod[]>();
  for (const p of input.pods) {
    if (controlledBy(p, storedUid)) {
      const target = getTargetNodeName(p);
      if (target === undefined) continue;
      let l = own.get(target);
      if (!l) own.set(target, (l = []));
      l.push(p);
      continue;
    }
    const n = p.spec?.nodeName;
    if (!n || isTerminal(p)) continue;
    let l = others.get(n);
    if (!l) others.set(n, (l = []));
    l.push(p);
  }
  const infos = input.nodes.map((n) => new NodeInfo(n, others.get(n.metadata?.name ?? '') ?? []));
  const index = new Map(infos.map((ni, i) => [ni.name, i]));
  const snapshot = { nodes: infos, nodeIndex: (name: string) => index.get(name) };

  // the pod the controller would create, pinned to each node in turn
  const tpl = createPodTemplate(ds.spec?.template, getTemplateGeneration(ds), hash ?? '');
  const base: Pod = { metadata: { ...tpl.metadata, namespace: ns }, spec: tpl.spec };
  const strategy = ds.spec?.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate';

  const verdicts: NodeVerdict[] = [];
  let desired = 0;
  for (const ni of infos) {
    const node = ni.node;
    const name = ni.name;
    if (input.node !== undefined && name !== input.node) continue;
    const reasons: Reason[] = [];
    const sr = nodeShouldRunDaemonPod(node, ds);
    const mine = (own.get(name) ?? []).filter((p) => !(isTerminal(p) && p.metadata?.deletionTimestamp));
    const pods: DaemonPodState[] = mine.map((p) => ({
      name: p.metadata?.name ?? '',
      revision: p.metadata?.labels?.[REVISION_HASH_LABEL],
      current: hash !== undefined && p.metadata?.labels?.[REVISION_HASH_LABEL] === hash,
      phase: p.status?.phase,
      ready: isPodReady(p),
      bound: !!p.spec?.nodeName,
      terminating: !!p.metadata?.deletionTimestamp,
    }));
    const live = pods.filter((p) => !p.terminating && p.phase !== 'Failed' && p.phase !== 'Succeeded');
    let willRun = false;
    if (!sr.shouldRun) {
      reasons.push(shouldRunReason(sr.why!, node, sr.shouldContinueRunning));
      if (sr.shouldContinueRunning && live.some((p) => p.bound)) {
        const names = live.filter((p) => p.bound).map((p) => p.name);
        reasons.push({ reason: 'Misscheduled', blocking: false, pods: names, message: `pod ${names.join(', ')} stays (counted misscheduled): the controller keeps it but would not create one here` });
      }
    } else {
      desired++;
      if (node.spec?.unschedulable) {
        reasons.push({
          reason: 'NodeUnschedulable',
          blocking: false,
          message: 'node is cordoned (spec.unschedulable): daemon pods tolerate node.kubernetes.io/unschedulable, so the controller still creates the pod and the scheduler binds it',
        });
      }
      const boundCurrent = live.some((p) => p.bound && p.current);
      const pod: Pod = { metadata: base.metadata, spec: { ...base.spec!, affinity: replaceDaemonSetPodNodeNameNodeAffinity(base.spec?.affinity, name) } };
      const fit = runFilters(pod, ni, snapshot);
      if (fit && !boundCurrent) reasons.push(...filterReasons(fit, ni));
      else willRun = true;
      const old = live.filter((p) => p.bound && !p.current);
      if (willRun && !boundCurrent && old.length) {
        const names = old.map((p) => p.name);
        const revs = [...new Set(old.map((p) => p.revision ?? '?'))];
        reasons.push({
          reason: 'OldRevision',
          blocking: false,
          pods: names,
          revision: revs.join(','),
          ...(hash ? { currentRevision: hash } : {}),
          strategy,
          message:
            strategy === 'OnDelete'
              ? `runs an old revision (${revs.join(', ')}, pod ${names.join(', ')}): OnDelete, so it is replaced only when you delete the pod`
              : `runs an old revision (${revs.join(', ')}, pod ${names.join(', ')}): waiting in the rollout, replaced in turn`,
        });
      }
    }
    verdicts.push({ node: name, willRun, reasons, ...(pods.length ? { pods } : {}) });
  }
  const willRun = verdicts.filter((v) => v.willRun).length;
  return {
    apiVersion: 'kindling/v1alpha1',
    kind: 'DaemonSetExplanation',
    daemonSet: {
      namespace: ns,
      name: ds.metadata?.name ?? '',
      stored: !!input.stored,
      changed,
      ...(hash ? { currentRevision: hash } : {}),
      updateStrategy: strategyText(ds, desired),
    },
    totals: { nodes: verdicts.length, willRun, wontRun: verdicts.length - willRun },
    summary: summarize(verdicts),
    nodes: verdicts,
  };
}
