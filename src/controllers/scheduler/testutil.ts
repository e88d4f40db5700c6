// Builders for scheduler tests (also used by other tests in this folder).

import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export function makeNode(name: string, opts: { labels?: Record<string, string>; cpu?: string; memory?: string; pods?: string; taints?: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110', 'ephemeral-storage': '100Gi' } },
  };
}

let seq = 0;
export function makePod(name: string, opts: { ns?: string; cpu?: string; memory?: string; priority?: number; nodeName?: string; labels?: Record<string, string>; spec?: Partial<Pod['spec']> } = {}): Pod {
  seq++;
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}`, labels: opts.labels, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: Object.keys(requests).length ? { requests } : undefined }],
      nodeName: opts.nodeName,
      priority: opts.priority,
      ...(opts.spec ?? {}),
    },
  };
}
