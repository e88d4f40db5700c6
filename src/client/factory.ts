// client-go's SharedInformerFactory: one informer per resource and list options, shared by every
// controller (and the simulated kubelets) of a process, so each object is cached and each
// event dispatched once per resource instead of once per controller. Users take informers and
// register indexers and handlers before start(); each informer runs while any of its users
// (the factory's start() included) has started and not yet stopped it.

import type { Clock } from '../clock/clock.js';
import { RealClock } from '../clock/clock.js';
import { Informer } from './informer.js';
import type { ApiClient, KubeObject, ResourceRef } from './types.js';

/** the list options an informer is keyed on (client-go's tweakListOptions and namespace) */
export interface SharedInformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, Informer<any>>();
  private readonly started = new Set<Informer<any>>();

  constructor(
    readonly client: ApiClient,
    readonly clock: Clock = new RealClock(),
  ) {}

  /** the one informer for this resource and options (created on first use, not started) */
  informerFor<T extends KubeObject = KubeObject>(res: ResourceRef, opts: SharedInformerOptions = {}): Informer<T> {
    const key = [res.group, res.version, res.plural, opts.namespace ?? '', opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<T>(this.client, res, { ...opts, clock: this.clock });
      this.informers.set(key, inf);
    }
    return inf as Informer<T>;
  }

  /** start every informer taken so far that this factory has not started; resolves when all are synced */
  async start(): Promise<void> {
    const todo = [...this.informers.values()].filter((i) => !this.started.has(i));
    for (const i of todo) this.started.add(i);
    await Promise.all(todo.map((i) => i.start()));
  }

  /** release the factory's hold on its informers (each stops once its other users have too) */
  stop(): void {
    for (const i of this.started) i.stop();
    this.started.clear();
  }
}
