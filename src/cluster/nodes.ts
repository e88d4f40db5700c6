// What a kind node looks like: names, labels, annotations, taints, addresses, podCIDR and
// status, as `kubectl get node -o yaml` shows them on a kind cluster.

import { cpus, totalmem, release } from 'node:os';
import { statfsSync } from 'node:fs';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import type { ClusterSpec, NodeRole } from './config.js';

export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
export const OS_IMAGE = 'Debian GNU/Linux 12 (bookworm)';
export const CONTAINER_RUNTIME_VERSION = 'containerd://2.1.1';

/** one node as a cluster's state records it */
export interface NodePlan {
  name: string;
  role: NodeRole;
  /** ordinal in the cluster, never reused: picks the InternalIP (172.18.0.<index+2>) and podCIDR (10.244.<index>.0/24) */
  index: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  kubernetesVersion: string;
  /** its simulated kubelet starts stopped, as `kindling node stop` leaves it (a snapshot's NotReady node) */
  stopped?: boolean;
}

/** kind's node names: <cluster>-control-plane, <cluster>-control-plane2, <cluster>-worker, <cluster>-worker2, ... */
export function kindNodeName(cluster: string, role: NodeRole, ordinalInRole: number): string {
  return `${cluster}-${role}${ordinalInRole <= 1 ? '' : ordinalInRole}`;
}

/** the first free kind name for the role, given the names in use */
export function nextNodeName(cluster: string, role: NodeRole, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) {
    const name = kindNodeName(cluster, role, i);
    if (!used.has(name)) return name;
  }
}

/** the nodes of a new cluster; control-plane nodes lose their NoSchedule taint when there is no worker, as in kind */
export function planNodes(spec: ClusterSpec): NodePlan[] {
  const hasWorkers = spec.nodes.some((n) => n.role === 'worker');
  const perRole: Record<NodeRole, number> = { 'control-plane': 0, worker: 0 };
  // kind provisions control-plane nodes first in name order; keep config order within a role
  const ordered = [...spec.nodes.filter((n) => n.role === 'control-plane'), ...spec.nodes.filter((n) => n.role === 'worker')];
  return ordered.map((n, index) => {
    perRole[n.role]++;
    const taints = n.taints ?? (n.role === 'control-plane' && hasWorkers ? [CONTROL_PLANE_TAINT] : []);
    return {
      name: kindNodeName(spec.name, n.role, perRole[n.role]),
      role: n.role,
      index,
      labels: { ...n.labels },
      taints,
      kubernetesVersion: n.kubernetesVersion ?? spec.kubernetesVersion,
    };
  });
}

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return map[process.arch] ?? process.arch;
}

/** kind nodes are containers on the host: they report the host's CPUs, memory and disk */
let hostCapacityOnce: Record<string, string> | undefined;
function hostCapacity(): Record<string, string> {
  // os.cpus() reads /proc per call: once per process, not once per node (5,000 nodes)
  hostCapacityOnce ??= readHostCapacity();
  return { ...hostCapacityOnce };
}

function readHostCapacity(): Record<string, string> {
  let storageKi = 100 * 1024 * 1024;
  try {
    const s = statfsSync('/');
    storageKi = Math.floor((s.blocks * s.bsize) / 1024);
  } catch {
    // keep the fallback
  }
  return {
    cpu: String(cpus().length || 1),
    'ephemeral-storage': `${storageKi}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(totalmem() / 1024)}Ki`,
    pods: '110',
  };
}

/** a stable id from the node name, in the shape of machine-id / system-uuid */
function idFrom(name: string, salt: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const hex: string[] = [];
  const s = `${salt}/${name}`;
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < s.length; i++) {
      h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
      h2 = Math.imul(h2 ^ (s.charCodeAt(i) + round), 2246822519) >>> 0;
    }
    hex.push(((h1 ^ h2) >>> 0).toString(16).padStart(8, '0'));
  }
  return hex.join('');
}

export interface KindNodeOptions {
  cluster: string;
  name: string;
  role: NodeRole;
  index: number;
  labels?: Record<string, string>;
  /** undefined: kind's default for the role (control-plane: NoSchedule); [] = none */
  taints?: Taint[];
  kubernetesVersion: string;
  /** RFC 3339 time for the conditions' heartbeat/transition times */
  now: string;
  /** override the host-derived capacity (also used as allocatable) */
  capacity?: Record<string, string>;
}

/** the Node object a kind node registers, Ready */
export function kindNodeObject(o: KindNodeOptions): Node {
  const arch = goArch();
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': o.name,
    'kubernetes.io/os': 'linux',
  };
  if (o.role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  Object.assign(labels, o.labels ?? {});
  const taints = o.taints ?? (o.role === 'control-plane' ? [CONTROL_PLANE_TAINT] : []);
  const podCIDR = `10.244.${o.index}.0/24`;
  const capacity = o.capacity ?? hostCapacity();
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: o.now,
    lastTransitionTime: o.now,
    reason,
    message,
  });
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      podCIDR,
      podCIDRs: [podCIDR],
      providerID: `kind://docker/${o.cluster}/${o.name}`,
      ...(taints.length ? { taints: taints.map((t) => ({ ...t })) } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: `172.18.0.${o.index + 2}` },
        { type: 'Hostname', address: o.name },
      ],
      allocatable: { ...capacity },
      capacity: { ...capacity },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: arch,
        bootID: idFrom(o.name, 'boot').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
        containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
        kernelVersion: release(),
        kubeProxyVersion: '',
        kubeletVersion: o.kubernetesVersion,
        machineID: idFrom(o.name, 'machine'),
        operatingSystem: 'linux',
        osImage: OS_IMAGE,
        systemUUID: idFrom(o.name, 'uuid').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5'),
      },
    },
  };
  return node;
}

/** a NodePlan as a Node object */
export function nodeFromPlan(cluster: string, plan: NodePlan, now: string): Node {
  return kindNodeObject({ cluster, name: plan.name, role: plan.role, index: plan.index, labels: plan.labels, taints: plan.taints, kubernetesVersion: plan.kubernetesVersion, now });
}
