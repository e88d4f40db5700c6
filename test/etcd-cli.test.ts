// The CLI on etcd: `kindling create cluster --store etcd://... --insecure-http` (plain HTTP means
// no token: kubectl sends none over http), kubectl 1.20 and 1.32, a DaemonSet 4/4; a second
// process `kindling serve --name NAME --store etcd://...` with the same cluster spec in its own
// KINDLING_HOME serves the same cluster from the same etcd; `kindling delete cluster` stops the
// server, removes the state and the cluster's /registry/ keys from etcd.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLI, cliEnv, ensureBuilt, kindling, type CliEnv, type CliResult } from './helpers/cli.js';
import { KubectlRunner, eventually, kubectls, parseTable } from './helpers/kubectl.js';
import { startEtcd, type EtcdCluster } from './helpers/etcd.js';

const NAME = 'etcd1';
const NODES = [`${NAME}-control-plane`, `${NAME}-worker`, `${NAME}-worker2`, `${NAME}-worker3`];
const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: default
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: agent
        image: registry.k8s.io/pause:3.9
`;

/** keys under a prefix in etcd, through its JSON gateway */
async function etcdCount(etcd: EtcdCluster, prefix: string): Promise<number> {
  const key = Buffer.from(prefix);
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  const r = (await fetch(`${etcd.members[0]!.clientUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: key.toString('base64'), range_end: end.toString('base64'), count_only: true }),
  }).then((x) => x.json())) as { count?: string };
  return Number(r.count ?? 0);
}

describe('kindling CLI on etcd', () => {
  let etcd: EtcdCluster;
  let e: CliEnv;
  let e2: CliEnv;
  let created: CliResult;
  let second: ChildProcess | undefined;
  let secondLog = '';

  beforeAll(async () => {
    await ensureBuilt();
    etcd = await startEtcd(1);
    e = cliEnv();
    e2 = cliEnv();
    created = await kindling(e, 'create', 'cluster', '--name', NAME, '--workers', '3', '--store', etcd.storeUrl(), '--insecure-http');
  }, 300_000);

  afterAll(async () => {
    if (second && second.exitCode === null) second.kill('SIGKILL');
    if (e) await kindling(e, 'delete', 'cluster', '--name', NAME);
    await etcd?.stop();
  }, 60_000);

  it('create cluster --store etcd:// --insecure-http: plain HTTP, no token, kubectl 1.20 and 1.32 get nodes', async () => {
    expect(created.code, created.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(e.home, 'clusters', NAME, 'cluster.json'), 'utf8')) as { store: string; insecureHttp: boolean };
    expect(state.store).toBe(etcd.storeUrl());
    expect(state.insecureHttp).toBe(true);
    const kc = parse(readFileSync(e.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[]; users: { name: string; user: Record<string, unknown> }[] };
    expect(kc.clusters[0]!.cluster.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(kc.users).toEqual([{ name: `kind-${NAME}`, user: {} }]);
    // the objects are in etcd, under the upstream layout
    expect(await etcdCount(etcd, '/registry/minions/')).toBe(0);
    expect(await etcdCount(etcd, '/registry/core/nodes/')).toBe(4);
    for (const k of kubectls()) {
      const rows = parseTable(await new KubectlRunner(k, e.kubeconfig).ok(['get', 'nodes']));
      expect(rows[0], k.version).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
      expect(rows.slice(1).map((r) => [r[0], r[1], r[2]]), k.version).toEqual([
        [NODES[0], 'Ready', 'control-plane'],
        [NODES[1], 'Ready', '<none>'],
        [NODES[2], 'Ready', '<none>'],
        [NODES[3], 'Ready', '<none>'],
      ]);
    }
  });

  it('a DaemonSet reaches 4/4 (kubectl 1.20 and 1.32)', async () => {
    const [k120, ...others] = kubectls().map((k) => new KubectlRunner(k, e.kubeconfig));
    expect(await k120!.ok(['apply', '-f', '-'], { stdin: DS })).toBe('daemonset.apps/agent created\n');
    for (const k of [k120!, ...others]) {
      const row = await eventually(async () => {
        const rows = parseTable(await k.ok(['get', 'ds', 'agent']));
        return rows[1]?.[3] === '4' && rows[1]?.[5] === '4' ? rows : undefined;
      }, 60_000);
      expect(row[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
      expect(row[1]!.slice(0, 7)).toEqual(['agent', '4', '4', '4', '4', '4', '<none>']);
    }
  });

  it('a second process `serve --store` with the same cluster spec serves the same objects', async () => {
    second = spawn(process.execPath, [CLI, 'serve', '--name', NAME, '--workers', '3', '--store', etcd.storeUrl(), '--insecure-http'], {
      env: { ...process.env, ...e2.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    second.stdout!.on('data', (d) => (secondLog += d));
    second.stderr!.on('data', (d) => (secondLog += d));
    await eventually(async () => existsSync(join(e2.home, 'clusters', NAME, 'server.json')), 60_000).catch((err) => {
      throw new Error(`${err.message}\n${secondLog}`);
    });
    const url1 = (parse(readFileSync(e.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] }).clusters[0]!.cluster.server;
    const url2 = (parse(readFileSync(e2.kubeconfig, 'utf8')) as { clusters: { cluster: { server: string } }[] }).clusters[0]!.cluster.server;
    expect(url2).not.toBe(url1);
    for (const k of kubectls()) {
      const one = new KubectlRunner(k, e.kubeconfig);
      const two = new KubectlRunner(k, e2.kubeconfig);
      const uids = (r: KubectlRunner) => r.ok(['get', 'pods', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.metadata.uid} {.spec.nodeName}{"\\n"}{end}']);
      const seen = await uids(two);
      expect(seen.trim().split('\n').map((l) => l.split(' ')[1]).sort(), k.version).toEqual(NODES);
      expect(seen, k.version).toBe(await uids(one));
      // a write through one server is read through the other
      const cm = `cm-${k.version.replace('.', '-')}`;
      expect(await two.ok(['create', 'configmap', cm, '--from-literal=a=b'])).toBe(`configmap/${cm} created\n`);
      expect(await one.ok(['get', 'configmap', cm, '-o', 'jsonpath={.data.a}'])).toBe('b');
    }
    // the first process still leads: the second stays a follower (controllers and nodes run once)
    const holder = await new KubectlRunner(kubectls()[0]!, e2.kubeconfig).ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(holder).not.toBe('');
    const done = new Promise((r) => second!.once('exit', r));
    second.kill('SIGTERM');
    await done;
    expect(existsSync(join(e2.home, 'clusters', NAME, 'server.json'))).toBe(false);
  }, 120_000);

  it('delete cluster stops the server, removes its state and its keys in etcd', async () => {
    const info = JSON.parse(readFileSync(join(e.home, 'clusters', NAME, 'server.json'), 'utf8')) as { pid: number };
    expect(await etcdCount(etcd, '/registry/')).toBeGreaterThan(0);
    const r = await kindling(e, 'delete', 'cluster', '--name', NAME);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`Deleting cluster "${NAME}" ...\nDeleted nodes: [${NODES.map((n) => `"${n}"`).join(' ')}]\n`);
    expect(existsSync(join(e.home, 'clusters', NAME))).toBe(false);
    expect(() => process.kill(info.pid, 0)).toThrow();
    expect(await etcdCount(etcd, '/registry/')).toBe(0);
    const after = await kindling(e, 'get', 'clusters');
    expect(after.stderr).toBe('No kind clusters found.\n');
  }, 60_000);
});
