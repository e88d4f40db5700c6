#!/usr/bin/env node
// The `kindling` command: kind's commands and output for clusters, plus what kind cannot do
// (add and delete nodes, stop and start clusters, serve in the foreground).

import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Status } from './status.js';
import { parseDuration, formatDuration } from './duration.js';
import { parseKindConfig, parseTaint, type NodeRole } from '../cluster/config.js';
import { clusterDir, clusterExists, listClusters, readClusterState, writeClusterState, RUNTIME_KINDS } from '../cluster/state.js';
import {
  createClusterState,
  startClusterServer,
  stopCluster,
  deleteCluster,
  exportKubeconfig,
  clusterKubeconfigYaml,
  addNodes,
  deleteNode,
  kindContextName,
  waitForSystemDaemonSets,
  stopNode,
  startNode,
  setNodeCondition,
  setRules,
  checkRuntime,
} from '../cluster/lifecycle.js';
import { parseConditionArg } from '../cluster/control.js';
import { selectClusterName, selectExistingCluster } from '../cluster/select.js';
import { serveState } from '../cluster/daemon.js';
import { registerExplain } from './explain.js';

const DEFAULT_WAIT = 5 * 60_000;
const defaultName = () => process.env.KIND_CLUSTER_NAME || 'kind';
const err = (s: string) => process.stderr.write(`${s}\n`);

class CliError extends Error {}

/** kind's error shape: "ERROR: failed to <what>: <why>" */
function fail(what: string, e: unknown): never {
  throw new CliError(`ERROR: failed to ${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/** the state dir of the cluster a command acts on (--name, KIND_CLUSTER_NAME, current context, the only one, kind) */
const existingCluster = (name: string | undefined): string => selectExistingCluster({ name }).dir;

function readConfigText(path: string): string {
  if (path === '-') return readFileSync(0, 'utf8');
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`error reading file: ${(e as Error).message}`);
  }
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** a commander parser for a number > 0 (rates such as --controller-qps) */
function positiveNumber(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(v.trim() !== '' && Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${flag} must be a number greater than 0, got "${v}"`);
    return n;
  };
}

const program = new Command();
program.name('kindling').description('kind-compatible Kubernetes clusters in one Node.js process, with simulated nodes').showHelpAfterError();

