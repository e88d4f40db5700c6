// Every controller of a kindling cluster, started together (what kube-controller-manager
// and kube-scheduler are upstream). Each runs on the same ApiClient and Clock, and takes its
// informers from one SharedInformerFactory (one cache and one event stream per resource).

import type { ApiClient } from '../client/types.js';
import type { Clock } from '../clock/clock.js';
import { SharedInformerFactory } from '../client/factory.js';
import { CONTROLLER_MANAGER_LIMITS, SCHEDULER_LIMITS, TokenBucket, rateLimitedClient } from '../client/ratelimit.js';
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
import { DisruptionController } from './disruption/index.js';

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
  DisruptionController,
};

export interface ControllerSet {
  names: string[];
  stop(): Promise<void>;
}

/** per-controller options by constructor name, e.g. { NodeLifecycleController: { gracePeriodMs: 15_000 } } */
export type ControllerOptions = Record<string, unknown>;

/**
 * client-side rate limits as upstream's defaults set them: kube-controller-manager gives each
 * controller its own client at --kube-api-qps (20, burst 30), kube-scheduler its client 50
 * (burst 100). Unset = unlimited (kindling's default).
 */
export interface ClientLimits {
  controllerQps?: number;
  schedulerQps?: number;
}

/**
 * construct every controller over `informers` (indexers and handlers are registered in their
 * constructors and start()), then start them; the informers run until the last user stops
 */
export async function startControllers(
  client: ApiClient,
  clock: Clock,
  options: ControllerOptions = {},
  informers = new SharedInformerFactory(client, clock),
  limits: ClientLimits = {},
): Promise<ControllerSet> {
  const buckets: TokenBucket[] = [];
  const clientOf = (name: string): ApiClient => {
    const scheduler = name === 'Scheduler';
    const qps = scheduler ? limits.schedulerQps : limits.controllerQps;
    if (!qps) return client;
    const bucket = new TokenBucket(qps, (scheduler ? SCHEDULER_LIMITS : CONTROLLER_MANAGER_LIMITS).burst, clock);
    buckets.push(bucket);
    return rateLimitedClient(client, bucket);
  };
  const running = Object.entries(CONTROLLERS).map(([name, Ctor]) => ({
    name,
    c: new Ctor(clientOf(name), clock, { ...(options[name] as object | undefined), informers }),
  }));
  await Promise.all(running.map((r) => r.c.start()));
  return {
    names: running.map((r) => r.name),
    async stop() {
      for (const r of running.reverse()) await r.c.stop();
      for (const b of buckets) b.stop();
    },
  };
}
