// Every controller of a kindling cluster, started together (what kube-controller-manager
// and kube-scheduler are upstream). Each runs on the same ApiClient and Clock, and takes its
// informers from one SharedInformerFactory (one cache and one event stream per resource).

import type { ApiClient } from '../client/types.js';
import type { Clock } from '../clock/clock.js';
import { SharedInformerFactory } from '../client/factory.js';
import { DaemonSetController } from './daemonset/index.js';
import { Scheduler } from './scheduler/scheduler.js';
import { GarbageCollector, PodGarbageCollector } from './garbagecollector/index.js';
import { NamespaceController } from './namespace/index.js';
import { NodeLifecycleController } from './nodelifecycle/index.js';
import { TaintEvictionController } from './tainteviction/index.js';
import { EndpointsController, EndpointSliceController } from './endpoints/index.js';
import { ReplicaSetController } from './replicaset/index.js';
import { DeploymentController } from './deployment/index.js';
import { JobController } from './job/index.js';
import { CronJobController } from './cronjob/index.js';
import { TTLAfterFinishedController } from './ttlafterfinished/index.js';

interface Runnable {
  start(): Promise<void>;
  stop(): void | Promise<void>;
}

type ControllerClass = new (client: ApiClient, clock: Clock, opts?: any) => Runnable;

/** every controller, by the name its options are keyed on */
const CONTROLLERS: Record<string, ControllerClass> = {
  DaemonSetController,
  Scheduler,
  GarbageCollector,
  PodGarbageCollector,
  NamespaceController,
  NodeLifecycleController,
  TaintEvictionController,
  EndpointsController,
  EndpointSliceController,
  ReplicaSetController,
  DeploymentController,
  JobController,
  CronJobController,
  TTLAfterFinishedController,
};

export interface ControllerSet {
  names: string[];
  stop(): Promise<void>;
}

/** per-controller options by constructor name, e.g. { NodeLifecycleController: { gracePeriodMs: 15_000 } } */
export type ControllerOptions = Record<string, unknown>;

/**
 * construct every controller over `informers` (indexers and handlers are registered in their
 * constructors and start()), then start them; the informers run until the last user stops
 */
export async function startControllers(
  client: ApiClient,
  clock: Clock,
  options: ControllerOptions = {},
  informers = new SharedInformerFactory(client, clock),
): Promise<ControllerSet> {
  const running = Object.entries(CONTROLLERS).map(([name, Ctor]) => ({
    name,
    c: new Ctor(client, clock, { ...(options[name] as object | undefined), informers }),
  }));
  await Promise.all(running.map((r) => r.c.start()));
  return {
    names: running.map((r) => r.name),
    async stop() {
      for (const r of running.reverse()) await r.c.stop();
    },
  };
}