// ---- create
const create = program.command('create').description('Creates one of [cluster]');
create
  .command('cluster')
  .description('Creates a local Kubernetes cluster')
  .option('-n, --name <name>', 'cluster name, overrides KIND_CLUSTER_NAME, config (default kind)')
  .option('--config <file>', 'path to a kind config file')
  .option('--workers <n>', 'add this many worker nodes (kindling)', (v) => Number.parseInt(v, 10))
  .option('--image <image>', 'node docker image to use for booting the cluster (sets the Kubernetes version)')
  .option('--kubernetes-version <version>', 'Kubernetes version the cluster reports (default v1.32.4)')
  .option('--kubeconfig <path>', 'sets kubeconfig path instead of $KUBECONFIG or $HOME/.kube/config')
  .option('--wait <duration>', 'wait for control plane node to be ready (default 0s)', '0s')
  .option('--retain', 'retain nodes for debugging when cluster creation fails')
  .option('--insecure-http', 'serve plain HTTP without TLS or token (debugging)')
  .option('--port <port>', 'API server port (default: a free port)', (v) => Number.parseInt(v, 10))
  .option('--store <url>', 'store URL: etcd://HOST:PORT[,HOST:PORT...][/prefix] to share one etcd among kindling processes (default: the embedded store; delete cluster removes its /registry/ keys)')
  .option('--rules <file>', 'lifecycle rules for the simulated kubelets (YAML; kindling)')
  .option('--node-grace-period <duration>', "node lifecycle's --node-monitor-grace-period (default 50s; kindling)")
  .option('--controller-qps <qps>', "each controller's client-side rate limit, as kube-controller-manager's --kube-api-qps (upstream default 20; kindling default unlimited)", positiveNumber('--controller-qps'))
  .option('--scheduler-qps <qps>', "the scheduler's client-side rate limit (upstream default 50; kindling default unlimited)", positiveNumber('--scheduler-qps'))
  .addOption(new Option('--runtime <runtime>', "the nodes' container runtime: simulated, or process to run containers' commands as sandboxed processes (kindling)").choices(RUNTIME_KINDS).default('simulated'))
  .action(async (o) => {
    let dir: string | undefined;
    try {
      const wait = parseDuration(o.wait);
      const configText = o.config ? readConfigText(o.config) : undefined;
      const rulesText = o.rules ? readConfigText(o.rules) : undefined;
      const nodeMonitorGracePeriodMs = o.nodeGracePeriod ? parseDuration(o.nodeGracePeriod) : undefined;
      const created = await createClusterState({
        configText,
        name: o.name,
        defaultName: defaultName(),
        workers: o.workers,
        image: o.image,
        kubernetesVersion: o.kubernetesVersion,
        insecureHttp: o.insecureHttp,
        port: o.port,
        store: o.store,
        rulesText,
        nodeMonitorGracePeriodMs,
        controllerQps: o.controllerQps,
        schedulerQps: o.schedulerQps,
        runtime: o.runtime,
      });
      dir = created.dir;
      const { state, warnings } = created;
      for (const w of warnings) err(`WARNING: ${w}`);
      err(`Creating cluster "${state.name}" ...`);
      const status = new Status();
      const controlPlanes = state.nodes.filter((n) => n.role === 'control-plane').length;
      const workers = state.nodes.length - controlPlanes;
      const timeout = wait > 0 ? wait : DEFAULT_WAIT;
      await status.step(`Ensuring node image (${state.image}) 🖼`, () => {});
      await status.step(`Preparing nodes ${'📦 '.repeat(state.nodes.length)}`, () => {});
      if (controlPlanes > 1) await status.step('Configuring the external load balancer ⚖️', () => {});
      await status.step('Writing configuration 📜', () => {});
      const started = Date.now();
      const left = () => Math.max(0, started + timeout - Date.now());
      // returns once every node is Ready and kube-proxy, then kindnet (the CNI), are available
      await status.step('Starting control-plane 🕹️', () => startClusterServer(dir!, timeout, { daemonSets: ['kube-proxy'] }));
      await status.step('Installing CNI 🔌', () => waitForSystemDaemonSets(dir!, left(), ['kindnet']));
      await status.step('Installing StorageClass 💾', () => {});
      if (controlPlanes > 1) await status.step('Joining more control-plane nodes 🎮', () => {});
      if (workers > 0) await status.step('Joining worker nodes 🚜', () => {});
      if (wait > 0) {
        await status.step(`Waiting ≤ ${formatDuration(wait)} for control-plane = Ready ⏳`, () => {});
        err(` • Ready after ${formatDuration(Math.max(1000, Math.round((Date.now() - started) / 1000) * 1000))} 💚`);
      }
      exportKubeconfig(dir, o.kubeconfig);
      const ctx = kindContextName(state.name);
      err(`Set kubectl context to "${ctx}"`);
      err(`You can now use your cluster with:\n\nkubectl cluster-info --context ${ctx}${o.kubeconfig ? ` --kubeconfig ${o.kubeconfig}` : ''}\n`);
      err('Have a nice day! 👋');
    } catch (e) {
      if (dir && !o.retain && !(e instanceof Error && /already exist/.test(e.message))) {
        await deleteCluster(dir, readClusterStateName(dir), o.kubeconfig).catch(() => {});
      }
      fail('create cluster', e);
    }
  });

function readClusterStateName(dir: string): string {
  try {
    return readClusterState(dir).name;
  } catch {
    return dir.split('/').pop() ?? '';
  }
}

// ---- delete
const del = program.command('delete').description('Deletes one of [cluster, clusters, node]');
del
  .command('cluster')
  .description('Deletes a cluster')
  .option('-n, --name <name>', 'the cluster name')
  .option('--kubeconfig <path>', 'sets kubeconfig path instead of $KUBECONFIG or $HOME/.kube/config')
  .action(async (o) => {
    const name = selectClusterName({ name: o.name, kubeconfig: o.kubeconfig });
    err(`Deleting cluster "${name}" ...`);
    try {
      const nodes = await deleteCluster(clusterDir(name), name, o.kubeconfig);
      if (nodes.length) err(`Deleted nodes: [${nodes.map((n) => JSON.stringify(n)).join(' ')}]`);
    } catch (e) {
      fail('delete cluster', e);
    }
  });
