// The namespace controller (upstream pkg/controller/namespace + namespaced_resources_deleter):
// a namespace with a deletionTimestamp has all its content deleted (deletecollection with
// background propagation, resource by resource); while content remains the namespace is
// looked at again later (estimate/2+1 s for gracefully terminating pods, 15 s for content
// held by finalizers); once empty, "kubernetes" is removed from spec.finalizers through the
// finalize subresource and the API server removes the namespace. Progress is reported in the
// upstream status conditions.

import type { Namespace, NamespaceCondition, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { RESOURCES, type ResourceInfo } from '../../api/resources.js';
import { Informer, objectKey } from '../../client/informer.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { R, type ApiClient, type KubeObject, type ResourceRef } from '../../client/types.js';

export const FINALIZER_KUBERNETES = 'kubernetes';

/** wait after a namespace event before acting (upstream namespaceDeletionGracePeriod) */
export const NAMESPACE_DELETION_GRACE_MS = 5_000;
/** how long to wait for content held by finalizers (upstream finalizerEstimateSeconds) */
export const FINALIZER_ESTIMATE_SECONDS = 15;

const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;
type ConditionType = (typeof CONDITION_TYPES)[number];

const OK_MESSAGES: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content-preserving finalizers finished',
};
const OK_REASONS: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentHasNoFinalizers',
};

type NsObj = Namespace & KubeObject;

