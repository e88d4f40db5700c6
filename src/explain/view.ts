// What explain reads, through the API client only: informers over nodes, pods and
// ControllerRevisions (started on the first request, then kept, so a repeated explain over
// thousands of nodes costs only the evaluation), and a fresh GET of the DaemonSet asked about.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../clock/clock.js';
import { ApiError, notFound } from '../api/errors.js';
import { Informer } from '../client/informer.js';
import { R, type ApiClient, type KubeObject } from '../client/types.js';
import { explainDaemonSet, type Explanation } from './placement.js';

type CR = KubeObject & { data?: unknown };

export class ClusterView {
  private readonly nodes: Informer<Node & KubeObject>;
  private readonly pods: Informer<Pod & KubeObject>;
  private readonly revisions: Informer<CR>;
  private started: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    clock: Clock,
  ) {
    this.nodes = new Informer(client, R.nodes, { clock });
    this.pods = new Informer(client, R.pods, { clock });
    this.revisions = new Informer(client, R.controllerrevisions, { clock });
  }

  private ready(): Promise<void> {
    this.started ??= Promise.all([this.nodes.start(), this.pods.start(), this.revisions.start()]).then(() => undefined);
    return this.started;
  }

  stop(): void {
    this.nodes.stop();
    this.pods.stop();
    this.revisions.stop();
  }

  /** the stored DaemonSet, or undefined when there is none */
  async storedDaemonSet(namespace: string, name: string): Promise<DaemonSet | undefined> {
    try {
      return (await this.client.get<KubeObject>(R.daemonsets, namespace, name)) as DaemonSet;
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** explain a DaemonSet (stored, or given and not stored) against the cluster's nodes now */
  async explain(ds: DaemonSet, stored: DaemonSet | undefined, node?: string): Promise<Explanation> {
    await this.ready();
    if (node !== undefined && !this.nodes.get(node)) throw notFound({ group: '', resource: 'nodes' }, node);
    const ns = ds.metadata?.namespace ?? 'default';
    const nodes = this.nodes.keys().sort().map((k) => this.nodes.get(k)!);
    return explainDaemonSet({ ds, stored, revisions: this.revisions.listNamespace(ns), nodes, pods: this.pods.list(), node });
  }
}
