// The simulated kubelet for any number of nodes: registers Node objects, renews their Leases
// and posts their status (one shared timer, nodes processed in batches), and runs the pods
// bound to them through the lifecycle rules (one pod informer for all nodes, one wake-up heap
// for all pods). Also serves logs and usage for the API server.

import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../clock/clock.js';
import { ApiError, badRequest } from '../api/errors.js';
import { objectKey, unwrapTombstone, type Informer } from '../client/informer.js';
import { SharedInformerFactory } from '../client/factory.js';
import { POD_NODE_INDEX, podNodeIndex } from '../client/indexes.js';
import { EventRecorder } from '../client/events.js';
import { R, type ApiClient, type KubeObject } from '../client/types.js';
import { intValue, milliCPU } from '../controllers/scheduler/quantity.js';
import { hex, PodRuntime, type PodEvents } from './runtime.js';
import { resolveBehaviour, type LifecycleRules } from './rules.js';
import { Wakeups } from './wakeups.js';
import { spawnInContainer, type PodProcessHooks, type ProcessRuntime } from './process/runtime.js';
import { simulatedExecRefusal, type ExecIO, type ExecResult } from './exec.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
/** kubelet's nodeLeaseRenewInterval: 1/4 of the lease duration */
export const LEASE_RENEW_MS = 10_000;
/** kubelet's nodeStatusReportFrequency: status is posted on change or this often */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;
export const KUBELET_VERSION = 'v1.32.0';

export interface NodeSimulatorOptions {
  rules?: LifecycleRules;
  /** what the nodes report as their runtime */
  runtime?: { containerRuntimeVersion?: string; kubeletVersion?: string; osImage?: string; kernelVersion?: string };
  /** random source (start jitter) */
  random?: () => number;
  /** real containers (src/nodes/process/); pods use it when defaultRuntime or a rule says process */
  processRuntime?: ProcessRuntime;
  defaultRuntime?: 'simulated' | 'process';
  /** the process's shared informers (default: the simulator's own) */
  informers?: SharedInformerFactory;
}

