// Every controller of a kindling cluster, started together (what kube-controller-manager
// and kube-scheduler are upstream). Each runs on the same ApiClient and Clock.

import type { ApiClient } from '../client/types.js';
import type { Clock } from '../clock/clock.js';
import { DaemonSetController } from './daemonset/index.js';
import { Scheduler } from './scheduler/scheduler.js';

interface Runnable {
  start(): Promise<void>;
  stop(): void | Promise<void>;
}

/** controllers written in their own folders; loaded when present so a partial tree still runs */
const OPTIONAL: { path: string; exports: string[] }[] = [
  { path: './garbagecollector/index.js', exports: ['GarbageCollector', 'PodGarbageCollector'] },
  { path: './namespace/index.js', exports: ['NamespaceController'] },
  { path: './nodelifecycle/index.js', exports: ['NodeLifecycleController'] },
  { path: './tainteviction/index.js', exports: ['TaintEvictionController'] },
  { path: './endpoints/index.js', exports: ['EndpointsController', 'EndpointSliceController'] },
  { path: './replicaset/index.js', exports: ['ReplicaSetController'] },
  { path: './deployment/index.js', exports: ['DeploymentController'] },
];

export interface ControllerSet {
  names: string[];
  stop(): Promise<void>;
}

/** per-controller options by constructor name, e.g. { NodeLifecycleController: { gracePeriodMs: 15_000 } } */
export type ControllerOptions = Record<string, unknown>;

export async function startControllers(client: ApiClient, clock: Clock, options: ControllerOptions = {}): Promise<ControllerSet> {
  const running: { name: string; c: Runnable }[] = [
    { name: 'daemonset', c: new DaemonSetController(client, clock) },
    { name: 'scheduler', c: new Scheduler(client, clock) },
  ];
  for (const opt of OPTIONAL) {
    let mod: Record<string, unknown> | undefined;
    try {
      mod = (await import(opt.path)) as Record<string, unknown>;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    }
    for (const name of opt.exports) {
      const Ctor = mod?.[name] as (new (c: ApiClient, clock: Clock, o?: unknown) => Runnable) | undefined;
      if (Ctor) running.push({ name, c: new Ctor(client, clock, options[name]) });
    }
  }
  await Promise.all(running.map((r) => r.c.start()));
  return {
    names: running.map((r) => r.name),
    async stop() {
      for (const r of running.reverse()) await r.c.stop();
    },
  };
}
