// The default scheduler: watches pods and nodes, binds pending pods of `default-scheduler`
// (or no schedulerName) to the best node, preempts lower-priority pods when nothing fits,
// and marks the rest PodScheduled=False/Unschedulable with upstream's FailedScheduling text.

import type { Namespace, Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { Informer, objectKey, unwrapTombstone } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';
import { fitError, preempt, schedulePod, type ScheduleSnapshot } from './algorithm.js';
import { NO_NODES_AVAILABLE } from './fiterror.js';
import { NodeInfo, podPriority } from './nodeinfo.js';
import { SchedulingQueue } from './queue.js';

export const SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  /** random source for tie breaks (tests make it deterministic) */
  random?: () => number;
  recorder?: Recorder;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
const isOurs = (p: Pod) => !p.spec?.schedulerName || p.spec.schedulerName === SCHEDULER_NAME;
/** pods the scheduler must place */
const needsScheduling = (p: Pod) => !p.spec?.nodeName && isOurs(p) && !isTerminal(p) && !p.metadata?.deletionTimestamp && !(p.spec?.schedulingGates ?? []).length;

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** what changes in a node can make an unschedulable pod fit */
function nodeChangedForScheduling(a: Node, b: Node): boolean {
  const pick = (n: Node) =>
    JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable, (n.status?.conditions ?? []).map((c) => [c.type, c.status])]);
  return pick(a) !== pick(b);
}

