// What the page's buttons do: each the API call kubectl makes for the same command.

import { send } from './api.js';
import { formatTaint, type DaemonSetObject, type NodeObject, type Taint } from './model.js';

const SMP = 'application/strategic-merge-patch+json';
const nodePath = (name: string, manager: string) => `/api/v1/nodes/${encodeURIComponent(name)}?fieldManager=${manager}`;

/** kubectl cordon / uncordon: a strategic merge patch of spec.unschedulable (null removes it, as kubectl's two-way patch does) */
export function setCordon(node: string, cordoned: boolean): Promise<unknown> {
  return send('PATCH', nodePath(node, 'kindling-ui'), { spec: { unschedulable: cordoned ? true : null } }, SMP);
}

/**
 * kubectl taint nodes NODE KEY[=VALUE]:EFFECT: spec.taints is an atomic list, so the patch carries
 * the whole new list; kubectl stamps timeAdded on NoExecute taints and refuses a second taint with
 * the same key and effect (without --overwrite).
 */
export function addTaint(node: NodeObject, taint: Taint, now = new Date()): Promise<unknown> {
  const existing = node.spec?.taints ?? [];
  if (existing.some((t) => t.key === taint.key && t.effect === taint.effect)) {
    return Promise.reject(new Error(`node ${node.metadata.name} already has a taint with key (${taint.key}) and effect (${taint.effect})`));
  }
  const added: Taint = taint.effect === 'NoExecute' ? { ...taint, timeAdded: rfc3339(now) } : taint;
  return send('PATCH', nodePath(node.metadata.name, 'kindling-ui'), { spec: { taints: [...existing, added] } }, SMP);
}

/** kubectl taint nodes NODE KEY:EFFECT- */
export function removeTaint(node: NodeObject, taint: Taint): Promise<unknown> {
  const rest = (node.spec?.taints ?? []).filter((t) => !(t.key === taint.key && t.effect === taint.effect));
  if (rest.length === (node.spec?.taints ?? []).length) return Promise.reject(new Error(`taint "${formatTaint(taint)}" not found`));
  return send('PATCH', nodePath(node.metadata.name, 'kindling-ui'), { spec: { taints: rest.length ? rest : null } }, SMP);
}

/** kindling node stop|start: the cluster's control channel (src/cluster/control.ts) */
export function setNodeRunning(node: string, running: boolean): Promise<unknown> {
  return send('POST', `/kindling/v1/nodes/${encodeURIComponent(node)}/${running ? 'start' : 'stop'}`);
}

/** kubectl rollout restart daemonset/NAME: the restartedAt annotation on the pod template */
export function rolloutRestart(ds: DaemonSetObject, now = new Date()): Promise<unknown> {
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(ds.metadata.namespace!)}/daemonsets/${encodeURIComponent(ds.metadata.name)}?fieldManager=kindling-ui`;
  return send('PATCH', path, { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339(now) } } } } }, SMP);
}

/** Go's time.RFC3339 (seconds, no fraction) */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