del
  .command('clusters')
  .description('Deletes one or more clusters')
  .argument('[names...]')
  .option('-A, --all', 'delete all clusters')
  .option('--kubeconfig <path>', 'sets kubeconfig path instead of $KUBECONFIG or $HOME/.kube/config')
  .action(async (names: string[], o) => {
    const targets = o.all ? listClusters() : names;
    for (const name of targets) await deleteCluster(clusterDir(name), name, o.kubeconfig).catch((e) => fail('delete cluster', e));
    err(`Deleted clusters: [${targets.map((n) => JSON.stringify(n)).join(' ')}]`);
  });
del
  .command('node')
  .description('Deletes a node from a cluster (kindling)')
  .argument('<node>')
  .option('-n, --name <name>', 'the cluster name')
  .option('--wait <duration>', 'how long to wait for the node to go', '1m')
  .action(async (node: string, o) => {
    try {
      await deleteNode(existingCluster(o.name), node, parseDuration(o.wait));
      err(`Deleted node "${node}"`);
    } catch (e) {
      fail('delete node', e);
    }
  });

// ---- get
const get = program.command('get').description('Gets one of [clusters, nodes, kubeconfig]');
get
  .command('clusters')
  .description('Lists existing clusters')
  .action(() => {
    const names = listClusters();
    if (names.length === 0) err('No kind clusters found.');
    for (const n of names) process.stdout.write(`${n}\n`);
  });
get
  .command('nodes')
  .description('Lists existing nodes by their name')
  .option('-n, --name <name>', 'the cluster context name')
  .option('-A, --all-clusters', 'If present, list all the available nodes across all cluster contexts')
  .action((o) => {
    const clusters = o.allClusters ? listClusters() : [selectClusterName({ name: o.name })];
    const names: string[] = [];
    for (const c of clusters) {
      const dir = clusterDir(c);
      if (clusterExists(dir)) names.push(...readClusterState(dir).nodes.map((n) => n.name));
    }
    if (names.length === 0) {
      err(o.allClusters ? 'No kind nodes for any cluster.' : `No kind nodes found for cluster "${clusters[0]}".`);
      return;
    }
    for (const n of names) process.stdout.write(`${n}\n`);
  });
get
  .command('kubeconfig')
  .description('Prints cluster kubeconfig')
  .option('-n, --name <name>', 'the cluster context name')
  .option('--internal', 'use internal address instead of external (same for kindling)')
  .action((o) => {
    try {
      process.stdout.write(clusterKubeconfigYaml(existingCluster(o.name)));
    } catch (e) {
      fail('get kubeconfig', e);
    }
  });

// ---- export
const exp = program.command('export').description('Exports one of [kubeconfig]');
exp
  .command('kubeconfig')
  .description('Exports cluster kubeconfig')
  .option('-n, --name <name>', 'the cluster context name')
  .option('--kubeconfig <path>', 'sets kubeconfig path instead of $KUBECONFIG or $HOME/.kube/config')
  .action((o) => {
    try {
      const { name, dir } = selectExistingCluster({ name: o.name, kubeconfig: o.kubeconfig });
      exportKubeconfig(dir, o.kubeconfig);
      err(`Set kubectl context to "${kindContextName(name)}"`);
    } catch (e) {
      fail('export kubeconfig', e);
    }
  });

// ---- start / stop (kindling)
program
  .command('start')
  .description('Starts one of [cluster] (kindling)')
  .command('cluster')
  .description('Starts a stopped cluster with all its objects')
  .option('-n, --name <name>', 'the cluster name')
  .option('--wait <duration>', 'how long to wait for readiness', '5m')
  .action(async (o) => {
    try {
      const { name, dir } = selectExistingCluster({ name: o.name });
      const info = await startClusterServer(dir, parseDuration(o.wait));
      err(`Started cluster "${name}" at ${info.url}`);
    } catch (e) {
      fail('start cluster', e);
    }
  });