export interface LogOptions {
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

export interface Usage {
  /** millicores */
  cpu: number;
  /** bytes */
  memory: number;
}

interface SimNode {
  name: string;
  /** the Node's uid (its Lease's owner), once known */
  uid?: string;
  /** whether this node's Lease is known to exist (else renewal creates it) */
  leaseExists: boolean;
  running: boolean;
  internalIP: string;
  podCIDR: string;
  nextPodIP: number;
  nextLeaseAt: number;
  lastStatusAt: number;
  /** conditions set by setCondition, by type */
  overrides: Map<string, { status: string; reason?: string; message?: string }>;
  /** the conditions last posted, to keep transition times and detect changes */
  posted: NodeCondition[];
  forcePost: boolean;
  busy: boolean;
  /** kubelet's lastNodeUnschedulable, for NodeSchedulable / NodeNotSchedulable events */
  unschedulable: boolean;
  /** events about the node and its pods, source kubelet on this host */
  recorder: EventRecorder;
  /** images pulled on this node (imagePullPolicy IfNotPresent finds them) */
  images: Set<string>;
}

interface SimPod {
  key: string;
  uid: string;
  node: string;
  rt: PodRuntime;
  hostIP: string;
  podIP: string;
  lastWritten: string;
  writing: boolean;
  again: boolean;
  deleting: boolean;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

const BASE_CONDITIONS: Record<string, { status: string; reason: string; message: string }> = {
  MemoryPressure: { status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  DiskPressure: { status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  PIDPressure: { status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  Ready: { status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
};

/** the IPv4 address at offset n inside a CIDR's network */
function ipInCidr(cidr: string, n: number): string {
  const [base] = cidr.split('/');
  const p = base.split('.').map(Number);
  const v = ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3] + n;
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export class NodeSimulator {
  private readonly nodes = new Map<string, SimNode>();
  private readonly pods = new Map<string, SimPod>();
  private rules: LifecycleRules;
  private readonly random: () => number;
  private podInformer: Informer<Pod & KubeObject> | undefined;
  private nodeInformer: Informer<Node & KubeObject> | undefined;
  private readonly wakeups: Wakeups;
  private ticker: Timer | undefined;
  private nodeSeq = 0;
  private started = false;
  /** waiters for followLogs, by pod key */
  private readonly followers = new Map<string, Set<() => void>>();

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly opts: NodeSimulatorOptions = {},
  ) {
    this.rules = opts.rules ?? [];
    this.random = opts.random ?? Math.random;
    this.wakeups = new Wakeups(clock, (keys) => {
      for (const k of keys) this.syncPod(k);
    });
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const informers = this.opts.informers ?? new SharedInformerFactory(this.client, this.clock);
    const inf = informers.informerFor<Pod & KubeObject>(R.pods);
    inf.addIndexer(POD_NODE_INDEX, podNodeIndex);
    inf.addEventHandler({
      onAdd: (p) => this.onPod(p),
      onUpdate: (_a, p) => this.onPod(p),
      onDelete: (o) => this.onPodGone(unwrapTombstone(o)),
    });
    this.podInformer = inf;
    await inf.start();
    // kubelet's recordNodeSchedulableEvent: a change of spec.unschedulable (cordon) is reported as an event
    const nodes = informers.informerFor<Node & KubeObject>(R.nodes);
    nodes.addEventHandler({ onAdd: (n) => this.onNode(n), onUpdate: (_o, n) => this.onNode(n), onDelete: () => undefined });
    this.nodeInformer = nodes;
    await nodes.start();
    // one timer for every node's heartbeats; each tick handles the nodes that are due
    this.ticker = this.clock.setInterval(() => this.heartbeatTick(), 1000);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.ticker?.cancel();
    this.podInformer?.stop();
    this.nodeInformer?.stop();
    this.wakeups.stop();
    for (const s of this.followers.values()) for (const w of s) w();
    // real processes end with the node (their files stay for the next start)
    for (const p of this.pods.values()) (p.rt.hooks as PodProcessHooks | undefined)?.shutdown();
  }

  setRules(rules: LifecycleRules): void {
    this.rules = rules;
  }

  getRules(): LifecycleRules {
    return this.rules;
  }

  // ---- nodes ----

  /**
   * register a node: create its Node object if absent (with kubelet-reported status), start
   * heartbeats; stopped: the kubelet is silent from the start (as after stopNode), its Node as stored
   */
  async addNode(node: Node, o: { stopped?: boolean } = {}): Promise<void> {
    const name = node.metadata!.name!;
    const seq = ++this.nodeSeq;
    // the node informer knows the stored nodes once synced (a restart finds them there)
    let existing: Node | undefined = this.nodeInformer?.hasSynced() ? this.nodeInformer.get(name) : undefined;
    if (!existing && !this.nodeInformer?.hasSynced()) {
      try {
        existing = await this.client.get<Node & KubeObject>(R.nodes, undefined, name);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    const base = existing ?? node;
    const internalIP = base.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? `172.18.${(seq + 1) >> 8}.${((seq + 1) & 255) || 1}`;
    const podCIDR = base.spec?.podCIDR ?? `10.244.${seq - 1}.0/24`;
    const sim: SimNode = {
      name,
      uid: existing?.metadata?.uid,
      leaseExists: !!existing,
      running: true,
      internalIP,
      podCIDR,
      nextPodIP: 2,
      // spread renewals over the interval so thousands of nodes do not renew in one tick
      nextLeaseAt: this.clock.now(),
      lastStatusAt: 0,
      overrides: new Map(),
      posted: base.status?.conditions ?? [],
      forcePost: true,
      busy: false,
      unschedulable: !!base.spec?.unschedulable,
      recorder: new EventRecorder(this.client, this.clock, 'kubelet', name),
      images: new Set(),
    };
    this.nodes.set(name, sim);
    if (o.stopped && existing) {
      sim.running = false;
      return;
    }
    if (!existing) {
      const obj = this.nodeObject(node, sim);
      try {
        const created = await this.client.create(R.nodes, undefined, obj as KubeObject);
        // registered with the status it would post next: no second write for it
        sim.uid = created.metadata.uid;
        sim.posted = obj.status?.conditions ?? [];
        sim.lastStatusAt = this.clock.now();
        sim.forcePost = false;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 409)) throw e;
        sim.leaseExists = true;
      }
      // what a kubelet reports when it starts and registers its node (the Ready condition is True at once here, so no NodeReady)
      this.nodeEvent(sim, 'Starting', 'Starting kubelet.');
      for (const reason of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) {
        this.nodeEvent(sim, reason, `Node ${name} status is now: ${reason}`);
      }
      this.nodeEvent(sim, 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    }
    await this.heartbeat(sim, false);
    sim.nextLeaseAt = this.clock.now() + LEASE_RENEW_MS + Math.floor(this.random() * 1000);
    for (const p of this.podInformer?.byIndex(POD_NODE_INDEX, name) ?? []) this.onPod(p);
  }

  /** an event about a node as kubelet records it: the reference's uid is the node name */
  private nodeEvent(sim: SimNode, reason: string, message: string): void {
    sim.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: sim.name, uid: sim.name } } as KubeObject, 'Normal', reason, message);
  }

  private onNode(n: Node & KubeObject): void {
    const sim = this.nodes.get(n.metadata.name ?? '');
    if (!sim || !sim.running) return;
    const unschedulable = !!n.spec?.unschedulable;
    if (unschedulable === sim.unschedulable) return;
    sim.unschedulable = unschedulable;
    const reason = unschedulable ? 'NodeNotSchedulable' : 'NodeSchedulable';
    this.nodeEvent(sim, reason, `Node ${sim.name} status is now: ${reason}`);
  }

  async removeNode(name: string): Promise<void> {
    const sim = this.nodes.get(name);
    this.nodes.delete(name);
    for (const [k, p] of this.pods) {
      if (p.node === name) {
        (p.rt.hooks as PodProcessHooks | undefined)?.dispose();
        this.pods.delete(k);
        this.wakeups.clear(k);
      }
    }
    if (!sim) return;
    await this.client.delete(R.nodes, undefined, name).catch(() => undefined);
    await this.client.delete(R.leases, LEASE_NAMESPACE, name).catch(() => undefined);
  }

  /** the kubelet stops: no more leases, status or pod progress (node lifecycle marks it Unknown) */
  stopNode(name: string): void {
    const sim = this.nodes.get(name);
    if (sim) sim.running = false;
  }

  /** the kubelet comes back: posts status at once, resumes its pods */
  startNode(name: string): void {
    const sim = this.nodes.get(name);
    if (!sim || sim.running) return;
    sim.running = true;
    sim.forcePost = true;
    sim.nextLeaseAt = this.clock.now();
    void this.heartbeat(sim, true).catch(() => undefined);
    for (const p of this.podInformer?.byIndex(POD_NODE_INDEX, name) ?? []) this.onPod(p);
    for (const p of this.pods.values()) if (p.node === name) this.syncPod(p.key);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  isRunning(name: string): boolean {
    return this.nodes.get(name)?.running ?? false;
  }

  /** override one condition (e.g. MemoryPressure True) and post it now */
  async setCondition(name: string, type: string, status: string, reason?: string, message?: string): Promise<void> {
    const sim = this.nodes.get(name);
    if (!sim) throw new Error(`node ${name} is not simulated here`);
    sim.overrides.set(type, { status, reason, message });
    sim.forcePost = true;
    await this.heartbeat(sim, true);
  }

  private nodeObject(node: Node, sim: SimNode): Node {
    const rt = this.opts.runtime ?? {};
    const capacity = {
      cpu: '8',
      'ephemeral-storage': '102626232Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: '16318976Ki',
      pods: '110',
      ...(node.status?.capacity ?? {}),
    };
    const h = hex(`node:${sim.name}`, 32);
    return {
      ...node,
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        ...node.metadata,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': sim.name,
          'kubernetes.io/os': 'linux',
          ...(node.metadata?.labels ?? {}),
        },
      },
      spec: { podCIDR: sim.podCIDR, podCIDRs: [sim.podCIDR], ...(node.spec ?? {}) },
      status: {
        capacity,
        allocatable: { ...capacity, ...(node.status?.allocatable ?? {}) },
        addresses: node.status?.addresses ?? [
          { type: 'InternalIP', address: sim.internalIP },
          { type: 'Hostname', address: sim.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64',
          bootID: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
          containerRuntimeVersion: rt.containerRuntimeVersion ?? 'containerd://1.7.18',
          kernelVersion: rt.kernelVersion ?? '6.8.0-1017-azure',
          kubeProxyVersion: rt.kubeletVersion ?? KUBELET_VERSION,
          kubeletVersion: rt.kubeletVersion ?? KUBELET_VERSION,
          machineID: h,
          operatingSystem: 'linux',
          osImage: rt.osImage ?? 'Debian GNU/Linux 12 (bookworm)',
          systemUUID: h,
          ...(node.status?.nodeInfo ?? {}),
        },
        conditions: this.conditions(sim, this.clock.now()),
      },
    };
  }

  private conditions(sim: SimNode, now: number): NodeCondition[] {
    const prev = new Map(sim.posted.map((c) => [c.type, c]));
    const types = [...new Set([...Object.keys(BASE_CONDITIONS), ...sim.overrides.keys()])];
    return types.map((type) => {
      const want = { ...(BASE_CONDITIONS[type] ?? { status: 'False', reason: '', message: '' }), ...stripUndefined(sim.overrides.get(type) ?? {}) };
      const p = prev.get(type);
      const c: NodeCondition = {
        type,
        status: want.status,
        lastHeartbeatTime: iso(now),
        lastTransitionTime: p && p.status === want.status ? p.lastTransitionTime : iso(now),
        reason: want.reason,
        message: want.message,
      };
      return c;
    });
  }

  private heartbeatTick(): void {
    const now = this.clock.now();
    for (const sim of this.nodes.values()) {
      if (!sim.running || sim.busy || sim.nextLeaseAt > now) continue;
      sim.nextLeaseAt = now + LEASE_RENEW_MS;
      void this.heartbeat(sim, false).catch(() => undefined);
    }
  }

  /** renew the lease; post node status when it changed or every 5 minutes */
  private async heartbeat(sim: SimNode, force: boolean): Promise<void> {
    if (!sim.running) return;
    sim.busy = true;
    try {
      const now = this.clock.now();
      await this.renewLease(sim, now);
      const conds = this.conditions(sim, now);
      const changed = JSON.stringify(conds.map((c) => [c.type, c.status, c.reason, c.message])) !== JSON.stringify(sim.posted.map((c) => [c.type, c.status, c.reason, c.message]));
      if (force || sim.forcePost || changed || now - sim.lastStatusAt >= NODE_STATUS_REPORT_MS) {
        await this.client.patch(R.nodes, undefined, sim.name, 'strategic', { status: { conditions: conds } }, undefined, 'status');
        sim.posted = conds;
        sim.lastStatusAt = now;
        sim.forcePost = false;
      }
    } finally {
      sim.busy = false;
    }
  }

  private async renewLease(sim: SimNode, now: number): Promise<void> {
    const spec = { holderIdentity: sim.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) };
    if (sim.leaseExists) {
      try {
        await this.client.patch(R.leases, LEASE_NAMESPACE, sim.name, 'merge', { spec });
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
        sim.leaseExists = false;
      }
    }
    sim.uid ??= (await this.client.get(R.nodes, undefined, sim.name).catch(() => undefined))?.metadata.uid;
    try {
      await this.client.create(R.leases, LEASE_NAMESPACE, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: sim.name,
          namespace: LEASE_NAMESPACE,
          ownerReferences: sim.uid ? [{ apiVersion: 'v1', kind: 'Node', name: sim.name, uid: sim.uid }] : undefined,
        },
        spec,
      });
    } catch (ce) {
      // a concurrent heartbeat of the same node (addNode's and the periodic one) may have created it first
      if (!(ce instanceof ApiError && ce.code === 409)) throw ce;
      await this.client.patch(R.leases, LEASE_NAMESPACE, sim.name, 'merge', { spec });
    }
    sim.leaseExists = true;
  }

