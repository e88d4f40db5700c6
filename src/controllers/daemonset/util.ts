// Small upstream helpers the DaemonSet controller needs: pod readiness and availability,
// the pod ordering, "is this pod updated", template generation, percent resolution of
// maxSurge/maxUnavailable, and the pod template daemon pods are created from.

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { addOrUpdateDaemonPodTolerations } from './predicates.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Ready, and Ready for longer than minReadySeconds (strictly) at `now` (ms) */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'Ready');
  if (!c?.lastTransitionTime) return false;
  return Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 < now;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

function ts(pod: Pod): number {
  return pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : 0;
}

/** podByCreationTimestampAndPhase: scheduled first, then oldest first, then by name */
export function comparePods(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const d = ts(a) - ts(b);
  if (d !== 0) return d;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** the DaemonSet's templateGeneration from the apps/v1 annotation; undefined if absent or bad */
export function getTemplateGeneration(ds: DaemonSet): number | undefined {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** util.IsPodUpdated: hash label equals the current hash, or generation label equals templateGeneration */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** intstr.GetScaledValueFromIntOrPercent with roundUp=true */
export function scaledValue(v: number | string | undefined, total: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
    throw new Error(`invalid value "${v}": a valid percent string must be a numeric string followed by an ending '%'`);
  }
  return Math.ceil((Number(m[1]) * total) / 100);
}

function rolling(ds: DaemonSet) {
  return ds.spec?.updateStrategy?.type === 'RollingUpdate' ? ds.spec.updateStrategy.rollingUpdate : undefined;
}

/** util.SurgeCount */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = rolling(ds);
  if (!r) return 0;
  return scaledValue(r.maxSurge, numberToSchedule);
}

/** util.UnavailableCount */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = rolling(ds);
  if (!r) return 0;
  return scaledValue(r.maxUnavailable, numberToSchedule);
}

/** util.AllowsSurge */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}

/** util.CreatePodTemplate: tolerations, pod-template-generation and controller-revision-hash labels */
export function createPodTemplate(template: PodTemplateSpec | undefined, generation: number | undefined, hash: string): PodTemplateSpec {
  const t = structuredClone(template ?? {}) as PodTemplateSpec;
  t.spec = t.spec ?? { containers: [] };
  addOrUpdateDaemonPodTolerations(t.spec);
  t.metadata = t.metadata ?? {};
  const labels = { ...(t.metadata.labels ?? {}) };
  if (generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  t.metadata.labels = labels;
  return t;
}
