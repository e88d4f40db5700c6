// The disruption controller (pkg/controller/disruption/disruption.go): for each
// PodDisruptionBudget, count the healthy pods its selector matches and the pods their
// controllers expect, and publish disruptionsAllowed (what the eviction subresource spends)
// with the DisruptionAllowed condition. Evictions the budget recorded in status.disruptedPods
// stop counting as healthy until the pod is gone or two minutes pass.

import { isDeepStrictEqual } from 'node:util';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';
import { type Informer, objectKey, unwrapTombstone, type DeletedFinalStateUnknown } from '../../client/informer.js';
import { WorkQueue, runWorkers } from '../../client/workqueue.js';
import { SharedInformerFactory } from '../../client/factory.js';
import { EventRecorder, type Recorder } from '../../client/events.js';
import { labelSelectorMatcher } from '../../api/selectors/index.js';
import { controllerOf, errMsg, isNotFound } from '../controllerutil.js';
import { isPodReady } from '../daemonset/util.js';

export type PDB = PodDisruptionBudget & KubeObject;
type PodT = Pod & KubeObject;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const COMPONENT = 'controllermanager';
/** DeletionTimeout: an eviction not seen through within this long no longer counts */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
const PDBS = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' };

export interface DisruptionControllerOptions {
  recorder?: Recorder;
  informers?: SharedInformerFactory;
}

