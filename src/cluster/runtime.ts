// One cluster in this process: store + API server + controllers + simulated nodes, with the
// objects a kind cluster starts with. The CLI's `serve`, the library entry point and tests all
// start clusters through startClusterRuntime.

import type { Node } from 'kubernetes-types/core/v1.js';
import type { Store } from '../store/types.js';
import { DEFAULT_COMPACTION_INTERVAL_MS, type EtcdStore } from '../store/etcd.js';
import { RealClock, type Clock } from '../clock/clock.js';
import { R, type ApiClient, type KubeObject } from '../client/types.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { installPodStreaming, type NodeStreams, type PodStreaming } from '../apiserver/streaming/index.js';
import { applyBootstrap, bootstrapObjects } from './bootstrap.js';
import { nodeFromPlan, type NodePlan } from './nodes.js';
import { DEFAULT_POD_SUBNET } from './config.js';
import { metricsExtension, metricsGroup, type UsageSource } from '../apiserver/metrics.js';
import type { LifecycleRules } from '../nodes/rules.js';
import { controlExtension, NodeNotFoundError } from './control.js';
import { installWebUi } from '../ui/server.js';
import { NodeSimulator } from '../nodes/simulator.js';
import { startControllers as startAllControllers, type ClientLimits } from '../controllers/index.js';
import { SharedInformerFactory } from '../client/factory.js';
import { openStore } from '../store/index.js';
import { campaign, type Campaign } from '../client/leaderelection.js';
import { ClusterView } from '../explain/view.js';
import { explainExtension } from '../explain/http.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

/** the slice of the simulated kubelet the runtime uses (src/nodes/index.ts) */
interface NodeSimulatorLike {
  start(): Promise<void>;
  addNode(node: Node, o?: { stopped?: boolean }): Promise<void>;
  removeNode(name: string): Promise<void>;
  stop(): Promise<void>;
  stopNode(name: string): void;
  startNode(name: string): void;
  setCondition(name: string, type: string, status: string, reason?: string, message?: string): Promise<void>;
  setRules(rules: LifecycleRules): void;
  getRules(): LifecycleRules;
  nodeNames(): string[];
  isRunning(name: string): boolean;
}

/** how many nodes register at once (addNodes) */
const ADD_NODES_CONCURRENCY = 64;
export interface ClusterRuntimeOptions {
  /**
   * several processes share the store (etcd): controllers and simulated nodes run only in the
   * process holding the kube-system/kube-controller-manager Lease. Default: on for etcd:// URLs.
   */
  leaderElection?: boolean | { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number; identity?: string };
  /** cluster name (kind's, e.g. "kind") */
  cluster: string;
  nodes: NodePlan[];
  kubernetesVersion: string;
  podSubnet?: string;
  /** 'memory://' (default) or 'lmdb:///abs/path'; ignored when store is given */
  storeUrl?: string;
  store?: Store;
  clock?: Clock;
  host?: string;
  /** 0 = a free port */
  port?: number;
  tls?: { cert: string; key: string };
  token?: string;
  log?: (msg: string) => void;
  /** the nodes' container runtime: simulated (default) or process (real, sandboxed processes) */
  runtime?: 'simulated' | 'process';
  /** where the process runtime keeps volumes and logs (default: a temporary directory) */
  runtimeDir?: string;
  /** the simulated kubelets' pod lifecycle rules (default: the simulator's) */
  rules?: LifecycleRules;
  /** kube-controller-manager's --node-monitor-grace-period (default 50 s) */
  nodeMonitorGracePeriodMs?: number;
  /** upstream's client-side rate limits for the controllers and the scheduler (default: none) */
  limits?: ClientLimits;
  /** kube-apiserver's --etcd-compaction-interval for an etcd store (default 5 min; 0 = off) */
  etcdCompactionIntervalMs?: number;
  /** kind's own workloads (kindnet, kube-proxy, ...) besides its namespaces and services (default true; a snapshot brings its own) */
  systemWorkloads?: boolean;
  /** runs once the bootstrap objects exist and before any controller or simulated kubelet starts (loading a snapshot) */
  preload?: (client: ApiClient) => Promise<void>;
}

export interface ClusterRuntime {
  url: string;
  port: number;
  /** in-process client (no HTTP) */
  client: ApiClient;
  server: ApiServer;
  /** pods/log, exec and attach; useExecutor() puts another container runtime in front of the nodes' */
  streaming: PodStreaming;
  store: Store;
  clock: Clock;
  /** whether controllers and simulated nodes run in this process (with leader election: only on the leader) */
  parts: { controllers: boolean; nodeSimulator: boolean };
  /** the simulated kubelet (setRules, stopNode, ...); undefined when it is not running */
  nodeSimulator(): NodeSimulator | undefined;
  nodeNames(): string[];
  addNode(plan: NodePlan): Promise<void>;
  /** add many nodes at once: registered concurrently, so the store batches their writes */
  addNodes(plans: NodePlan[]): Promise<void>;
  removeNode(name: string): Promise<void>;
  /** resolves when every node this runtime manages has Ready=True */
  waitForNodesReady(timeoutMs?: number): Promise<void>;
  /** the simulated kubelet of a node stops (no heartbeats, no pod progress) or comes back */
  stopNode(name: string): void;
  startNode(name: string): void;
  /** a node's kubelet reports this condition (e.g. MemoryPressure True) until told otherwise */
  setNodeCondition(name: string, type: string, status: string, reason?: string, message?: string): Promise<void>;
  setRules(rules: LifecycleRules): void;
  getRules(): LifecycleRules;
  stop(): Promise<void>;
}