/** a namespace still has content; look again after `estimateSeconds` */
export class ResourcesRemainingError extends Error {
  constructor(public readonly estimateSeconds: number) {
    super(`some content remains in the namespace, estimate ${estimateSeconds} seconds before it is removed`);
  }
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const ref = (info: ResourceInfo): ResourceRef => ({ group: info.group, version: info.version, plural: info.plural });

/** the namespaced resources whose content is deleted, in registry order (one version of each custom resource) */
export function namespacedResources(all: ResourceInfo[] = RESOURCES): ResourceInfo[] {
  const seen = new Set<string>();
  return all.filter((r) => {
    if (!r.namespaced || r.virtual || !r.verbs.includes('list') || !r.verbs.includes('delete')) return false;
    if (!r.custom) return true;
    const key = `${r.group}/${r.plural}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface NamespaceControllerOptions {
  /** the process's shared informers (default: the controller's own) */
  informers?: SharedInformerFactory;
  workers?: number;
  onError?: (key: string, err: unknown) => void;
}

interface Remaining {
  /** "<resource>.<group>" -> count */
  byResource: Map<string, number>;
  /** finalizer -> count */
  byFinalizer: Map<string, number>;
}

export class NamespaceController {
  private readonly namespaces: Informer<NsObj>;
  private readonly queue: WorkQueue<string>;
  private running: Promise<void> | undefined;

  private readonly informers: SharedInformerFactory;
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly opts: NamespaceControllerOptions = {},
  ) {
    this.informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.namespaces = this.informers.informerFor(R.namespaces);
    this.queue = new WorkQueue(clock);
  }

  async start(): Promise<void> {
    const enqueue = (ns: NsObj) => {
      if (ns.metadata.deletionTimestamp) this.queue.addAfter(objectKey(ns), NAMESPACE_DELETION_GRACE_MS);
    };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_a, b) => enqueue(b) });
    await this.namespaces.start();
    this.running = runWorkers(this.queue, this.opts.workers ?? 10, (key) => this.sync(key), this.opts.onError);
  }

  stop(): void {
    this.namespaces.stop();
    this.queue.shutdown();
  }

  /** process one namespace; content left means a requeue after the estimate (not an error) */
  async sync(name: string): Promise<void> {
    try {
      await this.deleteNamespace(name);
    } catch (err) {
      if (err instanceof ResourcesRemainingError) {
        this.queue.addAfter(name, (Math.floor(err.estimateSeconds / 2) + 1) * 1000);
        return;
      }
      throw err;
    }
  }

  /** upstream namespacedResourcesDeleter.Delete */
  async deleteNamespace(name: string): Promise<void> {
    let ns: NsObj;
    try {
      ns = await this.client.get<NsObj>(R.namespaces, undefined, name);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.client.update<NsObj>(R.namespaces, undefined, { ...ns, status: { ...(ns.status ?? {}), phase: 'Terminating' } }, {}, 'status');
    }
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    await this.finalize(name);
  }

  /** remove "kubernetes" from spec.finalizers (PUT .../finalize), re-reading on conflicts */
  private async finalize(name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ns = await this.client.get<NsObj>(R.namespaces, undefined, name);
        const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES);
        await this.client.update(R.namespaces, undefined, { ...ns, spec: { ...(ns.spec ?? {}), finalizers } }, {}, 'finalize');
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return;
        if (err instanceof ApiError && err.code === 409 && attempt < 5) continue;
        throw err;
      }
    }
  }

  /** delete everything in the namespace; returns seconds to wait for what remains */
  private async deleteAllContent(ns: NsObj): Promise<number> {
    const namespace = ns.metadata.name!;
    let estimate = 0;
    const errors: string[] = [];
    const remaining: Remaining = { byResource: new Map(), byFinalizer: new Map() };
    for (const info of namespacedResources(this.client.resources?.all())) {
      try {
        const r = await this.deleteAllOf(info, namespace);
        estimate = Math.max(estimate, r.estimate);
        if (r.remaining > 0) remaining.byResource.set(`${info.plural}.${info.group}`, (remaining.byResource.get(`${info.plural}.${info.group}`) ?? 0) + r.remaining);
        for (const [f, n] of r.finalizers) remaining.byFinalizer.set(f, (remaining.byFinalizer.get(f) ?? 0) + n);
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    await this.updateConditions(ns, remaining, errors);
    if (errors.length) throw new Error(errors.join(', '));
    return estimate;
  }

  private async deleteAllOf(info: ResourceInfo, namespace: string): Promise<{ estimate: number; remaining: number; finalizers: Map<string, number> }> {
    const res = ref(info);
    let estimate = info.kind === 'Pod' && info.group === '' ? await this.estimatePods(namespace) : 0;
    if (info.verbs.includes('deletecollection')) {
      await this.client.deleteCollection(res, namespace, { propagationPolicy: 'Background' });
    } else {
      const list = await this.client.list(res, namespace);
      for (const item of list.items) {
        try {
          await this.client.delete(res, namespace, item.metadata.name!, { propagationPolicy: 'Background' });
        } catch (err) {
          if (!(err instanceof ApiError && err.code === 404)) throw err;
        }
      }
    }
    const left = (await this.client.list(res, namespace)).items;
    const finalizers = new Map<string, number>();
    for (const item of left) for (const f of item.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (left.length === 0) return { estimate, remaining: 0, finalizers };
    if (estimate === 0) {
      // content held by finalizers is normal (the garbage collector is working on it)
      if (finalizers.size === 0) {
        throw new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${info.group}/${info.version}, Resource=${info.plural}`);
      }
      estimate = FINALIZER_ESTIMATE_SECONDS;
    }
    return { estimate, remaining: left.length, finalizers };
  }

  /** the longest grace period of the namespace's non-terminal pods (upstream estimateGracefulTerminationForPods) */
  private async estimatePods(namespace: string): Promise<number> {
    const pods = (await this.client.list<Pod & KubeObject>(R.pods, namespace)).items;
    let estimate = 0;
    for (const p of pods) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const grace = p.spec?.terminationGracePeriodSeconds;
      if (grace !== undefined && grace !== null && grace > estimate) estimate = grace;
    }
    return estimate;
  }

  private async updateConditions(ns: NsObj, remaining: Remaining, errors: string[]): Promise<void> {
    const wanted = new Map<ConditionType, { status: string; reason: string; message: string }>();
    if (errors.length) {
      wanted.set('NamespaceDeletionContentFailure', {
        status: 'True',
        reason: 'ContentDeletionFailed',
        message: `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}`,
      });
    }
    const resources = [...remaining.byResource].filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
    if (resources.length) {
      wanted.set('NamespaceContentRemaining', { status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
    }
    const finalizers = [...remaining.byFinalizer].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
    if (finalizers.length) {
      wanted.set('NamespaceFinalizersRemaining', {
        status: 'True',
        reason: 'SomeFinalizersRemain',
        message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`,
      });
    }
    const now = rfc3339(this.clock.now());
    const conditions: NamespaceCondition[] = [...(ns.status?.conditions ?? [])].map((c) => ({ ...c }));
    let changed = false;
    for (const type of CONDITION_TYPES) {
      const want = wanted.get(type) ?? { status: 'False', reason: OK_REASONS[type], message: OK_MESSAGES[type] };
      const old = conditions.find((c) => c.type === type);
      if (!old) {
        conditions.push({ type, status: want.status, lastTransitionTime: now, reason: want.reason, message: want.message });
        changed = true;
      } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
        Object.assign(old, want, { lastTransitionTime: now });
        changed = true;
      }
    }
    if (!changed) return;
    try {
      await this.client.update(R.namespaces, undefined, { ...ns, status: { ...(ns.status ?? {}), conditions } }, {}, 'status');
    } catch {
      // best effort, as upstream: the next pass writes them again
    }
  }
}
