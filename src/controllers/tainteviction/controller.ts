// The taint eviction controller (upstream pkg/controller/tainteviction): pods on nodes with
// NoExecute taints are deleted unless every such taint is tolerated. Each taint is matched
// by the first toleration (in pod order) that tolerates it; an untolerated taint means
// deletion now; otherwise deletion after the smallest tolerationSeconds among the used
// tolerations (<= 0: now; none set: never). Timers start when the pod/taint pair is first
// seen and are cancelled when the taints go. Before deleting, the pod gets the condition
// DisruptionTarget (DeletionByTaintManager); an event TaintManagerEviction is recorded.

import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../api/taints.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { Informer, objectKey, unwrapTombstone } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { POD_NODE_INDEX, podNodeIndex } from '../../client/indexes.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';

export const TAINT_EVICTION_CONTROLLER = 'taint-eviction-controller';

type NodeObj = Node & KubeObject;
type PodObj = Pod & KubeObject;

export { toleratesTaint };

/** upstream GetMatchingTolerations: every taint tolerated, and the first toleration used for each */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/** upstream getMinTolerationTime in ms: 0 = now, -1 = never */
export function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

export const noExecuteTaints = (node: Node | undefined): Taint[] => (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface Scheduled {
  createdAt: number;
  fireAt: number;
  timer: Timer;
}

export interface TaintEvictionOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  recorder?: Recorder;
  onError?: (err: unknown) => void;
}

export class TaintEvictionController {
  private readonly nodes: Informer<NodeObj>;
  private readonly pods: Informer<PodObj>;
  private readonly recorder: Recorder;
  /** node name -> its NoExecute taints (only nodes that have some) */
  private readonly taintedNodes = new Map<string, Taint[]>();
  /** pod key -> scheduled eviction */
  private readonly work = new Map<string, Scheduled>();
  private readonly inFlight = new Set<Promise<void>>();

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly opts: TaintEvictionOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.nodes = this.informers.informerFor(R.nodes);
    this.pods = this.informers.informerFor(R.pods);
    this.pods.addIndexer(POD_NODE_INDEX, podNodeIndex);
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, TAINT_EVICTION_CONTROLLER);
  }

  async start(): Promise<void> {
    this.nodes.addEventHandler({
      onAdd: (n) => this.nodeChanged(n.metadata.name!, undefined, n),
      onUpdate: (a, b) => this.nodeChanged(b.metadata.name!, a, b),
      onDelete: (n) => this.nodeChanged(unwrapTombstone(n).metadata.name!, unwrapTombstone(n), undefined),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (a, b) => this.podChanged(a, b),
      onDelete: (p) => this.cancelWithEvent(objectKey(unwrapTombstone(p))),
    });
    await Promise.all([this.pods.start(), this.nodes.start()]);
  }

  stop(): void {
    for (const w of this.work.values()) w.timer.cancel();
    this.work.clear();
    this.nodes.stop();
    this.pods.stop();
  }

  /** evictions under way (tests) */
  async flush(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /** when a pod's eviction is due, or undefined (tests and debugging) */
  scheduledAt(podKey: string): number | undefined {
    return this.work.get(podKey)?.fireAt;
  }

  private nodeChanged(name: string, oldNode: NodeObj | undefined, node: NodeObj | undefined): void {
    const taints = noExecuteTaints(node);
    if (oldNode && node && JSON.stringify(noExecuteTaints(oldNode)) === JSON.stringify(taints)) return;
    if (taints.length) this.taintedNodes.set(name, taints);
    else this.taintedNodes.delete(name);
    const now = this.clock.now();
    for (const pod of this.pods.byIndex(POD_NODE_INDEX, name)) {
      if (!taints.length) this.cancelWithEvent(objectKey(pod));
      else this.processPodOnNode(pod, taints, now);
    }
  }

  private podChanged(oldPod: PodObj | undefined, pod: PodObj): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    // only a new binding or new tolerations change the decision
    if (oldPod && oldPod.spec?.nodeName === nodeName && JSON.stringify(oldPod.spec?.tolerations ?? []) === JSON.stringify(pod.spec?.tolerations ?? [])) return;
    const taints = this.taintedNodes.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(pod, taints, this.clock.now());
  }

  private processPodOnNode(pod: PodObj, taints: Taint[], now: number): void {
    const key = objectKey(pod);
    if (taints.length === 0) {
      this.cancelWithEvent(key);
      return;
    }
    const { allTolerated, used } = matchingTolerations(taints, pod.spec?.tolerations ?? []);
    if (!allTolerated) {
      this.cancelWithEvent(key);
      this.schedule(pod, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.cancelWithEvent(key);
      return;
    }
    let startTime = now;
    const trigger = now + min;
    const existing = this.work.get(key);
    if (existing) {
      startTime = existing.createdAt;
      if (startTime + min < trigger) return;
      this.cancel(key);
    }
    this.schedule(pod, startTime, trigger);
  }

  private schedule(pod: PodObj, createdAt: number, fireAt: number): void {
    const key = objectKey(pod);
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const fire = () => {
      this.work.delete(key);
      const p = this.evict(ns, name).catch((e) => this.opts.onError?.(e));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    };
    const delay = fireAt - this.clock.now();
    if (delay <= 0) {
      // due now: no timer (a stepped clock would not fire a 0 ms timer until it moves)
      fire();
      return;
    }
    this.work.set(key, { createdAt, fireAt, timer: this.clock.setTimeout(fire, delay) });
  }

  private cancel(key: string): boolean {
    const w = this.work.get(key);
    if (!w) return false;
    w.timer.cancel();
    this.work.delete(key);
    return true;
  }

  private cancelWithEvent(key: string): void {
    if (!this.cancel(key)) return;
    const [namespace, name] = key.split('/');
    this.recorder.event(podRef(namespace, name), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(namespace: string, name: string): Promise<void> {
    this.recorder.event(podRef(namespace, name), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    let lastErr: unknown;
    for (let i = 0; i < 5; i++) {
      try {
        await this.addConditionAndDelete(namespace, name);
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return;
        lastErr = err;
        await this.clock.sleep(10);
      }
    }
    throw lastErr;
  }

  private async addConditionAndDelete(namespace: string, name: string): Promise<void> {
    const pod = await this.client.get<PodObj>(R.pods, namespace, name);
    const cur = (pod.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
    const reason = 'DeletionByTaintManager';
    const message = 'Taint manager: deleting due to NoExecute taint';
    if (!cur || cur.status !== 'True' || cur.reason !== reason || cur.message !== message) {
      await this.client.patch(R.pods, namespace, name, 'strategic', {
        metadata: { uid: pod.metadata.uid },
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: rfc3339(this.clock.now()) }] },
      }, {}, 'status');
    }
    await this.client.delete(R.pods, namespace, name, {});
  }
}

function podRef(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } };
}
