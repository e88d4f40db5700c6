// Several kindling processes serving one cluster from one etcd (3 members): controllers and
// simulated nodes run only in the process holding the kube-controller-manager Lease. A
// DaemonSet rolling update over 200 nodes is under way when the leading process is killed
// (kill -9): the other takes the lease over, the rollout completes with exactly one pod of the
// new revision per node, and an etcd member can die too.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startEtcd, type EtcdCluster } from './helpers/etcd.js';
import { eventually, KubectlRunner, kubectls } from './helpers/kubectl.js';

const repoRoot = resolve(new URL('..', import.meta.url).pathname);
const WORKERS = Number(process.env.KINDLING_HA_WORKERS ?? 199); // + the control-plane node = 200 nodes
const NODES = WORKERS + 1;
const SPEED = 5;

interface Proc {
  identity: string;
  child: ChildProcess;
  url: string;
  log: string[];
  kubeconfig: string;
}

const tmp = mkdtempSync(join(tmpdir(), 'kindling-etcd-ha-'));
const procs: Proc[] = [];
let etcd: EtcdCluster;
const epoch = Date.now();

function startKindling(identity: string, storeUrl: string): Promise<Proc> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/helpers/etcd-kindling-child.ts'), JSON.stringify({ storeUrl, identity, workers: WORKERS, epoch, speed: SPEED })],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const log: string[] = [];
  child.stderr!.on('data', (b: Buffer) => {
    log.push(b.toString());
    if (log.length > 500) log.shift();
  });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const { url } = JSON.parse(out.slice(0, nl)) as { url: string };
      const kubeconfig = join(tmp, `${identity}.kubeconfig`);
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'ha', cluster: { server: url } }],
          users: [{ name: 'ha', user: {} }],
          contexts: [{ name: 'ha', context: { cluster: 'ha', user: 'ha' } }],
          'current-context': 'ha',
        }),
      );
      const p: Proc = { identity, child, url, log, kubeconfig };
      procs.push(p);
      res(p);
    });
    child.once('exit', (code) => rej(new Error(`kindling ${identity} exited (${code}) before serving:\n${log.join('').slice(-3000)}`)));
  });
}

async function getJson<T>(p: Proc, path: string): Promise<T> {
  const r = await fetch(new URL(path, p.url));
  if (r.status !== 200) throw new Error(`GET ${path} on ${p.identity}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function send(p: Proc, method: string, path: string, body: unknown, type = 'application/json'): Promise<unknown> {
  const r = await fetch(new URL(path, p.url), { method, headers: { 'content-type': type }, body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} on ${p.identity}: ${r.status} ${text}`);
  return JSON.parse(text);
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseTransitions?: number;
  renewTime?: string;
  acquireTime?: string;
}
const leaseOf = (p: Proc) => getJson<{ spec: LeaseSpec }>(p, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager').then((l) => l.spec);

interface PodLite {
  metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}
interface DsLite {
  metadata: { generation: number };
  status?: { observedGeneration?: number; updatedNumberScheduled?: number; numberAvailable?: number; desiredNumberScheduled?: number; numberReady?: number };
}

const DS_PATH = '/apis/apps/v1/namespaces/default/daemonsets/ha-agent';
const dsObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ha-agent', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'ha-agent' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: Math.ceil(NODES / 5) } },
    template: {
      metadata: { labels: { app: 'ha-agent' } },
      spec: {
        terminationGracePeriodSeconds: 0,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.9' }],
      },
    },
  },
};

