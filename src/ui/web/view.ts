// The page's state: caches filled by list+watch (nodes, DaemonSets, ControllerRevisions, the chosen
// DaemonSet's pods, the chosen node's pods), each DaemonSet's status history for the rollout chart,
// and the explain verdicts. Watch events only mark the state changed; subscribers run once per
// animation frame, so a 5,000-node rollout's event burst costs one redraw per frame.

import { reflect, getJson, ApiError, type KubeItem } from './api.js';
import {
  selectorString,
  ownedBy,
  type ControllerRevisionObject,
  type DaemonSetObject,
  type DaemonSetStatus,
  type Explanation,
  type NodeObject,
  type PodObject,
  type Verdict,
} from './model.js';

export interface Sample {
  /** seconds since the page opened */
  t: number;
  desired: number;
  updated: number;
  available: number;
  unavailable: number;
}

export type VerdictState =
  | { kind: 'none' }
  | { kind: 'loading' }
  | { kind: 'ok'; byNode: Map<string, Verdict>; summary: Explanation['summary'] }
  | { kind: 'unavailable'; message: string };

/** keep only what the view reads of a pod (a 5,000-pod DaemonSet is ~20 MB of JSON) */
function slimPod(p: PodObject): PodObject {
  const m = p.metadata;
  return {
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp,
      labels: m.labels,
      ownerReferences: m.ownerReferences,
    },
    spec: { nodeName: p.spec?.nodeName },
    status: {
      phase: p.status?.phase,
      conditions: p.status?.conditions?.filter((c) => c.type === 'Ready'),
      containerStatuses: p.status?.containerStatuses?.map((c) => ({ name: c.name, ready: c.ready, restartCount: c.restartCount, state: { waiting: c.state?.waiting } })),
      initContainerStatuses: p.status?.initContainerStatuses?.map((c) => ({ name: c.name, ready: c.ready, restartCount: c.restartCount, state: { waiting: c.state?.waiting } })),
    },
  };
}

const key = (o: KubeItem) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

class Cache<T extends KubeItem> {
  readonly items = new Map<string, T>();
  synced = false;
  live = false;
  /** bumped when the set of keys changes (not on updates): sorting and grouping follow it */
  membership = 0;
  constructor(private readonly changed: () => void, private readonly slim: (x: T) => T = (x) => x, private readonly onEvent?: (x: T, deleted: boolean) => void) {}
  handlers() {
    return {
      replace: (items: T[]) => {
        this.items.clear();
        this.membership++;
        for (const i of items) this.items.set(key(i), this.slim(i));
        for (const i of items) this.onEvent?.(i, false);
        this.synced = true;
        this.changed();
      },
      added: (i: T) => this.put(i),
      modified: (i: T) => this.put(i),
      deleted: (i: T) => {
        if (this.items.delete(key(i))) this.membership++;
        this.onEvent?.(i, true);
        this.changed();
      },
      live: (up: boolean) => {
        this.live = up;
        this.changed();
      },
    };
  }
  private put(i: T) {
    if (!this.items.has(key(i))) this.membership++;
    this.items.set(key(i), this.slim(i));
    this.onEvent?.(i, false);
    this.changed();
  }
}

export class View {
  readonly nodes: Cache<NodeObject & KubeItem>;
  readonly daemonsets: Cache<DaemonSetObject & KubeItem>;
  readonly revisions: Cache<ControllerRevisionObject & KubeItem>;
  /** pods of the chosen DaemonSet (a watch on its selector) */
  readonly pods: Cache<PodObject & KubeItem>;
  /** pods on the chosen node (a watch on spec.nodeName) */
  readonly nodePods: Cache<PodObject & KubeItem>;
  /** status samples per DaemonSet uid, since the page opened */
  readonly history = new Map<string, Sample[]>();
  verdicts: VerdictState = { kind: 'none' };
  /** per DaemonSet key: the chosen node's verdict */
  nodeVerdicts = new Map<string, Verdict | string>();

  chosenDs: string | undefined;
  /** the user picked a DaemonSet (else the view follows the newest one outside kube-system) */
  pinned = false;
  chosenNode: string | undefined;
  /** bumped on every change; subscribers compare */
  version = 0;
  firstPaint: number | undefined;