function rfc3339(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** intstr.GetScaledValueFromIntOrPercent, rounding up */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

export class DisruptionController {
  readonly pdbInformer: Informer<PDB>;
  readonly podInformer: Informer<PodT>;
  readonly queue: WorkQueue<string>;
  readonly recorder: Recorder;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    opts: DisruptionControllerOptions = {},
  ) {
    const informers = opts.informers ?? new SharedInformerFactory(client, clock);
    this.recorder = opts.recorder ?? new EventRecorder(client, clock, COMPONENT);
    this.queue = new WorkQueue<string>(clock);
    this.pdbInformer = informers.informerFor<PDB>(PDBS);
    this.podInformer = informers.informerFor<PodT>(R.pods);
    this.pdbInformer.addEventHandler({
      onAdd: (p) => this.queue.add(objectKey(p)),
      onUpdate: (_o, p) => this.queue.add(objectKey(p)),
      onDelete: (p) => this.queue.add(objectKey(unwrapTombstone(p))),
    });
    const podChanged = (p: PodT | DeletedFinalStateUnknown<PodT>) => {
      for (const pdb of this.budgetsFor(unwrapTombstone(p))) this.queue.add(objectKey(pdb));
    };
    this.podInformer.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  async start(): Promise<void> {
    await Promise.all([this.pdbInformer.start(), this.podInformer.start()]);
    this.running = runWorkers(this.queue, 1, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
    this.pdbInformer.stop();
    this.podInformer.stop();
  }

  async done(): Promise<void> {
    await this.running;
  }

  private budgetsFor(pod: PodT): PDB[] {
    return this.pdbInformer.listNamespace(pod.metadata.namespace ?? '').filter((pdb) => labelSelectorMatcher(pdb.spec?.selector)(pod.metadata.labels));
  }

  async sync(key: string): Promise<void> {
    const pdb = this.pdbInformer.get(key);
    if (!pdb) return;
    const now = this.clock.now();
    const match = labelSelectorMatcher(pdb.spec?.selector);
    const pods = this.podInformer.listNamespace(pdb.metadata.namespace ?? '').filter((p) => match(p.metadata.labels));
    if (!pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let expected: number;
    let desired: number;
    try {
      ({ expected, desired } = await this.expectedAndDesired(pdb, pods));
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${errMsg(e)}`);
      await this.writeStatus(pdb, this.failSafe(pdb, errMsg(e), now));
      return;
    }
    // evictions still in flight: pods recorded by the eviction subresource, until gone or timed out
    const disrupted: Record<string, string> = {};
    let recheck: number | undefined;
    for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
      const pod = pods.find((p) => p.metadata.name === name);
      if (!pod || pod.metadata.deletionTimestamp) continue;
      const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expires <= now) {
        this.recorder.event(pdb, 'Warning', 'NotDeleted', `Pod ${pod.metadata.namespace}/${name} was expected to be deleted but it wasn't`);
        continue;
      }
      disrupted[name] = at;
      recheck = Math.min(recheck ?? Infinity, expires - now);
    }
    const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isPodReady(p)).length;
    const allowed = Math.max(0, healthy - desired);
    const status: Mutable<PodDisruptionBudgetStatus> = {
      ...structuredClone(pdb.status ?? {}),
      observedGeneration: pdb.metadata.generation,
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
    };
    if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
    else delete status.disruptedPods;
    status.conditions = this.condition(pdb, allowed > 0 ? 'True' : 'False', allowed > 0 ? 'SufficientPods' : 'InsufficientPods', '', now);
    await this.writeStatus(pdb, status);
    if (recheck !== undefined) this.queue.addAfter(key, recheck);
  }

  /** getExpectedPodCount: from the pods' controllers when a percentage or maxUnavailable is used */
  private async expectedAndDesired(pdb: PDB, pods: PodT[]): Promise<{ expected: number; desired: number }> {
    const { minAvailable, maxUnavailable } = pdb.spec ?? {};
    if (maxUnavailable != null) {
      const expected = await this.expectedFromControllers(pods);
      return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected)) };
    }
    if (minAvailable != null) {
      if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable };
      const expected = await this.expectedFromControllers(pods);
      return { expected, desired: scaledValue(minAvailable, expected) };
    }
    return { expected: pods.length, desired: 0 };
  }

  /** the sum of the scales of the pods' distinct controllers (Deployment over its ReplicaSet) */
  private async expectedFromControllers(pods: PodT[]): Promise<number> {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp) continue;
      const ref = controllerOf(pod);
      if (!ref) throw new Error(`found no controller ref for pod "${pod.metadata.name}"`);
      const ns = pod.metadata.namespace;
      let found: { uid: string; replicas: number } | undefined;
      try {
        if (ref.kind === 'ReplicaSet') {
          const rs = await this.client.get<KubeObject & { spec?: { replicas?: number } }>(R.replicasets, ns, ref.name);
          const dref = controllerOf(rs);
          if (dref?.kind === 'Deployment') {
            const d = await this.client.get<KubeObject & { spec?: { replicas?: number } }>(R.deployments, ns, dref.name);
            found = { uid: d.metadata.uid!, replicas: d.spec?.replicas ?? 1 };
          } else {
            found = { uid: rs.metadata.uid!, replicas: rs.spec?.replicas ?? 1 };
          }
        } else if (ref.kind === 'StatefulSet' || ref.kind === 'ReplicationController') {
          const res = ref.kind === 'StatefulSet' ? { group: 'apps', version: 'v1', plural: 'statefulsets' } : { group: '', version: 'v1', plural: 'replicationcontrollers' };
          const scale = await this.client.get<KubeObject & { spec?: { replicas?: number } }>(res, ns, ref.name, 'scale');
          found = { uid: ref.uid, replicas: scale.spec?.replicas ?? 0 };
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      seen.set(found.uid, found.replicas);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  }

  private condition(pdb: PDB, status: 'True' | 'False', reason: string, message: string, now: number) {
    const old = (pdb.status?.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
    const rest = (pdb.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
    return [
      ...rest,
      {
        type: 'DisruptionAllowed',
        status,
        reason,
        message,
        observedGeneration: pdb.metadata.generation,
        lastTransitionTime: old?.status === status ? old.lastTransitionTime : rfc3339(now),
      },
    ];
  }

  /** failSafe: on errors no disruption is allowed */
  private failSafe(pdb: PDB, message: string, now: number): PodDisruptionBudgetStatus {
    return {
      ...structuredClone(pdb.status ?? {}),
      observedGeneration: pdb.metadata.generation,
      disruptionsAllowed: 0,
      conditions: this.condition(pdb, 'False', 'SyncFailed', message, now),
    } as PodDisruptionBudgetStatus;
  }

  private async writeStatus(pdb: PDB, status: PodDisruptionBudgetStatus): Promise<void> {
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(status)), pdb.status ?? {})) return;
    try {
      await this.client.update<PDB>(PDBS, pdb.metadata.namespace, { ...pdb, status }, undefined, 'status');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