const ready = (p: PodLite) => (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('several kindling processes on one 3-member etcd', () => {
  beforeAll(async () => {
    etcd = await startEtcd(3);
  }, 90_000);

  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await etcd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }, 60_000);

  it('survives kill -9 of the leading process during a 200-node rollout, and the loss of an etcd member', async () => {
    onTestFailed(() => {
      for (const p of procs) console.log(`---- ${p.identity} (${p.url}):\n${p.log.join('').slice(-4000)}`);
    });
    const storeUrl = etcd.storeUrl();
    const a = await startKindling('kindling-a', storeUrl);
    const b = await startKindling('kindling-b', storeUrl);

    // one leader; it runs the simulated kubelets of all 200 nodes
    const first = await eventually(async () => (await leaseOf(a).catch(() => undefined))?.holderIdentity, 30_000);
    expect(['kindling-a', 'kindling-b']).toContain(first);
    const leader = first === 'kindling-a' ? a : b;
    const other = leader === a ? b : a;
    await eventually(async () => {
      const nodes = await getJson<{ items: PodLite[] }>(other, '/api/v1/nodes');
      return nodes.items.length === NODES && nodes.items.every((n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 120_000);

    // the DaemonSet, written through the follower's API server, runs everywhere
    await send(other, 'POST', '/apis/apps/v1/namespaces/default/daemonsets', dsObject);
    await eventually(async () => (await getJson<DsLite>(leader, DS_PATH)).status?.numberAvailable === NODES, 180_000);
    const v1Pods = (await getJson<{ items: PodLite[] }>(other, '/api/v1/namespaces/default/pods?labelSelector=app%3Dha-agent')).items;
    expect(v1Pods).toHaveLength(NODES);
    const oldHash = v1Pods[0]!.metadata.labels!['controller-revision-hash'];

    // start the rolling update, and kill the leader once it is under way
    await send(leader, 'PATCH', DS_PATH, { spec: { template: { spec: { containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.10' }] } } } }, 'application/strategic-merge-patch+json');
    const underWay = await eventually(async () => {
      const ds = await getJson<DsLite>(other, DS_PATH);
      const n = ds.status?.updatedNumberScheduled ?? 0;
      const done = n === NODES && ds.status?.numberAvailable === NODES;
      return ds.status?.observedGeneration === 2 && n > 0 && !done ? n : undefined;
    }, 120_000);
    const before = await leaseOf(other);
    leader.child.kill('SIGKILL');
    const killedAt = Date.now();

    // the other process takes the lease over
    const after = await eventually(async () => {
      const l = await leaseOf(other);
      return l.holderIdentity === other.identity ? l : undefined;
    }, 60_000);
    console.log(
      `etcd-ha: rollout at ${underWay}/${NODES} updated when ${leader.identity} was killed; ${other.identity} leads after ` +
        `${((Date.now() - killedAt) / 1000).toFixed(1)} s real (clock x${SPEED}), acquireTime ${after.acquireTime}, last renewal by the old leader ${before.renewTime}`,
    );
    expect(after.leaseTransitions).toBe((before.leaseTransitions ?? 0) + 1);

    // an etcd member dies too: the surviving process fails over to the others
    await etcd.kill(0);

    // the rollout completes: every node has exactly one pod, of the new revision, Ready
    const newHash = await eventually(async () => {
      const ds = await getJson<DsLite>(other, DS_PATH);
      if (ds.status?.updatedNumberScheduled !== NODES || ds.status.numberAvailable !== NODES) return undefined;
      const pods = (await getJson<{ items: PodLite[] }>(other, '/api/v1/namespaces/default/pods?labelSelector=app%3Dha-agent')).items;
      if (pods.length !== NODES || pods.some((p) => p.metadata.deletionTimestamp || !ready(p))) return undefined;
      const hashes = new Set(pods.map((p) => p.metadata.labels?.['controller-revision-hash']));
      return hashes.size === 1 && !hashes.has(oldHash) ? [...hashes][0] : undefined;
    }, 300_000);
    const pods = (await getJson<{ items: PodLite[] }>(other, '/api/v1/namespaces/default/pods?labelSelector=app%3Dha-agent')).items;
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec.nodeName ?? '', (perNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
    expect(perNode.size).toBe(NODES);
    expect([...perNode.values()].every((n) => n === 1)).toBe(true);
    expect(pods.every((p) => p.metadata.labels?.['controller-revision-hash'] === newHash)).toBe(true);

    // a replacement process serves the same objects: kubectl against each API server
    const c = await startKindling('kindling-c', etcd.storeUrl());
    for (const k of kubectls()) {
      const args = ['get', 'pods,daemonsets', '-n', 'default', '-o', 'custom-columns=KIND:.kind,NAME:.metadata.name,UID:.metadata.uid,NODE:.spec.nodeName,IMAGE:.spec.template.spec.containers[0].image', '--sort-by=.metadata.name'];
      const fromOther = await new KubectlRunner(k, other.kubeconfig).run(args);
      const fromC = await new KubectlRunner(k, c.kubeconfig).run(args);
      expect(fromOther.code, fromOther.stderr).toBe(0);
      expect(fromC.stdout).toBe(fromOther.stdout);
      expect(fromOther.stdout.trim().split('\n')).toHaveLength(NODES + 2); // header + pods + the DaemonSet
      // the status as the new leader's controller reports it, read through the replacement's API server
      // (it may dip while a node's heartbeats catch up after the takeover, so wait for it to settle)
      const counts = await eventually(async () => {
        const ds = await new KubectlRunner(k, c.kubeconfig).run(['get', 'ds', 'ha-agent', '-o', 'jsonpath={.status.updatedNumberScheduled}/{.status.numberAvailable}']);
        return ds.stdout === `${NODES}/${NODES}` ? ds.stdout : undefined;
      }, 60_000);
      expect(counts).toBe(`${NODES}/${NODES}`);
    }
    // the replacement does not lead while the survivor renews
    expect((await leaseOf(c)).holderIdentity).toBe(other.identity);
  }, 900_000);
});
