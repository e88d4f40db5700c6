// The node lifecycle controller (upstream pkg/controller/nodelifecycle):
// - every monitor period (5 s) each node's health is checked: a node whose Ready heartbeat
//   and Lease renewTime have not changed (as observed by this controller) for the grace
//   period (50 s; 60 s for a node that never posted Ready) gets Ready, MemoryPressure,
//   DiskPressure and PIDPressure set to Unknown ("Kubelet stopped posting node status.");
// - when Ready stops being True this way: a NodeNotReady event and every pod of the node
//   gets Ready=False (MarkPodsNotReady);
// - NoExecute taints follow Ready as observed at the start of the pass: False -> not-ready,
//   Unknown -> unreachable (with timeAdded), True -> neither. When every zone is fully
//   disrupted (no Ready node) no node is tainted and existing taints are removed; a small
//   zone (<= 50 nodes) in partial disruption gets no new NoExecute taints;
// - NoSchedule taints follow the conditions and spec.unschedulable on every node change.
// Not modelled: the per-zone eviction rate limiter (0.1 node/s).

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { Informer, objectKey } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { POD_NODE_INDEX, podNodeIndex } from '../../client/indexes.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';
import {
  NOT_READY_NO_EXECUTE,
  UNREACHABLE_NO_EXECUTE,
  desiredNoScheduleTaints,
  hasTaint,
  managedNoScheduleTaints,
  readyCondition,
  sameTaint,
  taintDiff,
} from './taints.js';

export const NODE_CONTROLLER = 'node-controller';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

export interface NodeLifecycleOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  /** --node-monitor-grace-period (default 50 s) */
  gracePeriodMs?: number;
  /** --node-monitor-period (default 5 s) */
  monitorPeriodMs?: number;
  /** --node-startup-grace-period (default 60 s) */
  startupGracePeriodMs?: number;
  /** --unhealthy-zone-threshold (default 0.55) */
  unhealthyZoneThreshold?: number;
  /** --large-cluster-size-threshold (default 50) */
  largeClusterThreshold?: number;
  recorder?: Recorder;
}

type NodeObj = Node & KubeObject;
type PodObj = Pod & KubeObject;
type LeaseObj = Lease & KubeObject;

type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  hadReady: boolean;
  readyHeartbeat?: string;
  readyTransition?: string;
  leaseRenewTime?: string;
}

const UNKNOWN_CONDITION_TYPES = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];
const MSG_STOPPED = 'Kubelet stopped posting node status.';
const MSG_NEVER = 'Kubelet never posted node status.';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const isConflict = (e: unknown) => e instanceof ApiError && e.code === 409;
const isNotFound = (e: unknown) => e instanceof ApiError && e.code === 404;

