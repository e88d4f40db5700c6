// An example controller for a custom resource, written against @kubernetes/client-node only
// (nothing from kindling): informers on Greetings and on the ConfigMaps it manages, a work
// queue of namespace/name keys, and an idempotent reconcile that makes each Greeting's
// ConfigMap (owned by the Greeting) and reports Ready in its status. Its tests
// (controller.test.ts) run it against a kindling cluster started in the test's process.

import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1ConfigMap,
} from '@kubernetes/client-node';

export const GROUP = 'demo.kindling.dev';
export const VERSION = 'v1';
export const PLURAL = 'greetings';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const ME = 'greeting-controller';

export interface Greeting extends KubernetesObject {
  spec: { message: string; shout?: boolean };
  status?: {
    observedGeneration?: number;
    configMap?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
  };
}

/** client-go's work queue in miniature: a key is never processed twice at once, failures back off */
class WorkQueue {
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private wake: (() => void) | undefined;
  private closed = false;

  add(key: string): void {
    if (this.closed) return;
    this.dirty.add(key);
    this.wake?.();
  }

  addRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    setTimeout(() => this.add(key), Math.min(5 * 2 ** n, 5_000)).unref();
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** the next key not being processed, or undefined once shut down */
  async get(): Promise<string | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const key = [...this.dirty].find((k) => !this.processing.has(k));
      if (key !== undefined) {
        this.dirty.delete(key);
        this.processing.add(key);
        return key;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.wake?.();
  }

  shutdown(): void {
    this.closed = true;
    this.wake?.();
  }
}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

export class GreetingController {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly greetings: Informer<Greeting> & ObjectCache<Greeting>;
  private readonly configMaps: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;
  private readonly queue = new WorkQueue();
  private worker: Promise<void> | undefined;

  constructor(kc: KubeConfig, private readonly log: (msg: string) => void = () => {}) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.greetings = makeInformer<Greeting>(kc, `/apis/${GROUP}/${VERSION}/${PLURAL}`, () =>
      this.custom.listCustomObjectForAllNamespaces({ group: GROUP, version: VERSION, plural: PLURAL }),
    );
    this.configMaps = makeInformer<V1ConfigMap>(kc, '/api/v1/configmaps', () => this.core.listConfigMapForAllNamespaces({ labelSelector: `${MANAGED_BY}=${ME}` }), `${MANAGED_BY}=${ME}`);
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.greetings.on(verb, (g) => this.queue.add(keyOf(g)));
      // a ConfigMap changed or deleted by someone else is put back by its owner's reconcile
      this.configMaps.on(verb, (cm) => {
        const owner = cm.metadata?.ownerReferences?.find((r) => r.controller && r.kind === 'Greeting');
        if (owner) this.queue.add(`${cm.metadata?.namespace}/${owner.name}`);
      });
    }
    // informers restart their watch after errors; report them
    this.greetings.on('error', (err) => this.log(`greetings watch: ${err}`));
    this.configMaps.on('error', (err) => this.log(`configmaps watch: ${err}`));
  }

  async start(): Promise<void> {
    await Promise.all([this.greetings.start(), this.configMaps.start()]);
    this.worker = this.run();
  }

  async stop(): Promise<void> {
    this.queue.shutdown();
    await Promise.all([this.greetings.stop(), this.configMaps.stop()]);
    await this.worker;
  }

  private async run(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (err) {
        this.log(`reconcile ${key}: ${err}`);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** make the Greeting's ConfigMap match it, then say so in its status (idempotent) */
  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const greeting = this.greetings.get(name, namespace);
    // gone: its ConfigMap is garbage-collected through the ownerReference
    if (!greeting || greeting.metadata?.deletionTimestamp) return;
    const cmName = `greeting-${name}`;
    const message = greeting.spec.shout ? greeting.spec.message.toUpperCase() : greeting.spec.message;
    const existing = this.configMaps.get(cmName, namespace);
    if (!existing) {
      await this.core.createNamespacedConfigMap({
        namespace,
        body: {
          metadata: {
            name: cmName,
            namespace,
            labels: { [MANAGED_BY]: ME },
            ownerReferences: [
              { apiVersion: `${GROUP}/${VERSION}`, kind: 'Greeting', name, uid: greeting.metadata!.uid!, controller: true, blockOwnerDeletion: true },
            ],
          },
          data: { message },
        },
      }).catch((err) => {
        // the informer has not shown our earlier create yet
        if (!(err instanceof ApiException && err.code === 409)) throw err;
      });
    } else if (existing.data?.message !== message) {
      await this.core.replaceNamespacedConfigMap({ name: cmName, namespace, body: { ...existing, data: { ...existing.data, message } } });
    }
    const generation = greeting.metadata?.generation;
    const ready = greeting.status?.conditions?.find((c) => c.type === 'Ready');
    if (greeting.status?.observedGeneration === generation && greeting.status?.configMap === cmName && ready?.status === 'True') return;
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURAL,
        name,
        body: {
          status: {
            observedGeneration: generation,
            configMap: cmName,
            conditions: [{ type: 'Ready', status: 'True', reason: 'ConfigMapReady', message: `ConfigMap ${cmName} holds the message`, lastTransitionTime: ready?.status === 'True' ? ready.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}
