// The pod garbage collector (upstream pkg/controller/podgc), run every gcCheckPeriod (20 s):
// - orphaned pods: bound to a node that no longer exists. A missing node is quarantined for
//   40 s, then confirmed absent with a GET; its pods are marked Failed with the condition
//   DisruptionTarget (DeletionByPodGC) and force-deleted (grace 0);
// - unscheduled pods that are terminating: force-deleted;
// - terminating pods on a NotReady node with the out-of-service taint: force-deleted;
// - terminated pods (Succeeded/Failed) above the threshold (12500): the oldest are deleted.
// Every deletion is forced (grace 0), as upstream.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { Informer } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';

export interface PodGcOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  /** how often to collect (upstream gcCheckPeriod 20 s) */
  periodMs?: number;
  /** how long a node must be missing before its pods go (upstream quarantineTime 40 s) */
  quarantineMs?: number;
  /** terminated pods kept before the oldest are deleted (upstream --terminated-pod-gc-threshold) */
  terminatedPodThreshold?: number;
}

type PodObj = Pod & KubeObject;
type NodeObj = Node & KubeObject;

export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export class PodGarbageCollector {
  private readonly pods: Informer<PodObj>;
  private readonly nodes: Informer<NodeObj>;
  /** node name -> when it was first found missing */
  private readonly missingSince = new Map<string, number>();
  private timer: Timer | undefined;
  private busy = false;
  private readonly periodMs: number;
  private readonly quarantineMs: number;
  private readonly threshold: number;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: PodGcOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.pods = this.informers.informerFor(R.pods);
    this.nodes = this.informers.informerFor(R.nodes);
    this.periodMs = opts.periodMs ?? 20_000;
    this.quarantineMs = opts.quarantineMs ?? 40_000;
    this.threshold = opts.terminatedPodThreshold ?? 12_500;
  }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.nodes.start()]);
    this.timer = this.clock.setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.gc()
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, this.periodMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.pods.stop();
    this.nodes.stop();
  }

  /** one collection pass */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: PodObj[]): Promise<void> {
    if (this.threshold <= 0) return;
    const terminated = pods.filter((p) => isTerminal(p) && !p.metadata.deletionTimestamp);
    const excess = terminated.length - this.threshold;
    if (excess <= 0) return;
    terminated.sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''));
    for (const p of terminated.slice(0, excess)) await this.forceDelete(p);
  }

  private async gcTerminating(pods: PodObj[]): Promise<void> {
    const outOfService = new Set(
      this.nodes
        .list()
        .filter((n) => {
          const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
          return ready?.status !== 'True' && (n.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute');
        })
        .map((n) => n.metadata.name!),
    );
    if (!outOfService.size) return;
    for (const p of pods) {
      if (p.metadata.deletionTimestamp && p.spec?.nodeName && outOfService.has(p.spec.nodeName)) await this.forceDelete(p);
    }
  }

  private async gcOrphaned(pods: PodObj[]): Promise<void> {
    const now = this.clock.now();
    const missing = new Set<string>();
    for (const p of pods) {
      const node = p.spec?.nodeName;
      if (node && !this.nodes.get(node)) missing.add(node);
    }
    for (const name of [...this.missingSince.keys()]) if (!missing.has(name)) this.missingSince.delete(name);
    const deleted = new Set<string>();
    for (const name of missing) {
      const since = this.missingSince.get(name);
      if (since === undefined) {
        this.missingSince.set(name, now);
        continue;
      }
      if (now - since < this.quarantineMs) continue;
      // the informer may lag: ask the API server before deleting anything
      try {
        await this.client.get(R.nodes, undefined, name);
        this.missingSince.delete(name);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) deleted.add(name);
      }
    }
    for (const p of pods) {
      if (p.spec?.nodeName && deleted.has(p.spec.nodeName)) await this.forceDelete(p, 'PodGC: node no longer exists');
    }
    for (const name of deleted) this.missingSince.delete(name);
  }

  private async gcUnscheduledTerminating(pods: PodObj[]): Promise<void> {
    for (const p of pods) {
      if (p.metadata.deletionTimestamp && !p.spec?.nodeName) await this.forceDelete(p);
    }
  }

  /** mark a running pod Failed with a DisruptionTarget condition (when a message is given), then force-delete it */
  private async forceDelete(pod: PodObj, disruptionMessage?: string): Promise<void> {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    try {
      if (disruptionMessage && !isTerminal(pod)) {
        await this.client.patch(R.pods, ns, name, 'strategic', {
          metadata: { uid: pod.metadata.uid },
          status: {
            phase: 'Failed',
            conditions: [
              {
                type: 'DisruptionTarget',
                status: 'True',
                reason: 'DeletionByPodGC',
                message: disruptionMessage,
                lastTransitionTime: rfc3339(this.clock.now()),
              },
            ],
          },
        }, {}, 'status');
      }
      await this.client.delete(R.pods, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}
