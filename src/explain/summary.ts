// The summary of an explanation: nodes grouped by what decided for them, with counts and the
// ranges of their data ("4,812 will run; 150 taint dedicated=gpu:NoSchedule not tolerated;
// 38 insufficient memory: needs 512Mi, free 100–400Mi").

import type { NodeVerdict, Reason } from './placement.js';
import { formatCount, formatRange, type ResourceName } from './quantity.js';

export interface SummaryEntry {
  /** 'WillRun', or the reason code of the group (the first one when several stop the same nodes) */
  reason: string;
  /** every reason code of the group, when nodes are stopped by more than one */
  reasons?: string[];
  count: number;
  /** do the group's nodes run a daemon pod? */
  willRun: boolean;
  /** a note about nodes counted in another group (an old revision, a cordoned node, a misscheduled pod) */
  note?: boolean;
  message: string;
  /** up to 5 of the group's nodes */
  examples: string[];
}

interface Group {
  reasons: Reason[][];
  nodes: string[];
  willRun: boolean;
  note: boolean;
}

/** what makes two reasons the same group */
function groupKey(r: Reason): string {
  switch (r.reason) {
    case 'NodeSelectorMismatch':
      return `${r.reason}:${r.key}=${r.want}:${r.have === undefined ? 'missing' : 'differs'}`;
    case 'TaintNotTolerated':
    case 'NodeNotReady': {
      const t = r.taint as { key: string; value?: string; effect: string };
      return `${r.reason}:${t.key}=${t.value ?? ''}:${t.effect}`;
    }
    case 'HostPortTaken':
      return `${r.reason}:${r.port}/${r.protocol}/${r.hostIP}`;
    case 'SchedulerFilter':
      return `${r.reason}:${r.plugin}:${(r.reasons as string[]).join(',')}`;
    case 'NodeNameMismatch':
      return `${r.reason}:${r.want}`;
    case 'OldRevision':
      return `${r.reason}:${r.revision}:${r.strategy}`;
    default:
      return r.reason;
  }
}

const nums = (rs: Reason[], k: string) => rs.map((r) => r[k] as number);
const range = (res: ResourceName, xs: number[]) => formatRange(res, Math.min(...xs), Math.max(...xs));
const distinct = (xs: unknown[]) => [...new Set(xs.map(String))];

/** one reason's part of a group message, over all the group's nodes */
function groupText(rs: Reason[]): string {
  const r = rs[0];
  switch (r.reason) {
    case 'InsufficientCPU':
    case 'InsufficientMemory':
    case 'InsufficientEphemeralStorage': {
      const res = r.resource as ResourceName;
      return `insufficient ${res}: needs ${range(res, nums(rs, 'requested'))}, free ${range(res, nums(rs, 'free'))}`;
    }
    case 'InsufficientPods':
      return `too many pods (${range('pods', nums(rs, 'allocatable'))} allowed, all taken)`;
    case 'TaintNotTolerated': {
      const t = r.taint as { key: string; value?: string; effect: string };
      return `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect} not tolerated`;
    }
    case 'NodeNotReady': {
      const t = r.taint as { key: string; effect: string };
      return `node not ready (${t.key}:${t.effect}): no new pod until Ready`;
    }
    case 'NodeSelectorMismatch':
      return r.have === undefined ? `nodeSelector ${r.key}=${r.want}: label missing` : `nodeSelector ${r.key}=${r.want}: label is ${distinct(rs.map((x) => x.have)).slice(0, 3).join(', ')}`;
    case 'NodeAffinityMismatch':
      return 'required node affinity: no term matches';
    case 'NodeNameMismatch':
      return `not the template's spec.nodeName (${r.want})`;
    case 'HostPortTaken':
      return `host port ${r.port}/${r.protocol} taken`;
    case 'SchedulerFilter':
      return `scheduler ${r.plugin}: ${(r.reasons as string[]).join(', ')}`;
    case 'OldRevision':
      return r.strategy === 'OnDelete' ? `run old revision ${r.revision} (OnDelete: replaced when deleted)` : `run old revision ${r.revision}, waiting in the rollout`;
    case 'NodeUnschedulable':
      return 'cordoned, the daemon pod runs there anyway';
    case 'Misscheduled':
      return 'keep a misscheduled pod the controller would not create';
    default:
      return r.message;
  }
}

export function summarize(verdicts: NodeVerdict[]): SummaryEntry[] {
  const groups = new Map<string, Group>();
  const add = (key: string, node: string, reasons: Reason[], willRun: boolean, note: boolean) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { reasons: [], nodes: [], willRun, note }));
    g.nodes.push(node);
    g.reasons.push(reasons);
  };
  let running = 0;
  const runningNodes: string[] = [];
  for (const v of verdicts) {
    const blocking = v.reasons.filter((r) => r.blocking);
    if (v.willRun) {
      running++;
      if (runningNodes.length < 5) runningNodes.push(v.node);
    } else if (blocking.length) add(blocking.map(groupKey).join('+'), v.node, blocking, false, false);
    for (const n of v.reasons.filter((r) => !r.blocking)) add(`note:${groupKey(n)}`, v.node, [n], v.willRun, true);
  }
  const out: SummaryEntry[] = [];
  out.push({ reason: 'WillRun', count: running, willRun: true, message: `${formatCount(running)} will run`, examples: runningNodes });
  const sorted = [...groups.values()].sort((a, b) => Number(a.note) - Number(b.note) || b.nodes.length - a.nodes.length);
  for (const g of sorted) {
    const width = g.reasons[0].length;
    const parts: string[] = [];
    for (let i = 0; i < width; i++) parts.push(groupText(g.reasons.map((rs) => rs[i])));
    const codes = g.reasons[0].map((r) => r.reason);
    out.push({
      reason: codes[0],
      ...(codes.length > 1 ? { reasons: codes } : {}),
      count: g.nodes.length,
      willRun: g.willRun,
      ...(g.note ? { note: true } : {}),
      message: `${formatCount(g.nodes.length)} ${parts.join('; ')}`,
      examples: g.nodes.slice(0, 5),
    });
  }
  return out;
}

/** the summary as one line: "4,812 will run; 150 taint ... not tolerated; ..." (notes left out) */
export function summaryLine(summary: SummaryEntry[]): string {
  return summary
    .filter((s) => !s.note && (s.count > 0 || s.reason === 'WillRun'))
    .map((s) => s.message)
    .join('; ');
}