  // ---- pods ----

  private onPod(p: Pod & KubeObject): void {
    const nodeName = p.spec?.nodeName;
    if (!nodeName) return;
    const sim = this.nodes.get(nodeName);
    if (!sim || !sim.running) return;
    const key = objectKey(p);
    let sp = this.pods.get(key);
    if (sp && sp.uid !== p.metadata.uid) {
      // a new pod with the same name
      (sp.rt.hooks as PodProcessHooks | undefined)?.dispose();
      this.pods.delete(key);
      sp = undefined;
    }
    const now = this.clock.now();
    if (!sp) {
      const phase = p.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return;
      const hostNetwork = !!p.spec?.hostNetwork;
      const podIP = hostNetwork ? sim.internalIP : ipInCidr(sim.podCIDR, sim.nextPodIP++);
      if (sim.nextPodIP > 254) sim.nextPodIP = 2;
      const hooks = this.processHooks(p, nodeName, key, () => ({ hostIP: sim.internalIP, podIP }));
      sp = { key, uid: p.metadata.uid ?? key, node: nodeName, rt: new PodRuntime(p, this.rules, now, this.random, hooks, this.podEvents(sim, p)), hostIP: sim.internalIP, podIP, lastWritten: '', writing: false, again: false, deleting: false };
      hooks?.bind(sp.rt);
      this.pods.set(key, sp);
    }
    if (p.metadata.deletionTimestamp && sp.rt.killAt === Infinity) {
      const tgps = p.spec?.terminationGracePeriodSeconds ?? 30;
      const dgps = p.metadata.deletionGracePeriodSeconds ?? tgps;
      sp.rt.terminate(now, Math.min(dgps, tgps) * 1000);
    }
    this.syncPod(key);
  }

