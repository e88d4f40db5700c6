// Test fixtures mirroring upstream daemon_controller_test.go: the `foo` DaemonSet, nodes
// `node-N`, pods, and expectSyncDaemonSets (creates, deletes, events of one sync).

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { FakeRecorder } from '../../client/events.js';
import { R, type KubeObject } from '../../client/types.js';
import { DaemonSetController } from './controller.js';
import { computeHash } from './revision.js';
import { REVISION_HASH_LABEL } from './util.js';

export const simpleDaemonSetLabel = { name: 'simple-daemon', type: 'production' };
export const simpleDaemonSetLabel2 = { name: 'simple-daemon', type: 'test' };
export const simpleNodeLabel = { color: 'blue', speed: 'fast' };
export const simpleNodeLabel2 = { color: 'red', speed: 'fast' };

export type DS = DaemonSet & KubeObject;
export type PodT = Pod & KubeObject;
export type NodeT = Node & KubeObject;

/** DS cast for writes: kubernetes-types fields are read-only */
export type W<T> = { -readonly [K in keyof T]: T[K] extends object ? W<T[K]> : T[K] };

export function newDaemonSet(name = 'foo', strategy: 'OnDelete' | 'RollingUpdate' = 'OnDelete'): DS {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      revisionHistoryLimit: 2,
      updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { ...simpleDaemonSetLabel } },
      template: {
        metadata: { labels: { ...simpleDaemonSetLabel } },
        spec: {
          containers: [{ name: '', image: 'foo/bar', terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent' }],
          dnsPolicy: 'Default',
        },
      },
    },
  } as DS;
}

export function newNode(name: string, labels?: Record<string, string>): NodeT {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, namespace: '', labels },
    status: { conditions: [{ type: 'Ready', status: 'True' }], allocatable: {} },
  } as NodeT;
}

let podSeq = 0;
export function newPod(prefix: string, nodeName: string, labels: Record<string, string>, ds?: DS, created?: string): PodT {
  const l = { ...labels };
  let spec: Record<string, unknown> = { containers: [{ name: '', image: 'foo/bar' }] };
  if (ds) {
    l[REVISION_HASH_LABEL] = computeHash(ds.spec?.template, ds.status?.collisionCount);
    spec = structuredClone(ds.spec!.template.spec!) as unknown as Record<string, unknown>;
  }
  if (nodeName) spec.nodeName = nodeName;
  const pod: PodT = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${prefix}${String(podSeq++).padStart(5, '0')}`, namespace: 'default', labels: l, creationTimestamp: created },
    spec,
  } as unknown as PodT;
  if (ds) pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name!, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }];
  return pod;
}

export interface Env {
  client: FakeClient;
  clock: FakeClock;
  recorder: FakeRecorder;
  ctrl: DaemonSetController;
}

export async function newEnv(opts: { burstReplicas?: number } = {}): Promise<Env> {
  const clock = new FakeClock();
  const client = new FakeClient([], { clock });
  const recorder = new FakeRecorder();
  const ctrl = new DaemonSetController(client, clock, { recorder, burstReplicas: opts.burstReplicas });
  await ctrl.startInformers();
  return { client, clock, recorder, ctrl };
}

export function addNodes(env: Env, start: number, n: number, labels?: Record<string, string>): void {
  for (let i = start; i < start + n; i++) env.client.seed(R.nodes, newNode(`node-${i}`, labels));
}

export function addPods(env: Env, nodeName: string, labels: Record<string, string>, ds: DS | undefined, n: number): PodT[] {
  const out: PodT[] = [];
  for (let i = 0; i < n; i++) out.push(env.client.seed(R.pods, newPod(`${nodeName}-`, nodeName, labels, ds)));
  return out;
}

export function addDS(env: Env, ds: DS): DS {
  return env.client.seed(R.daemonsets, ds);
}

/** pod-control events are not counted by upstream's fake recorder */
const POD_CONTROL_REASONS = new Set(['SuccessfulCreate', 'SuccessfulDelete', 'FailedCreate', 'FailedDelete']);

export interface SyncResult {
  creates: number;
  deletes: number;
  events: number;
  err?: unknown;
  created: PodT[];
}

/** one sync; counts pod creates/deletes the client saw and controller events */
export async function syncOnce(env: Env, ds: DS): Promise<SyncResult> {
  env.client.clearActions();
  env.recorder.events.length = 0;
  let err: unknown;
  try {
    await env.ctrl.syncDaemonSet(`${ds.metadata.namespace}/${ds.metadata.name}`);
  } catch (e) {
    err = e;
  }
  const acts = env.client.actions();
  const created = acts.filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object as PodT);
  return {
    creates: created.length,
    deletes: acts.filter((a) => a.verb === 'delete' && a.resource === 'pods').length,
    events: env.recorder.events.filter((e) => !POD_CONTROL_REASONS.has(e.split(' ')[1])).length,
    err,
    created,
  };
}

/** expectSyncDaemonSets(t, manager, ds, podControl, c, d, e) as a comparable triple */
export async function sync3(env: Env, ds: DS): Promise<[number, number, number]> {
  const r = await syncOnce(env, ds);
  return [r.creates, r.deletes, r.events];
}

export function getDS(env: Env, ds: DS): DS {
  return env.client.peek<DS>(R.daemonsets, 'default', ds.metadata.name!)!;
}

export function dsPods(env: Env): PodT[] {
  return env.client.all<PodT>(R.pods);
}

/** mark pods Ready=True (lastTransitionTime = clock now) */
export async function markPodsReady(env: Env, pods: PodT[], ready = true): Promise<void> {
  const now = new Date(env.clock.now()).toISOString().replace('.000Z', 'Z');
  for (const p of pods) {
    const cur = env.client.peek<PodT>(R.pods, 'default', p.metadata.name!);
    if (!cur) continue;
    const status = { ...(cur.status ?? {}), phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }] };
    await env.client.update(R.pods, 'default', { ...cur, status } as PodT, undefined, 'status');
  }
}

export async function markAllReady(env: Env): Promise<void> {
  await markPodsReady(env, dsPods(env));
}

export async function setPodPhase(env: Env, pod: PodT, phase: string): Promise<void> {
  const cur = env.client.peek<PodT>(R.pods, 'default', pod.metadata.name!)!;
  await env.client.update(R.pods, 'default', { ...cur, status: { ...(cur.status ?? {}), phase } } as PodT, undefined, 'status');
}