program
  .command('stop')
  .description('Stops one of [cluster] (kindling)')
  .command('cluster')
  .description('Stops a cluster; its objects are kept for start cluster')
  .option('-n, --name <name>', 'the cluster name')
  .action(async (o) => {
    try {
      const { name, dir } = selectExistingCluster({ name: o.name });
      const stopped = await stopCluster(dir);
      err(stopped ? `Stopped cluster "${name}"` : `Cluster "${name}" is not running`);
    } catch (e) {
      fail('stop cluster', e);
    }
  });

// ---- add nodes (kindling)
program
  .command('add')
  .description('Adds one of [nodes] (kindling)')
  .command('nodes')
  .alias('node')
  .description('Adds nodes to a cluster')
  .option('-n, --name <name>', 'the cluster name')
  .option('--count <n>', 'how many nodes', (v) => Number.parseInt(v, 10), 1)
  .addOption(new Option('--role <role>', 'node role').choices(['worker', 'control-plane']).default('worker'))
  .option('--label <k=v>', 'a node label (repeatable)', collect, [])
  .option('--taint <k=v:Effect>', 'a node taint (repeatable)', collect, [])
  .option('--wait <duration>', 'how long to wait for the nodes to be Ready', '1m')
  .action(async (o) => {
    try {
      const labels: Record<string, string> = {};
      for (const l of o.label as string[]) {
        const eq = l.indexOf('=');
        if (eq <= 0) throw new Error(`invalid label "${l}", expected key=value`);
        labels[l.slice(0, eq)] = l.slice(eq + 1);
      }
      const taints = (o.taint as string[]).map(parseTaint);
      const added = await addNodes(existingCluster(o.name), {
        count: o.count,
        role: o.role as NodeRole,
        labels,
        taints: taints.length ? taints : undefined,
        timeoutMs: parseDuration(o.wait),
      });
      for (const n of added) err(`Added node "${n.name}"`);
    } catch (e) {
      fail('add nodes', e);
    }
  });

// ---- serve
program
  .command('serve')
  .description('Runs a cluster in the foreground (for containers and CI)')
  .option('--state <dir>', 'the cluster state directory (as create cluster writes it)')
  .option('-n, --name <name>', 'cluster name (created when it does not exist)')
  .option('--config <file>', 'kind config for a new cluster')
  .option('--workers <n>', 'worker nodes for a new cluster', (v) => Number.parseInt(v, 10))
  .option('--kubernetes-version <version>', 'Kubernetes version for a new cluster')
  .option('--host <host>', 'address to listen on for a new cluster', '127.0.0.1')
  .option('--port <port>', 'port for a new cluster', (v) => Number.parseInt(v, 10))
  .option('--store <url>', 'store URL: etcd://HOST:PORT[,HOST:PORT...] (several kindling processes may serve one cluster from it: give each the same name and --workers/--config, each in its own KINDLING_HOME; controllers and nodes run on the elected leader)')
  .option('--insecure-http', 'plain HTTP for a new cluster')
  .option('--insecure-allow-remote', 'with --insecure-http, listen on a --host other than loopback (anyone who reaches it controls the cluster)')
  .option('--kubeconfig <path>', 'write the kubeconfig here (default: $KUBECONFIG or $HOME/.kube/config)')
  .option('--node-grace-period <duration>', "node lifecycle's --node-monitor-grace-period (default: the cluster's, else 50s)")
  .addOption(new Option('--runtime <runtime>', "the nodes' container runtime: simulated or process (default: the cluster's, else simulated)").choices(RUNTIME_KINDS))
  .action(async (o) => {
    try {
      const nodeMonitorGracePeriodMs = o.nodeGracePeriod ? parseDuration(o.nodeGracePeriod) : undefined;
      let dir: string = o.state;
      if (!dir) {
        const configText = o.config ? readConfigText(o.config) : undefined;
        const name = parseKindConfig(configText, { name: o.name, defaultName: defaultName() }).spec.name;
        if (clusterExists(clusterDir(name))) dir = clusterDir(name);
        else {
          const created = await createClusterState({
            configText, name, workers: o.workers, kubernetesVersion: o.kubernetesVersion, host: o.host, port: o.port, insecureHttp: o.insecureHttp, insecureAllowRemote: o.insecureAllowRemote, store: o.store, runtime: o.runtime,
          });
          for (const w of created.warnings) err(`WARNING: ${w}`);
          dir = created.dir;
        }
        const path = exportKubeconfig(dir, o.kubeconfig);
        err(`Set kubectl context to "${kindContextName(readClusterState(dir).name)}" in ${path}`);
      }
      if (o.store && readClusterState(dir).store !== o.store) writeClusterState(dir, { ...readClusterState(dir), store: o.store });
      if (o.runtime && (readClusterState(dir).runtime ?? 'simulated') !== o.runtime) {
        checkRuntime(o.runtime);
        const { runtime: _old, ...rest } = readClusterState(dir);
        writeClusterState(dir, o.runtime === 'process' ? { ...rest, runtime: 'process' } : rest);
      }
      await serveState(dir, undefined, { nodeMonitorGracePeriodMs });
    } catch (e) {
      fail('serve', e);
    }
  });

