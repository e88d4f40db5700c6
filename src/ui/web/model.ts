// What the view shows, computed from the API's objects: the state of a DaemonSet's pod on each
// node, a node's marks (NotReady, cordoned, taints), grouping and label filters. Pure functions,
// tested in model.test.ts.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string; kind: string; name: string; controller?: boolean }[];
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface NodeObject {
  metadata: ObjectMeta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    nodeInfo?: { kubeletVersion?: string };
  };
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; running?: unknown; terminated?: { reason?: string } };
}

export interface PodObject {
  metadata: ObjectMeta;
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface DaemonSetStatus {
  desiredNumberScheduled?: number;
  currentNumberScheduled?: number;
  numberReady?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  numberMisscheduled?: number;
  observedGeneration?: number;
}

export interface DaemonSetObject {
  metadata: ObjectMeta;
  spec?: {
    selector?: LabelSelector;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    template?: { spec?: { nodeSelector?: Record<string, string> } };
  };
  status?: DaemonSetStatus;
}

export interface ControllerRevisionObject {
  metadata: ObjectMeta;
  revision: number;
}

/** one node's verdict for one DaemonSet, from the explain API (src/explain/README.md) */
export interface Verdict {
  node: string;
  willRun: boolean;
  /** blocking reasons keep the pod off the node; the others are notes (old revision, cordoned) */
  reasons: { reason: string; message: string; blocking?: boolean }[];
}

/** the explain API's answer for a DaemonSet (what the view reads of it) */
export interface Explanation {
  summary: { reason: string; count: number; message: string; willRun?: boolean; note?: boolean }[];
  nodes: Verdict[];
}

/** the state a node's daemon pod is in, as the grid draws it */
export type CellState =
  | 'new-ready'
  | 'new-unready'
  | 'old'
  | 'pending'
  | 'terminating'
  | 'crashloop'
  | 'none-missing'
  | 'none-expected'
  | 'none-unknown';

export const STATE_ORDER: CellState[] = ['new-ready', 'new-unready', 'old', 'pending', 'terminating', 'crashloop', 'none-missing', 'none-expected', 'none-unknown'];

export const STATE_LABEL: Record<CellState, string> = {
  'new-ready': 'new revision, ready',
  'new-unready': 'new revision, not ready',
  old: 'old revision',
  pending: 'pending',
  terminating: 'terminating',
  crashloop: 'crash-looping',
  'none-missing': 'no pod, should run',
  'none-expected': 'no pod, rightly',
  'none-unknown': 'no pod, no verdict yet',
};

/** the pod labels a DaemonSet's controller stamps (pkg/apis/apps: ControllerRevisionHashLabelKey, DefaultDaemonSetUniqueLabelKey) */
export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** the DaemonSet's current revision hash: the label of its highest ControllerRevision */
export function currentRevisionHash(ds: DaemonSetObject, revisions: Iterable<ControllerRevisionObject>): string | undefined {
  let best: ControllerRevisionObject | undefined;
  for (const cr of revisions) {
    if (!cr.metadata.ownerReferences?.some((o) => o.uid === ds.metadata.uid && o.controller)) continue;
    if (!best || cr.revision > best.revision) best = cr;
  }
  return best?.metadata.labels?.[REVISION_HASH_LABEL];
}

/** upstream's daemon util IsPodUpdated: the revision hash matches, or the template generation does */
export function isPodUpdated(pod: PodObject, hash: string | undefined, ds: DaemonSetObject): boolean {
  const labels = pod.metadata.labels ?? {};
  const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
  const hashMatches = !!hash && labels[REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

export function isPodReady(pod: PodObject): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isCrashLooping(pod: PodObject): boolean {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return all.some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');
}

/** is this pod the DaemonSet's (its controller owner)? */
export function ownedBy(pod: PodObject, ds: DaemonSetObject): boolean {
  return pod.metadata.ownerReferences?.some((o) => o.controller && o.uid === ds.metadata.uid) ?? false;
}

/**
 * The state of a node for a DaemonSet, from its pods there (usually one; two during a surge or
 * while the old one terminates): the newest live pod speaks for the node; with none live, a
 * terminating one; with none at all, the explain verdict says whether that is right.
 */
export function cellState(pods: PodObject[], ds: DaemonSetObject, hash: string | undefined, verdict: Verdict | undefined): CellState {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  if (live.length) {
    const pod = live.reduce((a, b) => ((b.metadata.creationTimestamp ?? '') > (a.metadata.creationTimestamp ?? '') ? b : a));
    if (isCrashLooping(pod)) return 'crashloop';
    if (pod.status?.phase === 'Pending' || !pod.status?.phase) return 'pending';
    if (!isPodUpdated(pod, hash, ds)) return 'old';
    return isPodReady(pod) ? 'new-ready' : 'new-unready';
  }
  if (pods.length) return 'terminating';
  if (!verdict) return 'none-unknown';
  return verdict.willRun ? 'none-missing' : 'none-expected';
}

export interface NodeMarks {
  notReady: boolean;
  cordoned: boolean;
  taints: Taint[];
}

export function nodeMarks(node: NodeObject): NodeMarks {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    notReady: ready?.status !== 'True',
    cordoned: !!node.spec?.unschedulable,
    taints: node.spec?.taints ?? [],
  };
}

export function formatTaint(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** parse KEY[=VALUE]:EFFECT as kubectl taint takes it */
export function parseTaint(text: string): Taint {
  const m = /^([A-Za-z0-9][-A-Za-z0-9_./]*)(?:=([-A-Za-z0-9_.]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text.trim());
  if (!m) throw new Error(`invalid taint "${text}": expected KEY[=VALUE]:EFFECT with EFFECT NoSchedule, PreferNoSchedule or NoExecute`);
  return m[2] ? { key: m[1], value: m[2], effect: m[3] } : { key: m[1], effect: m[3] };
}

/** a selector as a labelSelector query string (for list and watch) */
export function selectorString(sel: LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of sel?.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${(r.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

type Requirement = { key: string; op: 'eq' | 'ne' | 'exists' | 'absent' | 'in' | 'notin'; values: string[] };

/** parse a label selector as kubectl's -l takes it (k=v, k!=v, k, !k, k in (a,b), k notin (a,b)) */
export function parseLabelFilter(text: string): Requirement[] {
  const out: Requirement[] = [];
  const src = text.trim();
  if (!src) return out;
  // split on commas outside parentheses
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of src) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  for (const raw of terms) {
    const t = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t))) out.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()) });
    else if ((m = /^([^=!\s]+)\s*!=\s*(\S*)$/.exec(t))) out.push({ key: m[1], op: 'ne', values: [m[2]] });
    else if ((m = /^([^=!\s]+)\s*==?\s*(\S*)$/.exec(t))) out.push({ key: m[1], op: 'eq', values: [m[2]] });
    else if ((m = /^!\s*(\S+)$/.exec(t))) out.push({ key: m[1], op: 'absent', values: [] });
    else if ((m = /^(\S+)$/.exec(t))) out.push({ key: m[1], op: 'exists', values: [] });
    else throw new Error(`cannot parse "${t}": use k=v, k!=v, k, !k, k in (a,b) or k notin (a,b)`);
  }
  return out;
}