/** upstream utilnode.GetZoneKey: region and zone labels (GA, then beta) */
export function zoneKey(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

/** upstream ComputeZoneState */
export function computeZoneState(ready: (NodeCondition | undefined)[], unhealthyThreshold = 0.55): ZoneState {
  let readyNodes = 0;
  let notReady = 0;
  for (const c of ready) {
    if (c?.status === 'True') readyNodes++;
    else notReady++;
  }
  if (readyNodes === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + readyNodes) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** add and remove taints on a node (upstream SwapNodeControllerTaint); added taints get timeAdded */
export async function swapNodeTaints(client: ApiClient, clock: Clock, nodeName: string, add: Taint[], remove: Taint[]): Promise<void> {
  if (!add.length && !remove.length) return;
  for (let attempt = 0; ; attempt++) {
    const node = await client.get<NodeObj>(R.nodes, undefined, nodeName);
    const old = node.spec?.taints ?? [];
    const now = rfc3339(clock.now());
    let next = old.filter((t) => !remove.some((r) => sameTaint(r, t)));
    const fresh = add.filter((a) => !next.some((t) => sameTaint(t, a)));
    next = [...next, ...fresh.map((t) => ({ ...t, timeAdded: now }))];
    if (next.length === old.length && next.every((t, i) => sameTaint(t, old[i]))) return;
    try {
      await client.patch(R.nodes, undefined, nodeName, 'merge', {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: next.length ? next : null },
      });
      return;
    } catch (err) {
      if (isConflict(err) && attempt < 5) continue;
      throw err;
    }
  }
}

export class NodeLifecycleController {
  private readonly nodes: Informer<NodeObj>;
  private readonly leases: Informer<LeaseObj>;
  private readonly pods: Informer<PodObj>;
  private readonly noScheduleQueue: WorkQueue<string>;
  private readonly recorder: Recorder;
  private readonly health = new Map<string, NodeHealth>();
  /** nodes whose pods could not all be marked not ready */
  private readonly retryPods = new Set<string>();
  private readonly gracePeriodMs: number;
  private readonly monitorPeriodMs: number;
  private readonly startupGracePeriodMs: number;
  private readonly unhealthyZoneThreshold: number;
  private readonly largeClusterThreshold: number;
  private timer: Timer | undefined;
  private monitoring = false;
  private allDisrupted = false;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: NodeLifecycleOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.nodes = this.informers.informerFor(R.nodes);
    this.leases = this.informers.informerFor(R.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = this.informers.informerFor(R.pods);
    this.pods.addIndexer(POD_NODE_INDEX, podNodeIndex);
    this.noScheduleQueue = new WorkQueue(clock);
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, NODE_CONTROLLER);
    this.gracePeriodMs = opts.gracePeriodMs ?? 50_000;
    this.monitorPeriodMs = opts.monitorPeriodMs ?? 5_000;
    this.startupGracePeriodMs = opts.startupGracePeriodMs ?? 60_000;
    this.unhealthyZoneThreshold = opts.unhealthyZoneThreshold ?? 0.55;
    this.largeClusterThreshold = opts.largeClusterThreshold ?? 50;
  }

  async start(): Promise<void> {
    this.nodes.addEventHandler({
      onAdd: (n) => this.noScheduleQueue.add(objectKey(n)),
      onUpdate: (_a, b) => this.noScheduleQueue.add(objectKey(b)),
      onDelete: (n) => {
        const name = (n as NodeObj).metadata?.name;
        if (name) this.health.delete(name);
      },
    });
    await Promise.all([this.nodes.start(), this.leases.start(), this.pods.start()]);
    void runWorkers(this.noScheduleQueue, 1, (name) => this.doNoScheduleTaintingPass(name));
    const tick = () => {
      if (this.monitoring) return;
      this.monitoring = true;
      this.monitorNodeHealth()
        .catch(() => undefined)
        .finally(() => (this.monitoring = false));
    };
    // as wait.Until: a pass now, then every period
    tick();
    this.timer = this.clock.setInterval(tick, this.monitorPeriodMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.noScheduleQueue.shutdown();
    this.nodes.stop();
    this.leases.stop();
    this.pods.stop();
  }

  /** NoSchedule taints from conditions and spec.unschedulable (upstream doNoScheduleTaintingPass) */
  async doNoScheduleTaintingPass(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const { add, remove } = taintDiff(desiredNoScheduleTaints(node), managedNoScheduleTaints(node));
    try {
      await swapNodeTaints(this.client, this.clock, name, add, remove);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** one monitor pass over every node (upstream monitorNodeHealth) */
  async monitorNodeHealth(): Promise<void> {
    const results: { node: NodeObj; observed: NodeCondition; current: NodeCondition | undefined }[] = [];
    let n = 0;
    for (const cached of this.nodes.list()) {
      try {
        results.push(await this.tryUpdateNodeHealth(cached));
      } catch {
        // retried on the next pass
      }
      // thousands of nodes: let requests and timers run between slices of the pass
      if (++n % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // zone states from the Ready conditions after this pass's updates
    const zones = new Map<string, (NodeCondition | undefined)[]>();
    for (const r of results) {
      if (r.node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] !== undefined) continue;
      const z = zoneKey(r.node);
      // push, not copy: a copy per node made each pass quadratic in the node count
      const inZone = zones.get(z);
      if (inZone) inZone.push(r.current);
      else zones.set(z, [r.current]);
    }
    const states = new Map([...zones].map(([z, c]) => [z, { state: computeZoneState(c, this.unhealthyZoneThreshold), size: c.length }]));
    const allDisrupted = states.size > 0 && [...states.values()].every((s) => s.state === 'FullDisruption');
    const enteringFullDisruption = allDisrupted && !this.allDisrupted;
    this.allDisrupted = allDisrupted;

    for (const { node, observed, current } of results) {
      const name = node.metadata.name!;
      if (!current) continue;
      try {
        const zone = states.get(zoneKey(node));
        const mayTaint = !allDisrupted && !(zone?.state === 'PartialDisruption' && zone.size <= this.largeClusterThreshold);
        if (allDisrupted) {
          // every zone is down: assume the control plane lost the nodes, not the other way round
          if (enteringFullDisruption || hasTaint(node.spec?.taints, NOT_READY_NO_EXECUTE) || hasTaint(node.spec?.taints, UNREACHABLE_NO_EXECUTE)) {
            await swapNodeTaints(this.client, this.clock, name, [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE]);
          }
        } else {
          await this.processTaintBaseEviction(node, observed, mayTaint);
        }
      } catch {
        // retried on the next pass
      }
      if (current.status !== 'True' && observed.status === 'True') {
        this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await this.markPods(name);
      } else if (this.retryPods.has(name) && current.status !== 'True') {
        await this.markPods(name);
      } else {
        this.retryPods.delete(name);
      }
    }
  }

  private async markPods(name: string): Promise<void> {
    if (await this.markPodsNotReady(name)) this.retryPods.delete(name);
    else this.retryPods.add(name);
  }

  private async processTaintBaseEviction(node: NodeObj, observed: NodeCondition, mayTaint: boolean): Promise<void> {
    const name = node.metadata.name!;
    const taints = node.spec?.taints;
    if (observed.status === 'False') {
      if (hasTaint(taints, UNREACHABLE_NO_EXECUTE)) await swapNodeTaints(this.client, this.clock, name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE]);
      else if (mayTaint && !hasTaint(taints, NOT_READY_NO_EXECUTE)) await swapNodeTaints(this.client, this.clock, name, [NOT_READY_NO_EXECUTE], []);
    } else if (observed.status === 'Unknown') {
      if (hasTaint(taints, NOT_READY_NO_EXECUTE)) await swapNodeTaints(this.client, this.clock, name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE]);
      else if (mayTaint && !hasTaint(taints, UNREACHABLE_NO_EXECUTE)) await swapNodeTaints(this.client, this.clock, name, [UNREACHABLE_NO_EXECUTE], []);
    } else if (observed.status === 'True') {
      if (hasTaint(taints, NOT_READY_NO_EXECUTE) || hasTaint(taints, UNREACHABLE_NO_EXECUTE)) {
        await swapNodeTaints(this.client, this.clock, name, [], [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE]);
      }
    }
  }

  /** upstream tryUpdateNodeHealth: returns the Ready condition observed and the one now in effect */
  private async tryUpdateNodeHealth(cached: NodeObj): Promise<{ node: NodeObj; observed: NodeCondition; current: NodeCondition | undefined }> {
    const name = cached.metadata.name!;
    const node = structuredClone(cached) as NodeObj;
    const now = this.clock.now();
    let current = readyCondition(node);
    const created = node.metadata.creationTimestamp;
    const observed: NodeCondition = current
      ? { ...current }
      : { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created };
    const grace = current ? this.gracePeriodMs : this.startupGracePeriodMs;

    let h = this.health.get(name);
    if (!h) {
      h = { probeTimestamp: now, readyTransitionTimestamp: now, hadReady: !!current, readyHeartbeat: current?.lastHeartbeatTime, readyTransition: current?.lastTransitionTime };
      this.health.set(name, h);
    } else if (h.hadReady !== !!current) {
      h.probeTimestamp = now;
      h.readyTransitionTimestamp = now;
    } else if (current && h.readyHeartbeat !== current.lastHeartbeatTime) {
      h.probeTimestamp = now;
      if (h.readyTransition !== current.lastTransitionTime) h.readyTransitionTimestamp = now;
    }
    h.hadReady = !!current;
    h.readyHeartbeat = current?.lastHeartbeatTime;
    h.readyTransition = current?.lastTransitionTime;
    const lease = this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const renew = lease?.spec?.renewTime;
    if (renew && (h.leaseRenewTime === undefined || Date.parse(h.leaseRenewTime) < Date.parse(renew))) {
      h.leaseRenewTime = renew;
      h.probeTimestamp = now;
    }

    if (now <= h.probeTimestamp + grace) return { node: cached, observed, current };

    // silent past the grace period: every condition becomes Unknown
    const stamp = rfc3339(now);
    const conditions = [...(node.status?.conditions ?? [])];
    const next = { ...node, status: { ...(node.status ?? {}), conditions } } as NodeObj;
    const setUnknown = (type: string) => {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: MSG_NEVER, lastHeartbeatTime: created, lastTransitionTime: stamp });
      } else if (c.status !== 'Unknown') {
        c.status = 'Unknown';
        c.reason = 'NodeStatusUnknown';
        c.message = MSG_STOPPED;
        c.lastTransitionTime = stamp;
      }
    };
    setUnknown('Ready');
    for (const t of UNKNOWN_CONDITION_TYPES) setUnknown(t);
    current = readyCondition(next);
    if (JSON.stringify(current) === JSON.stringify(observed)) return { node: cached, observed, current };
    const updated = await this.client.update<NodeObj>(R.nodes, undefined, next, {}, 'status');
    h.readyTransitionTimestamp = now;
    h.readyTransition = current?.lastTransitionTime;
    return { node: updated, observed, current };
  }

  /** Ready=False on every pod of the node (upstream MarkPodsNotReady); false if some failed */
  async markPodsNotReady(nodeName: string): Promise<boolean> {
    let ok = true;
    const stamp = rfc3339(this.clock.now());
    for (const pod of this.pods.byIndex(POD_NODE_INDEX, nodeName)) {
      const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      try {
        await this.client.patch(R.pods, pod.metadata.namespace, pod.metadata.name!, 'strategic', {
          metadata: { uid: pod.metadata.uid },
          status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: stamp }] },
        }, {}, 'status');
      } catch (err) {
        if (!isNotFound(err)) ok = false;
      }
    }
    return ok;
  }
}