function isReady(node: KubeObject | undefined): boolean {
  const conds = (node as Node | undefined)?.status?.conditions ?? [];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

function code(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

export async function startClusterRuntime(opts: ClusterRuntimeOptions): Promise<ClusterRuntime> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const clock = opts.clock ?? new RealClock();
  const store = opts.store ?? (await openStore(opts.storeUrl ?? 'memory://'));
  let ready = false;
  // kube-apiserver compacts etcd every --etcd-compaction-interval (the store keeps no other limit)
  const compactor = (store as Partial<Pick<EtcdStore, 'startCompactor'>>).startCompactor?.(clock, opts.etcdCompactionIntervalMs ?? DEFAULT_COMPACTION_INTERVAL_MS, log);
  const server = await startApiServer({
    store,
    clock,
    host: opts.host,
    port: opts.port ?? 0,
    tls: opts.tls,
    token: opts.token,
    kubernetesVersion: opts.kubernetesVersion,
    isReady: () => ready,
  });
  const client = server.client;
  const streaming = installPodStreaming(server, { now: () => clock.now() });
  installWebUi(server, { authRequired: opts.token !== undefined });
  const plans = new Map<string, NodePlan>();
  let controllers: { stop(): Promise<void> } | undefined;
  let simulator: NodeSimulatorLike | undefined;
  // metrics.k8s.io for `kubectl top`: usage from whichever simulated kubelet runs now
  const usage = () => simulator as unknown as Partial<UsageSource> | undefined;
  server.addExtraGroup(metricsGroup);
  server.addExtension(
    metricsExtension({
      client: server.client,
      now: () => clock.now(),
      usage: { nodeUsage: (n) => usage()?.nodeUsage?.(n), podUsage: (ns, n) => usage()?.podUsage?.(ns, n) },
    }),
  );
  const elect = opts.leaderElection ?? /^etcds?:/i.test(opts.storeUrl ?? '');
  let activate: (() => Promise<void>) | undefined;
  let election: Campaign | undefined;

  // kindling explain's placement verdicts, served under /kindling/v1alpha1/explain
  const explainView = new ClusterView(client, clock);
  server.addExtension(explainExtension(client, explainView));

  const stop = async () => {
    ready = false;
    explainView.stop();
    compactor?.stop();
    await election?.stop().catch((e) => log(`kindling: leader election: ${e}`));
    await simulator?.stop().catch((e) => log(`kindling: stopping nodes: ${e}`));
    await controllers?.stop().catch((e) => log(`kindling: stopping controllers: ${e}`));
    await server.close();
    await store.close().catch(() => {});
  };

  try {
    const controlPlane = opts.nodes.find((n) => n.role === 'control-plane') ?? opts.nodes[0];
    const workloads = new Set(['DaemonSet', 'Deployment', 'ReplicaSet', 'Pod']);
    await applyBootstrap(
      client,
      bootstrapObjects({
        kubernetesVersion: opts.kubernetesVersion,
        podSubnet: opts.podSubnet ?? DEFAULT_POD_SUBNET,
        controlPlaneIP: `172.18.0.${(controlPlane?.index ?? 0) + 2}`,
        controlPlaneEndpoint: `https://${opts.cluster}-control-plane:6443`,
      }).filter((o) => opts.systemWorkloads !== false || !workloads.has(o.kind ?? '')),
    );
    await opts.preload?.(client);

    const ctlOptions = opts.nodeMonitorGracePeriodMs ? { NodeLifecycleController: { gracePeriodMs: opts.nodeMonitorGracePeriodMs } } : {};
    // controllers and simulated kubelets share one informer per resource
    let informers: SharedInformerFactory | undefined;
    const startControllers = async () => {
      informers = new SharedInformerFactory(client, clock);
      controllers = await startAllControllers(client, clock, ctlOptions, informers, opts.limits);
    };
    if (!elect) await startControllers();
    let processOpts = {};
    if (opts.runtime === 'process') {
      // refuses to start (throws) when this host cannot build the sandbox
      const { ProcessRuntime } = await import('../nodes/process/runtime.js');
      const dir = opts.runtimeDir ?? (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'kindling-runtime-'));
      processOpts = { processRuntime: new ProcessRuntime(client, clock, dir), defaultRuntime: 'process' };
    }
    const startSimulator = async () => {
      simulator = new NodeSimulator(client, clock, { ...(opts.rules ? { rules: opts.rules } : {}), ...processOpts, informers });
      await simulator.start();
      streaming.setNodeStreams(simulator as unknown as NodeStreams);
    };
    if (!elect) await startSimulator();
    activate = async () => {
      await startControllers();
      await startSimulator();
    };
  } catch (e) {
    await stop();
    throw e;
  }

  const addNode = async (plan: NodePlan) => {
    plans.set(plan.name, plan);
    const node = nodeFromPlan(opts.cluster, plan, new Date(clock.now()).toISOString());
    if (simulator) {
      // after a restart the Node is already stored; the simulator takes it over
      await simulator.addNode(node, { stopped: plan.stopped });
      return;
    }
    if (elect) return; // not leading: the leader's simulated kubelets register it
    // no simulated kubelet yet: register the Node once, Ready, as kubelet would
    try {
      const created = await client.create(R.nodes, undefined, node as unknown as KubeObject);
      if (!isReady(created)) await client.update(R.nodes, undefined, { ...created, status: node.status }, {}, 'status');
    } catch (e) {
      if (code(e) !== 409) throw e;
      const existing = await client.get(R.nodes, undefined, plan.name);
      await client.update(R.nodes, undefined, { ...existing, status: node.status }, {}, 'status');
    }
  };

  // kubelets register on their own, not one after another: concurrent creates share the
  // store's write transactions and the controllers see one burst (their queues coalesce it)
  const addNodes = async (list: NodePlan[]) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) await addNode(list[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(ADD_NODES_CONCURRENCY, list.length) }, worker));
  };

  const removeNode = async (name: string) => {
    plans.delete(name);
    if (simulator) await simulator.removeNode(name);
    try {
      await client.delete(R.nodes, undefined, name);
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  };

  try {
    await addNodes(opts.nodes);
  } catch (e) {
    await stop();
    throw e;
  }
  if (elect) {
    const le = typeof opts.leaderElection === 'object' ? opts.leaderElection : {};
    election = campaign({
      client,
      clock,
      name: 'kube-controller-manager',
      identity: le.identity ?? `${hostname()}_${randomUUID()}`,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      releaseOnCancel: true,
      log,
      callbacks: {
        onStartedLeading: async () => {
          log('kindling: leading: starting controllers and simulated nodes');
          // a store hiccup during take-over (an etcd member dying) must not leave a leader that
          // runs nothing: undo what started and try again until it works or leadership ends
          for (let attempt = 1; ; attempt++) {
            try {
              await activate?.();
              await addNodes([...plans.values()]);
              return;
            } catch (e) {
              log(`kindling: taking over failed (${(e as Error).message}); retrying (attempt ${attempt})`);
              const [s, c] = [simulator, controllers];
              simulator = undefined;
              controllers = undefined;
              await s?.stop().catch(() => {});
              await c?.stop().catch(() => {});
              if (!election?.isLeader()) return;
              await clock.sleep(Math.min(1000 * attempt, 5000));
            }
          }
        },
        onStoppedLeading: async () => {
          log('kindling: not leading: stopping controllers and simulated nodes');
          const [s, c] = [simulator, controllers];
          simulator = undefined;
          controllers = undefined;
          await s?.stop().catch((e) => log(`kindling: stopping nodes: ${e}`));
          await c?.stop().catch((e) => log(`kindling: stopping controllers: ${e}`));
        },
      },
    });
  }
  ready = true;

  const simulated = (name: string): NodeSimulatorLike => {
    if (!simulator) throw new Error('the node simulator is not running');
    if (!plans.has(name) || !simulator.nodeNames().includes(name)) throw new NodeNotFoundError(name);
    return simulator;
  };
  const rt: ClusterRuntime = {
    url: server.url,
    port: server.port,
    client,
    server,
    streaming,
    store,
    clock,
    parts: { controllers: !!controllers, nodeSimulator: !!simulator },
    nodeSimulator: () => simulator as NodeSimulator | undefined,
    nodeNames: () => [...plans.keys()],
    addNode,
    addNodes,
    removeNode,
    async waitForNodesReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = await client.list(R.nodes, undefined);
        const byName = new Map(list.items.map((n) => [n.metadata.name, n]));
        // a node whose kubelet is stopped (a snapshot's NotReady node) is not waited for
        const notReady = [...plans.keys()].filter((n) => simulator?.isRunning(n) !== false && !isReady(byName.get(n)));
        if (notReady.length === 0) return;
        if (Date.now() > deadline) throw new Error(`nodes not Ready after ${timeoutMs}ms: ${notReady.join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stopNode: (name) => simulated(name).stopNode(name),
    startNode: (name) => simulated(name).startNode(name),
    setNodeCondition: (name, type, status, reason, message) => simulated(name).setCondition(name, type, status, reason, message),
    setRules(rules) {
      if (!simulator) throw new Error('the node simulator is not running');
      simulator.setRules(rules);
    },
    getRules: () => simulator?.getRules() ?? [],
    stop,
  };
  server.addExtension(controlExtension(rt));
  return rt;
}
