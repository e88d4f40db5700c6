// What the Endpoints and EndpointSlice controllers share (upstream pkg/controller/util/endpoint,
// pkg/api/v1/pod FindPort): which pods back a service, their readiness, port resolution, and the
// informer plumbing that maps pod changes onto the services selecting them.

import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import { Informer, objectKey, splitKey, unwrapTombstone } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';

export type PodObj = Pod & KubeObject;
export type ServiceObj = Service & KubeObject;

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** a service selector is a plain equality map; nil or empty selects nothing for endpoints */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** upstream ShouldPodBeInEndpoints */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** upstream FindPort: a numeric targetPort as is, a named one from the containers' ports (sidecars included) */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (typeof tp === 'string' && /^\d+$/.test(tp)) return Number(tp);
  const protocol = sp.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** upstream ShouldSetHostname */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** the latest change among the service and its pods (pod creation, readiness transition) */
export function lastChangeTriggerTime(svc: Service, pods: Pod[]): string | undefined {
  let max = Date.parse(svc.metadata?.creationTimestamp ?? '') || 0;
  for (const p of pods) {
    const ready = (p.status?.conditions ?? []).find((c) => c.type === 'Ready')?.lastTransitionTime;
    for (const t of [p.metadata?.creationTimestamp, ready]) {
      const ms = t ? Date.parse(t) : NaN;
      if (ms > max) max = ms;
    }
  }
  return max ? rfc3339(max) : undefined;
}

export function compareIP(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface ServiceControllerOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

/**
 * services + pods informers and a queue of service keys; a pod change enqueues every service
 * in its namespace whose selector matches the pod's old or new labels
 */
export abstract class ServicePodController {
  protected readonly services: Informer<ServiceObj>;
  protected readonly pods: Informer<PodObj>;
  protected readonly queue: WorkQueue<string>;
  private running?: Promise<void>;
  protected readonly extraInformers: Informer<any>[] = [];

  protected readonly informers: SharedInformerFactory;
  constructor(
    protected readonly client: ApiClient,
    protected readonly clock: Clock,
    protected readonly opts: ServiceControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.services = this.informers.informerFor(R.services);
    this.pods = this.informers.informerFor(R.pods);
    this.queue = new WorkQueue(clock);
  }

  protected abstract sync(namespace: string, name: string, svc: ServiceObj | undefined): Promise<void>;

  async start(): Promise<void> {
    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(objectKey(s)),
      onUpdate: (_a, b) => this.queue.add(objectKey(b)),
      onDelete: (s) => this.queue.add(objectKey(unwrapTombstone(s))),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (a, b) => this.podChanged(a, b),
      onDelete: (p) => this.podChanged(undefined, unwrapTombstone(p)),
    });
    await Promise.all([this.services.start(), this.pods.start(), ...this.extraInformers.map((i) => i.start())]);
    this.running = runWorkers(this.queue, this.opts.workers ?? 2, (key) => this.reconcile(key), this.opts.onError);
  }

  stop(): void {
    this.queue.shutdown();
    this.services.stop();
    this.pods.stop();
    for (const i of this.extraInformers) i.stop();
  }

  private podChanged(oldPod: PodObj | undefined, pod: PodObj): void {
    const ns = pod.metadata.namespace ?? '';
    for (const svc of this.services.listNamespace(ns)) {
      const sel = svc.spec?.selector;
      if (selectorMatches(sel, pod.metadata.labels) || (oldPod && selectorMatches(sel, oldPod.metadata.labels))) this.queue.add(objectKey(svc));
    }
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    await this.sync(namespace ?? '', name, this.services.get(key));
  }

  /** the pods in the service's namespace its selector matches */
  protected selectedPods(svc: ServiceObj): PodObj[] {
    return this.pods
      .listNamespace(svc.metadata.namespace ?? '')
      .filter((p) => selectorMatches(svc.spec?.selector, p.metadata.labels))
      .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  }
}

export const stableJSON = (v: unknown): string => JSON.stringify(v ?? null);