  /** the kubelet's events about a pod's containers, recorded by the node's recorder (one write each, repeats counted) */
  private podEvents(sim: SimNode, p: Pod & KubeObject): PodEvents {
    const ref = { apiVersion: 'v1', kind: 'Pod', metadata: p.metadata } as KubeObject;
    return {
      // after the current turn: the watch delivers a binding here before the scheduler's bind call
      // returns, and upstream's Scheduled (recorded when it returns) always precedes the kubelet's events
      event: (type, reason, message) => void setImmediate(() => sim.recorder.event(ref, type, reason, message)),
      imagePresent: (image) => sim.images.has(image),
      imagePulled: (image) => void sim.images.add(image),
    };
  }

  /** the process runtime's hooks when this pod's containers run as real processes */
  private processHooks(p: Pod, node: string, key: string, ips: () => { hostIP: string; podIP: string }): PodProcessHooks | undefined {
    const prt = this.opts.processRuntime;
    if (!prt) return undefined;
    const facts = { namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '', labels: p.metadata?.labels, annotations: p.metadata?.annotations };
    // kind's own kube-system DaemonSets (kindnet, kube-proxy) run binaries this host does not have: simulated unless a rule says otherwise
    let choice = isKindSystemPod(p) ? 'simulated' : (this.opts.defaultRuntime ?? 'process');
    for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
      const r = resolveBehaviour(this.rules, facts, c).runtime;
      if (r) {
        choice = r;
        break;
      }
    }
    if (choice !== 'process') return undefined;
    const hooks = prt.hooksFor(p, node, ips, () => {
      this.syncPod(key);
      this.notifyFollowers(key);
    });
    return hooks;
  }

  private onPodGone(p: Pod & KubeObject): void {
    const key = objectKey(p);
    const sp = this.pods.get(key);
    if (sp && sp.uid === p.metadata.uid) {
      (sp.rt.hooks as PodProcessHooks | undefined)?.dispose();
      this.pods.delete(key);
      this.wakeups.clear(key);
      this.notifyFollowers(key);
    }
  }

  private syncPod(key: string): void {
    const sp = this.pods.get(key);
    if (!sp) return;
    const sim = this.nodes.get(sp.node);
    if (!sim || !sim.running) return;
    if (sp.writing) {
      sp.again = true;
      return;
    }
    const now = this.clock.now();
    sp.rt.advance(now);
    this.notifyFollowers(key);
    if (sp.rt.killAt <= now && sp.rt.terminated()) {
      if (sp.deleting) return;
      sp.deleting = true;
      const pod = this.podInformer?.get(key);
      const [ns, name] = [pod?.metadata.namespace ?? key.split('/')[0], pod?.metadata.name ?? key.split('/')[1]];
      // as the real kubelet: force the final delete, guarded by the uid
      void this.client.delete(R.pods, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: sp.uid } }).catch(() => undefined);
      return;
    }
    const current = this.podInformer?.get(key);
    const status = sp.rt.status(now, current?.status, { hostIP: sp.hostIP, podIP: sp.podIP });
    // as kubelet's generateAPIPodStatus: once the API shows a terminal phase, the pod never leaves it
    const apiPhase = current?.status?.phase;
    if ((apiPhase === 'Failed' || apiPhase === 'Succeeded') && status.phase !== apiPhase) status.phase = apiPhase;
    const json = JSON.stringify(status);
    this.wakeups.set(key, sp.rt.nextWake(now));
    if (json === sp.lastWritten) return;
    sp.writing = true;
    const [ns, name] = [current?.metadata.namespace ?? key.split('/')[0], current?.metadata.name ?? key.split('/')[1]];
    this.client
      .patch(R.pods, ns, name, 'merge', { status }, undefined, 'status')
      .then(
        () => {
          sp.lastWritten = json;
        },
        () => undefined,
      )
      .finally(() => {
        sp.writing = false;
        if (sp.again) {
          sp.again = false;
          this.syncPod(key);
        }
      });
  }

  /** the runtime of a pod, for tests and diagnostics */
  podRuntime(namespace: string, name: string): PodRuntime | undefined {
    return this.pods.get(`${namespace}/${name}`)?.rt;
  }

  // ---- logs ----

  private container(namespace: string, pod: string, container?: string) {
    const sp = this.pods.get(`${namespace}/${pod}`);
    if (!sp) throw new ApiError(404, 'NotFound', `pods "${pod}" not found`);
    const c = container ? sp.rt.containers.find((x) => x.name === container) : sp.rt.regular[0];
    if (!c) throw badRequest(`container ${container} is not valid for pod ${pod}`);
    return { sp, c };
  }

  /** the lines the rules give for a container (never invented output; no rule = no lines) */
  getLogs(namespace: string, pod: string, container: string | undefined, opts: LogOptions = {}): string {
    const { sp, c } = this.container(namespace, pod, container);
    let started: number;
    if (opts.previous) {
      if (!c.last) throw badRequest(`previous terminated container "${c.name}" in pod "${pod}" not found`);
      started = c.last.startedAt;
    } else {
      if (c.stage === 'waiting' || c.stage === 'pulling' || c.stage === 'pullBackoff' || (c.stage === 'starting' && c.restartCount === 0)) {
        const st = sp.rt.status(this.clock.now(), undefined, { hostIP: '', podIP: '' });
        const reason = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])].find((s) => s.name === c.name)?.state?.waiting?.reason ?? 'ContainerCreating';
        throw badRequest(`container "${c.name}" in pod "${pod}" is waiting to start: ${reason}`);
      }
      started = c.stage === 'running' ? c.startedAt : (c.final?.startedAt ?? c.last?.startedAt ?? c.startedAt);
    }
    const now = this.clock.now();
    // line i was written i ms after the container started
    const hooks = sp.rt.hooks as PodProcessHooks | undefined;
    let lines = hooks
      ? hooks.logLines(c.name, opts.previous ? (c.stage === 'crashBackoff' ? c.restartCount : c.restartCount - 1) : c.stage === 'starting' ? c.restartCount - 1 : c.restartCount)
      : c.behaviour.logs.map((text, i) => ({ at: started + i, text }));
    if (opts.sinceSeconds !== undefined) lines = lines.filter((l) => l.at >= now - opts.sinceSeconds! * 1000);
    if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
    let out = lines.map((l) => (opts.timestamps ? `${new Date(l.at).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ${l.text}\n` : `${l.text}\n`)).join('');
    if (opts.limitBytes !== undefined && opts.limitBytes >= 0) out = Buffer.from(out).subarray(0, opts.limitBytes).toString();
    return out;
  }

  /** the current logs, then waits until the container or pod ends (or signal aborts) */
  async *followLogs(namespace: string, pod: string, container: string | undefined, opts: LogOptions = {}, signal?: AbortSignal): AsyncGenerator<string> {
    const key = `${namespace}/${pod}`;
    const first = this.getLogs(namespace, pod, container, opts);
    if (first) yield first;
    const { sp: sp0, c } = this.container(namespace, pod, container);
    const startedAt = c.startedAt;
    const hooks = sp0.rt.hooks as PodProcessHooks | undefined;
    let seen = hooks ? hooks.logLines(c.name, c.restartCount).length : 0;
    // rules give a fixed list of lines, so nothing new arrives; wait for the end of this instance
    while (!signal?.aborted && this.started) {
      const sp = this.pods.get(key);
      const cur = sp?.rt.containers.find((x) => x.name === c.name);
      if (hooks) {
        // real processes: new lines since the last look
        const all = hooks.logLines(c.name, c.restartCount);
        const fresh = all.slice(seen);
        seen = all.length;
        const text = fresh.map((l) => (opts.timestamps ? `${new Date(l.at).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ${l.text}\n` : `${l.text}\n`)).join('');
        if (text) yield text;
      }
      if (!sp || !cur || cur.stage !== 'running' || cur.startedAt !== startedAt) return;
      await new Promise<void>((resolve) => {
        let set = this.followers.get(key);
        if (!set) this.followers.set(key, (set = new Set()));
        const done = () => {
          set!.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        set.add(done);
        signal?.addEventListener('abort', done);
      });
    }
  }

  private notifyFollowers(key: string): void {
    const s = this.followers.get(key);
    if (!s) return;
    for (const w of [...s]) w();
  }

  // ---- exec (src/nodes/exec.ts): a simulated node runs no processes ----

  async execInContainer(namespace: string, pod: string, container: string, command: string[], io: ExecIO): Promise<ExecResult> {
    const sp = this.pods.get(`${namespace}/${pod}`);
    const hooks = sp?.rt.hooks as PodProcessHooks | undefined;
    if (!sp || !hooks) throw simulatedExecRefusal(pod, container);
    // the container may still be building its sandbox: exec joins it once its command runs
    const ready = await hooks.whenReady(container);
    const pid = ready ? hooks.pid(container) : undefined;
    const id = hooks.identity(container);
    if (!pid || !id) throw new Error(`container ${container} is not running`);
    const child = spawnInContainer(pid, id.uid, id.gid, command, id.env, !!io.stdin);
    if (io.stdin && child.stdin) io.stdin.pipe(child.stdin);
    child.stdout!.pipe(io.stdout, { end: false });
    child.stderr!.pipe(io.tty ? io.stdout : io.stderr, { end: false });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 137 }));
    });
  }

  async attachContainer(_namespace: string, pod: string, container: string, _io: ExecIO): Promise<ExecResult> {
    throw simulatedExecRefusal(pod, container);
  }

  // ---- metrics ----

  /** usage of a pod's running containers, from the rules (defaults 1m / 5Mi per container) */
  podUsage(namespace: string, name: string): (Usage & { containers: ({ name: string } & Usage)[] }) | undefined {
    const sp = this.pods.get(`${namespace}/${name}`);
    if (!sp) return undefined;
    const containers = sp.rt.regular
      .filter((c) => c.stage === 'running')
      .map((c) => ({ name: c.name, cpu: milliCPU(c.behaviour.usage.cpu), memory: intValue(c.behaviour.usage.memory) }));
    return { cpu: containers.reduce((s, c) => s + c.cpu, 0), memory: containers.reduce((s, c) => s + c.memory, 0), containers };
  }

  /** a node's usage: its pods plus the system's own share (kubelet, runtime) */
  nodeUsage(name: string): Usage | undefined {
    if (!this.nodes.has(name)) return undefined;
    const u: Usage = { cpu: 50, memory: 400 * 1024 * 1024 };
    for (const sp of this.pods.values()) {
      if (sp.node !== name) continue;
      const [ns, n] = [sp.key.slice(0, sp.key.indexOf('/')), sp.key.slice(sp.key.indexOf('/') + 1)];
      const pu = this.podUsage(ns, n);
      if (pu) {
        u.cpu += pu.cpu;
        u.memory += pu.memory;
      }
    }
    return u;
  }
}

/** kind's system pods: kube-system's kindnet and kube-proxy (the process runtime simulates them) */
export function isKindSystemPod(p: Pod): boolean {
  const app = p.metadata?.labels?.['k8s-app'];
  return p.metadata?.namespace === 'kube-system' && (app === 'kindnet' || app === 'kube-proxy');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