  private readonly started = performance.now();
  private listeners = new Set<() => void>();
  private frame = 0;
  private podAbort: AbortController | undefined;
  private nodePodAbort: AbortController | undefined;
  private explainTimer: ReturnType<typeof setTimeout> | undefined;
  private explainInFlight = false;
  private explainAgain = false;
  private nodeSigs = new Map<string, string>();

  constructor(private readonly signal: AbortSignal) {
    const changed = () => this.changed();
    this.nodes = new Cache(changed, (n) => n, (n, deleted) => this.nodeEvent(n, deleted));
    this.daemonsets = new Cache(changed, (d) => d, (d, deleted) => this.dsEvent(d, deleted));
    this.revisions = new Cache(changed);
    this.pods = new Cache(changed, slimPod);
    this.nodePods = new Cache(changed, slimPod);
  }

  start(): void {
    void reflect('/api/v1/nodes', this.nodes.handlers(), this.signal);
    void reflect('/apis/apps/v1/daemonsets', this.daemonsets.handlers(), this.signal);
    void reflect('/apis/apps/v1/controllerrevisions', this.revisions.handlers(), this.signal);
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(): void {
    this.version++;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      for (const fn of this.listeners) fn();
    });
  }

  get live(): boolean {
    return this.nodes.live && this.daemonsets.live && this.revisions.live && (!this.chosenDs || this.pods.live);
  }

  ds(): (DaemonSetObject & KubeItem) | undefined {
    return this.chosenDs ? this.daemonsets.items.get(this.chosenDs) : undefined;
  }

  choose(dsKey: string | undefined, pinned: boolean): void {
    if (pinned) this.pinned = true;
    if (dsKey === this.chosenDs) return;
    this.chosenDs = dsKey;
    this.podAbort?.abort();
    this.pods.items.clear();
    this.pods.synced = false;
    this.pods.live = false;
    this.verdicts = { kind: 'none' };
    const ds = this.ds();
    if (ds) {
      this.podAbort = new AbortController();
      const signal = AbortSignal.any([this.signal, this.podAbort.signal]);
      const sel = selectorString(ds.spec?.selector);
      void reflect(`/api/v1/namespaces/${encodeURIComponent(ds.metadata.namespace!)}/pods${sel ? `?labelSelector=${encodeURIComponent(sel)}` : ''}`, this.pods.handlers(), signal);
      this.scheduleExplain(0);
    }
    this.changed();
  }

  chooseNode(name: string | undefined): void {
    if (name === this.chosenNode) return;
    this.chosenNode = name;
    this.nodePodAbort?.abort();
    this.nodePods.items.clear();
    this.nodeVerdicts = new Map();
    if (name) {
      this.nodePodAbort = new AbortController();
      const signal = AbortSignal.any([this.signal, this.nodePodAbort.signal]);
      void reflect(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${name}`)}`, this.nodePods.handlers(), signal);
      void this.explainNode(name, signal);
    }
    this.changed();
  }

  /** pods of the chosen DaemonSet by node name */
  podsByNode(): Map<string, PodObject[]> {
    const ds = this.ds();
    const out = new Map<string, PodObject[]>();
    if (!ds) return out;
    for (const p of this.pods.items.values()) {
      const n = p.spec?.nodeName;
      if (!n || !ownedBy(p, ds)) continue;
      const list = out.get(n);
      if (list) list.push(p);
      else out.set(n, [p]);
    }
    return out;
  }

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  private dsEvent(ds: DaemonSetObject & KubeItem, deleted: boolean): void {
    const k = key(ds);
    if (deleted) {
      this.history.delete(ds.metadata.uid);
      if (this.chosenDs === k) this.choose(this.pinned ? undefined : this.followed(), false);
      return;
    }
    this.sample(ds.metadata.uid, ds.status);
    if (!this.pinned) this.choose(this.followed(), false);
    // a new spec, and the controller's progress (old revisions, misscheduled pods), change the verdicts
    if (k === this.chosenDs) this.scheduleExplain(300);
  }

  /** until the user picks one: the newest DaemonSet outside kube-system, else the first */
  private followed(): string | undefined {
    let best: (DaemonSetObject & KubeItem) | undefined;
    for (const d of this.daemonsets.items.values()) {
      if (!best) best = d;
      else if (best.metadata.namespace === 'kube-system' && d.metadata.namespace !== 'kube-system') best = d;
      else if ((d.metadata.namespace === 'kube-system') === (best.metadata.namespace === 'kube-system') && (d.metadata.creationTimestamp ?? '') > (best.metadata.creationTimestamp ?? '')) best = d;
    }
    return best ? key(best) : undefined;
  }

  private nodeEvent(n: NodeObject & KubeItem, deleted: boolean): void {
    // heartbeats change nothing the verdicts read; labels, taints, cordon and readiness do
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const sig = deleted ? '' : JSON.stringify([n.metadata.labels, n.spec?.taints, n.spec?.unschedulable, ready, n.status?.allocatable]);
    if (this.nodeSigs.get(n.metadata.name) === sig) return;
    if (deleted) this.nodeSigs.delete(n.metadata.name);
    else this.nodeSigs.set(n.metadata.name, sig);
    if (this.chosenDs) this.scheduleExplain(300);
    if (this.chosenNode === n.metadata.name && this.nodePodAbort) void this.explainNode(n.metadata.name, this.nodePodAbort.signal);
  }

  private sample(uid: string, st: DaemonSetStatus | undefined): void {
    const s: Sample = {
      t: this.seconds(),
      desired: st?.desiredNumberScheduled ?? 0,
      updated: st?.updatedNumberScheduled ?? 0,
      available: st?.numberAvailable ?? 0,
      unavailable: st?.numberUnavailable ?? 0,
    };
    let h = this.history.get(uid);
    if (!h) this.history.set(uid, (h = []));
    const last = h[h.length - 1];
    if (last && last.desired === s.desired && last.updated === s.updated && last.available === s.available && last.unavailable === s.unavailable) return;
    h.push(s);
    if (h.length > 5000) h.splice(0, h.length - 5000);
  }

  /**
   * refetch the chosen DaemonSet's verdicts soon: one fetch at a time, at most one waiting, so a
   * rollout or a node burst of thousands of events costs a fetch every ~second, not one per event
   */
  private scheduleExplain(delay: number): void {
    if (this.explainInFlight) {
      this.explainAgain = true;
      return;
    }
    if (this.explainTimer) return;
    this.explainTimer = setTimeout(() => {
      this.explainTimer = undefined;
      void this.explain();
    }, delay);
  }

  private async explain(): Promise<void> {
    const ds = this.ds();
    if (!ds) return;
    if (this.verdicts.kind === 'none') this.verdicts = { kind: 'loading' };
    const want = this.chosenDs;
    this.explainInFlight = true;
    try {
      const r = await getJson<Explanation>(explainPath(ds), this.signal);
      if (want === this.chosenDs) this.verdicts = { kind: 'ok', byNode: new Map(r.nodes.map((v) => [v.node, v])), summary: r.summary };
    } catch (e) {
      if (!this.signal.aborted && want === this.chosenDs) this.verdicts = { kind: 'unavailable', message: explainFailure(e) };
    } finally {
      this.explainInFlight = false;
    }
    this.changed();
    if (this.explainAgain) {
      this.explainAgain = false;
      this.scheduleExplain(500);
    }
  }

  private async explainNode(node: string, signal: AbortSignal): Promise<void> {
    const out = new Map<string, Verdict | string>();
    await Promise.all(
      [...this.daemonsets.items.values()].map(async (ds) => {
        try {
          const r = await getJson<Explanation>(`${explainPath(ds)}?node=${encodeURIComponent(node)}`, signal);
          const v = r.nodes.find((x) => x.node === node);
          out.set(key(ds), v ?? 'no verdict for this node');
        } catch (e) {
          out.set(key(ds), explainFailure(e));
        }
      }),
    );
    if (signal.aborted || this.chosenNode !== node) return;
    this.nodeVerdicts = out;
    this.changed();
  }
}

/** the preview engineer's explain API (src/explain) */
export function explainPath(ds: DaemonSetObject): string {
  return `/kindling/v1alpha1/explain/namespaces/${encodeURIComponent(ds.metadata.namespace!)}/daemonsets/${encodeURIComponent(ds.metadata.name)}`;
}

function explainFailure(e: unknown): string {
  if (e instanceof ApiError && e.code === 404 && !e.reason) return 'this server has no explain API';
  return e instanceof Error ? e.message : String(e);
}