export class Scheduler {
  private readonly nodes: Informer<Node & KubeObject>;
  private readonly pods: Informer<Pod & KubeObject>;
  private readonly namespaces: Informer<Namespace & KubeObject>;
  private readonly queue: SchedulingQueue;
  private readonly recorder: Recorder;
  private readonly random: () => number;
  /** pods bound by us whose binding the informer has not shown yet, by uid */
  private readonly assumed = new Map<string, Pod>();
  /** assigned pods per node, by uid */
  private readonly podsByNode = new Map<string, Map<string, Pod>>();
  private readonly nodeOfPod = new Map<string, string>();
  /** node names in order, rebuilt when nodes come or go */
  private nodeOrder: string[] | undefined;
  /** pending pods with a nominated node, by key */
  private readonly nominated = new Map<string, Pod>();
  private readonly nodeInfos = new Map<string, NodeInfo>();
  /** the last snapshot's nodes (in nodeOrder), patched in place for the nodes marked dirty */
  private snapNodes: NodeInfo[] | undefined;
  private readonly snapIndex = new Map<string, number>();
  private readonly dirty = new Set<string>();
  /** assigned pods with required pod anti-affinity, by uid (most pods have none) */
  private readonly antiAffinity = new Map<string, { node: string; pod: Pod }>();
  private flushTimer: Timer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  /** round-robin start for sampling nodes, as upstream's nextStartNodeIndex */
  private nextStart = 0;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: SchedulerOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.nodes = this.informers.informerFor(R.nodes);
    this.pods = this.informers.informerFor(R.pods);
    this.namespaces = this.informers.informerFor(R.namespaces);
    this.queue = new SchedulingQueue(clock);
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, SCHEDULER_NAME);
    this.random = opts.random ?? Math.random;
  }

  async start(): Promise<void> {
    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.nodeOrder = undefined;
        this.invalidate(n.metadata.name!);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (a, b) => {
        this.invalidate(b.metadata.name!);
        if (nodeChangedForScheduling(a, b)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (o) => {
        const n = unwrapTombstone(o);
        this.nodeOrder = undefined;
        this.invalidate(n.metadata.name!);
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.onPod(undefined, p),
      onUpdate: (a, b) => this.onPod(a, b),
      onDelete: (o) => this.onPodDelete(unwrapTombstone(o)),
    });
    await Promise.all([this.nodes.start(), this.pods.start(), this.namespaces.start().catch(() => undefined)]);
    this.running = true;
    // upstream flushes backoffQ every second and checks the unschedulable pool every 30 s
    this.flushTimer = this.clock.setInterval(() => this.queue.flush(), 1000);
    this.loop = this.run();
  }

  stop(): void {
    this.running = false;
    this.queue.close();
    this.flushTimer?.cancel();
    this.nodes.stop();
    this.pods.stop();
    this.namespaces.stop();
  }

  /** queue sizes, for tests and diagnostics */
  queueStats(): { active: number; backoff: number; unschedulable: number } {
    return this.queue.stats();
  }

  // ---- cache ----

  /** the node's NodeInfo is out of date */
  private invalidate(name: string): void {
    this.nodeInfos.delete(name);
    this.dirty.add(name);
    // let go of the stale NodeInfo (and the pod versions it holds) now; the next snapshot refills the slot
    const i = this.snapIndex.get(name);
    if (i !== undefined && this.snapNodes) (this.snapNodes as (NodeInfo | undefined)[])[i] = undefined;
  }

  private setAssigned(p: Pod | undefined, node: string | undefined, uid: string): void {
    const was = this.nodeOfPod.get(uid);
    this.antiAffinity.delete(uid);
    if (p && node && (p.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0) this.antiAffinity.set(uid, { node, pod: p });
    if (was !== undefined) {
      this.podsByNode.get(was)?.delete(uid);
      this.invalidate(was);
      this.nodeOfPod.delete(uid);
    }
    if (p && node) {
      this.nodeOfPod.set(uid, node);
      let m = this.podsByNode.get(node);
      if (!m) this.podsByNode.set(node, (m = new Map()));
      m.set(uid, p);
      this.invalidate(node);
    }
  }

  private onPod(old: Pod | undefined, p: Pod): void {
    const key = objectKey(p as KubeObject);
    const uid = p.metadata?.uid ?? key;
    if (p.status?.nominatedNodeName && !p.spec?.nodeName && !p.metadata?.deletionTimestamp) this.nominated.set(key, p);
    else this.nominated.delete(key);
    if (p.spec?.nodeName) {
      this.assumed.delete(uid);
      this.queue.delete(key);
      const wasThere = old?.spec?.nodeName === p.spec.nodeName && !isTerminal(old);
      if (isTerminal(p)) {
        this.setAssigned(undefined, undefined, uid);
        if (wasThere) this.queue.moveAllToActiveOrBackoff();
      } else {
        this.setAssigned(p, p.spec.nodeName, uid);
        if (old && JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels)) this.queue.moveAllToActiveOrBackoff();
      }
      return;
    }
    if (!needsScheduling(p)) {
      this.queue.delete(key);
      return;
    }
    // our own status writes must not requeue the pod; spec or label changes do
    if (old && this.queue.has(key)) {
      const changed = JSON.stringify([old.spec, old.metadata?.labels]) !== JSON.stringify([p.spec, p.metadata?.labels]);
      if (changed) this.queue.add(key, p);
      else this.queue.update(key, p);
      return;
    }
    this.queue.add(key, p);
  }

  private onPodDelete(p: Pod): void {
    const key = objectKey(p as KubeObject);
    const uid = p.metadata?.uid ?? key;
    this.nominated.delete(key);
    this.queue.delete(key);
    this.assumed.delete(uid);
    if (p.spec?.nodeName) {
      this.setAssigned(undefined, undefined, uid);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private nodeInfo(name: string): NodeInfo | undefined {
    let ni = this.nodeInfos.get(name);
    if (!ni) {
      const n = this.nodes.get(name);
      if (!n) return undefined;
      ni = new NodeInfo(n, [...(this.podsByNode.get(name)?.values() ?? [])]);
      this.nodeInfos.set(name, ni);
    }
    return ni;
  }

  /**
   * The cluster as the filters see it. Kept between cycles and updated only for the nodes
   * that changed (as upstream's UpdateSnapshot), so a cycle is not O(nodes + pods); the
   * returned snapshot is valid for one scheduling cycle.
   */
  private snapshot(): ScheduleSnapshot {
    if (!this.nodeOrder) {
      this.nodeOrder = this.nodes.keys().sort();
      this.snapNodes = undefined;
    }
    let infos = this.snapNodes;
    if (infos) {
      for (const name of this.dirty) {
        const i = this.snapIndex.get(name);
        if (i === undefined) continue;
        const ni = this.nodeInfo(name);
        if (!ni) {
          infos = undefined;
          break;
        }
        infos[i] = ni;
      }
    }
    this.dirty.clear();
    if (!infos) {
      infos = [];
      this.snapIndex.clear();
      for (const name of this.nodeOrder) {
        const ni = this.nodeInfo(name);
        if (!ni) continue;
        this.snapIndex.set(name, infos.length);
        infos.push(ni);
      }
      this.snapNodes = infos;
    }
    const antiAffinityPods: { node: NodeInfo; pod: Pod }[] = [];
    for (const { node, pod } of this.antiAffinity.values()) {
      const i = this.snapIndex.get(node);
      if (i !== undefined) antiAffinityPods.push({ node: infos[i], pod });
    }
    const index = this.snapIndex;
    const nominated = new Map<string, Pod[]>();
    for (const p of this.nominated.values()) {
      const nn = p.status!.nominatedNodeName!;
      if (!nominated.has(nn)) nominated.set(nn, []);
      nominated.get(nn)!.push(p);
    }
    return {
      nodes: infos,
      nodeIndex: (name) => index.get(name),
      antiAffinityPods,
      namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata.labels,
      nominatedPods: (n) => nominated.get(n) ?? [],
    };
  }

  // ---- the scheduling loop ----

  private async run(): Promise<void> {
    while (this.running) {
      const item = await this.queue.pop();
      if (!item || !this.running) return;
      try {
        // the binding cycle runs on its own (upstream: a goroutine); the next pod's scheduling
        // cycle starts at once, the assumed pod already counted on its node
        const cycle = await this.schedulingCycle(item.key);
        void cycle?.binding.catch(() => undefined); // bind handles API errors itself
      } catch {
        // an API error: try the pod again after its backoff
        const p = this.pods.get(item.key);
        if (p && needsScheduling(p)) this.queue.failed(item.key, p, { backoff: true });
      }
    }
  }

  /** one scheduling cycle for one pod and its binding (exposed for tests) */
  async scheduleOne(key: string): Promise<void> {
    await (await this.schedulingCycle(key))?.binding;
  }

  /** decide and assume; returns the binding cycle, left running */
  private async schedulingCycle(key: string): Promise<{ binding: Promise<void> } | undefined> {
    const pod = this.pods.get(key);
    if (!pod || !needsScheduling(pod)) {
      this.queue.delete(key);
      return;
    }
    const snap = this.snapshot();
    if (snap.nodes.length === 0) {
      await this.markUnschedulable(key, pod, NO_NODES_AVAILABLE);
      return;
    }
    const r = schedulePod(pod, snap, this.random, this.nextStart);
    if ('node' in r) {
      this.nextStart = (this.nextStart + (r.examined ?? 0)) % snap.nodes.length;
      return { binding: this.bind(key, pod, r.node) };
    }
    const nominated = pod.status?.nominatedNodeName;
    const terminating = !!nominated && (this.podsByNode.get(nominated)?.size ?? 0) > 0 &&
      [...this.podsByNode.get(nominated)!.values()].some((v) => v.metadata?.deletionTimestamp && podPriority(v) < podPriority(pod));
    const pre = preempt(pod, snap, r, terminating);
    if ('candidate' in pre) {
      const { node, victims } = pre.candidate;
      for (const v of victims) {
        this.recorder.event(v as KubeObject, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata?.uid} on node ${node}`);
        try {
          await this.client.delete(R.pods, v.metadata?.namespace, v.metadata!.name!, { preconditions: { uid: v.metadata?.uid } });
        } catch {
          // already gone
        }
      }
      await this.markUnschedulable(key, pod, fitError(r), node);
      return;
    }
    r.diagnosis.postFilterMsg = pre.message;
    await this.markUnschedulable(key, pod, fitError(r));
  }

  private async bind(key: string, pod: Pod, node: string): Promise<void> {
    const uid = pod.metadata?.uid ?? key;
    // assume: the pod counts on the node before the informer sees the binding
    const assumed: Pod = { ...pod, spec: { ...pod.spec!, nodeName: node } };
    this.assumed.set(uid, assumed);
    this.setAssigned(assumed, node, uid);
    this.queue.done(key);
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata!.name!;
    try {
      await this.client.create(
        R.pods,
        ns,
        { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid: pod.metadata?.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } } as KubeObject,
        undefined,
        'binding',
      );
    } catch (err) {
      this.assumed.delete(uid);
      this.setAssigned(undefined, undefined, uid);
      const fresh = this.pods.get(key);
      if (fresh && needsScheduling(fresh)) {
        this.recorder.event(fresh as KubeObject, 'Warning', 'FailedScheduling', `Binding rejected: ${(err as Error).message}`);
        this.queue.failed(key, fresh, { backoff: true });
      }
      return;
    }
    this.recorder.event(pod as KubeObject, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${node}`);
  }

  private async markUnschedulable(key: string, pod: Pod, message: string, nominatedNode?: string): Promise<void> {
    this.recorder.event(pod as KubeObject, 'Warning', 'FailedScheduling', message);
    this.queue.failed(key, pod);
    const conds = pod.status?.conditions ?? [];
    const prev = conds.find((c) => c.type === 'PodScheduled');
    const same = prev && prev.status === 'False' && prev.reason === 'Unschedulable' && prev.message === message;
    if (same && (!nominatedNode || pod.status?.nominatedNodeName === nominatedNode)) return;
    const cond: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null as unknown as string,
      lastTransitionTime: prev && prev.status === 'False' ? prev.lastTransitionTime : rfc3339(this.clock.now()),
      reason: 'Unschedulable',
      message,
    };
    const status: Record<string, unknown> = { conditions: [...conds.filter((c) => c.type !== 'PodScheduled'), cond] };
    if (nominatedNode) status.nominatedNodeName = nominatedNode;
    try {
      await this.client.patch(R.pods, pod.metadata?.namespace, pod.metadata!.name!, 'strategic', { status }, undefined, 'status');
    } catch {
      // the pod is gone or changed; its next event decides
    }
  }
}