export function matchesLabels(labels: Record<string, string> | undefined, reqs: Requirement[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'eq':
        return has && l[r.key] === r.values[0];
      case 'ne':
        return !has || l[r.key] !== r.values[0];
      case 'exists':
        return has;
      case 'absent':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
    }
  });
}

/** the "role" pseudo-label: kubeadm's node-role.kubernetes.io/<role> keys, as kubectl get nodes shows them */
export const ROLE_GROUP = '(role)';
export const NO_GROUP = '(none)';

export function groupValue(node: NodeObject, by: string): string {
  const labels = node.metadata.labels ?? {};
  if (by === NO_GROUP) return '';
  if (by === ROLE_GROUP) {
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith('node-role.kubernetes.io/'))
      .map((k) => k.slice('node-role.kubernetes.io/'.length))
      .sort();
    return roles.length ? roles.join(',') : 'worker';
  }
  return labels[by] ?? '(no label)';
}

/** label keys worth grouping by: present on the nodes, not unique per node */
export function groupingKeys(nodes: Iterable<NodeObject>): string[] {
  const keys = new Map<string, Set<string>>();
  let count = 0;
  for (const n of nodes) {
    count++;
    for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
      let s = keys.get(k);
      if (!s) keys.set(k, (s = new Set()));
      s.add(v);
    }
  }
  return [...keys.entries()]
    .filter(([k, vals]) => !k.startsWith('node-role.kubernetes.io/') && (count <= 1 || vals.size < count))
    .map(([k]) => k)
    .sort();
}

/** natural order for node names (worker2 before worker10) */
export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
