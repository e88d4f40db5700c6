// What the scheduler knows about one node: the node, its pods, their summed requests and the
// host ports they hold (upstream's framework.NodeInfo).

import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { intValue, milliCPU } from './quantity.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
}

/** upstream's defaults for containers that request nothing, used only for scoring */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function containerRequests(c: Container): Resources {
  const r = c.resources?.requests ?? {};
  return {
    milliCPU: milliCPU(r.cpu as string | undefined),
    memory: intValue(r.memory as string | undefined),
    ephemeralStorage: intValue(r['ephemeral-storage'] as string | undefined),
    pods: 0,
  };
}

const zero = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 });
const add = (a: Resources, b: Resources): Resources => ({
  milliCPU: a.milliCPU + b.milliCPU,
  memory: a.memory + b.memory,
  ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
  pods: a.pods + b.pods,
});
const max = (a: Resources, b: Resources): Resources => ({
  milliCPU: Math.max(a.milliCPU, b.milliCPU),
  memory: Math.max(a.memory, b.memory),
  ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
  pods: Math.max(a.pods, b.pods),
});

/**
 * The pod's effective request (component-helpers resource.PodRequests): the sum of its
 * containers plus restartable (sidecar) init containers, or the largest regular init container
 * plus the sidecars started before it, whichever is larger; plus the pod overhead.
 * With nonZero, containers that leave cpu/memory unset count upstream's defaults (for scoring).
 */
const requestCache = new WeakMap<Pod, Resources>();
const nonZeroCache = new WeakMap<Pod, Resources>();

export function podRequests(pod: Pod, nonZero = false): Resources {
  // pods from informers are shared and read-only, so their requests can be cached
  const cache = nonZero ? nonZeroCache : requestCache;
  const hit = cache.get(pod);
  if (hit) return { ...hit };
  const r = computePodRequests(pod, nonZero);
  cache.set(pod, r);
  return { ...r };
}

function computePodRequests(pod: Pod, nonZero: boolean): Resources {
  const req = (c: Container): Resources => {
    const r = containerRequests(c);
    if (nonZero) {
      const set = c.resources?.requests ?? {};
      if (set.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
      if (set.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
    }
    return r;
  };
  let sum = zero();
  for (const c of pod.spec?.containers ?? []) sum = add(sum, req(c));
  let sidecars = zero();
  let initMax = zero();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = req(c);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(sidecars, r));
    }
  }
  let total = max(add(sum, sidecars), initMax);
  const overhead = pod.spec?.overhead;
  if (overhead) {
    total = add(total, {
      milliCPU: milliCPU(overhead.cpu as string | undefined),
      memory: intValue(overhead.memory as string | undefined),
      ephemeralStorage: intValue(overhead['ephemeral-storage'] as string | undefined),
      pods: 0,
    });
  }
  return total;
}

export function nodeAllocatable(node: Node): Resources {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    milliCPU: milliCPU(a.cpu as string | undefined),
    memory: intValue(a.memory as string | undefined),
    ephemeralStorage: intValue(a['ephemeral-storage'] as string | undefined),
    pods: intValue(a.pods as string | undefined),
  };
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** host ports a pod asks for: its containers and its restartable init containers */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

export class NodeInfo {
  pods: Pod[] = [];
  requested: Resources = zero();
  nonZeroRequested: Resources = zero();
  usedPorts: HostPort[] = [];
  readonly allocatable: Resources;
  constructor(
    readonly node: Node,
    pods: Pod[] = [],
  ) {
    this.allocatable = nodeAllocatable(node);
    for (const p of pods) this.addPod(p);
  }
  get name(): string {
    return this.node.metadata?.name ?? '';
  }
  addPod(pod: Pod): void {
    this.pods.push(pod);
    this.requested = add(this.requested, podRequests(pod));
    this.nonZeroRequested = add(this.nonZeroRequested, podRequests(pod, true));
    this.requested.pods++;
    this.nonZeroRequested.pods++;
    this.usedPorts.push(...podHostPorts(pod));
  }
  /** a copy without the given pods (for preemption's what-if) */
  without(remove: Set<Pod>): NodeInfo {
    return new NodeInfo(
      this.node,
      this.pods.filter((p) => !remove.has(p)),
    );
  }
  clone(): NodeInfo {
    return new NodeInfo(this.node, this.pods);
  }
}