// ---- node faults (kindling)
const nodeCmd = program.command('node').description('Fails and recovers simulated nodes: stop, start, condition (kindling)');
nodeCmd
  .command('stop')
  .description("Stops a node's kubelet: no more heartbeats; node lifecycle marks it NotReady (Unknown) after the grace period")
  .argument('<node>')
  .option('-n, --name <name>', 'the cluster name')
  .action(async (node: string, o) => {
    try {
      await stopNode(existingCluster(o.name), node);
      err(`Stopped node "${node}"`);
    } catch (e) {
      fail('stop node', e);
    }
  });
nodeCmd
  .command('start')
  .description("Starts a stopped node's kubelet again")
  .argument('<node>')
  .option('-n, --name <name>', 'the cluster name')
  .action(async (node: string, o) => {
    try {
      await startNode(existingCluster(o.name), node);
      err(`Started node "${node}"`);
    } catch (e) {
      fail('start node', e);
    }
  });
nodeCmd
  .command('condition')
  .description("Makes a node's kubelet report a condition, e.g. MemoryPressure=True or Ready=False")
  .argument('<node>')
  .argument('<TYPE=STATUS>')
  .option('-n, --name <name>', 'the cluster name')
  .option('--reason <reason>', "the condition's reason (default: kubelet's for TYPE=STATUS)")
  .option('--message <message>', "the condition's message (default: kubelet's for TYPE=STATUS)")
  .action(async (node: string, cond: string, o) => {
    try {
      const { type, status } = parseConditionArg(cond);
      await setNodeCondition(existingCluster(o.name), node, type, status, o.reason, o.message);
      err(`Node "${node}" reports ${type}=${status}`);
    } catch (e) {
      fail('set node condition', e);
    }
  });

// ---- web view (kindling)
program
  .command('ui')
  .description("Prints a one-time login link to the cluster's web view, and opens it on a desktop (kindling)")
  .option('-n, --name <name>', 'the cluster name')
  .option('--no-open', 'only print the link')
  .action(async (o) => {
    try {
      const { loginLink, openInBrowser, browserCommand } = await import('../ui/login.js');
      const { url, expiresAt } = await loginLink(existingCluster(o.name ?? defaultName()));
      process.stdout.write(`${url}\n`);
      err(`The link works once, until ${new Date(expiresAt).toLocaleTimeString()}. Your browser does not know the cluster's own CA: accept its certificate for this address.`);
      if (o.open && browserCommand() && !(await openInBrowser(url))) err('Could not start a browser: open the link yourself.');
    } catch (e) {
      fail('open the web view', e);
    }
  });

// ---- lifecycle rules (kindling)
program
  .command('rules')
  .description('Sets the simulated kubelets\' pod lifecycle rules (kindling)')
  .command('set')
  .description('Replaces the lifecycle rules of a cluster (YAML file, "-" for stdin); a running cluster uses them at once')
  .argument('<file>')
  .option('-n, --name <name>', 'the cluster name')
  .action(async (file: string, o) => {
    try {
      const { name, dir } = selectExistingCluster({ name: o.name });
      const { applied } = await setRules(dir, readConfigText(file));
      err(applied ? `Set lifecycle rules of cluster "${name}"` : `Saved lifecycle rules of cluster "${name}" (used when it starts)`);
    } catch (e) {
      fail('set rules', e);
    }
  });

// ---- preview a DaemonSet (kindling)
registerExplain(program, fail);

program.parseAsync(process.argv).catch((e) => {
  err(e instanceof CliError ? e.message : `ERROR: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
