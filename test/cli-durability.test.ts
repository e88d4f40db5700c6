// Durability end to end: a cluster made by the CLI takes writes from real kubectl, its server is
// killed with SIGKILL in the middle of a burst of creates, `kindling start cluster` brings it back,
// and every write kubectl saw acknowledged is there with the resourceVersion it was given; the
// store's revision carries on and a DaemonSet rollout still completes.

import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, ensureBuilt, kindling, type CliEnv } from './helpers/cli.js';
import { KubectlRunner, kubectls, eventually } from './helpers/kubectl.js';
import { isAlive } from '../src/cluster/state.js';

const NAME = 'durable';

const daemonSet = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: team-a
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: ${image}
`;

describe('kindling cluster survives kill -9', () => {
  let e: CliEnv;
  let k: KubectlRunner;

  beforeAll(async () => {
    await ensureBuilt();
    e = cliEnv();
    // the system DaemonSets' pods take 3 s to become ready, so returning early would show
    const rules = join(e.home, 'slow-system-pods.yaml');
    writeFileSync(rules, [
      '- name: slow-kindnet',
      '  match: {image: "*kindnetd*"}',
      '  ready: {delayMs: 3000}',
      '- name: slow-kube-proxy',
      '  match: {image: "*kube-proxy*"}',
      '  ready: {delayMs: 3000}',
      '',
    ].join('\n'));
    const created = await kindling(e, 'create', 'cluster', '--name', NAME, '--workers', '2', '--rules', rules);
    expect(created.code, created.stderr).toBe(0);
    k = new KubectlRunner(kubectls()[0], e.kubeconfig);
  }, 300_000);

  afterAll(async () => {
    if (e) await kindling(e, 'delete', 'cluster', '--name', NAME);
  }, 60_000);

  it('create returns with every node Ready and the kube-system DaemonSets available', async () => {
    // no waiting here: create cluster must not return before this holds
    const nodes = await k.ok(['get', 'nodes', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status']);
    expect(nodes.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      [`${NAME}-control-plane`, 'True'],
      [`${NAME}-worker`, 'True'],
      [`${NAME}-worker2`, 'True'],
    ]);
    const ds = await k.ok([
      'get', 'ds', '-n', 'kube-system', '--no-headers', '-o',
      'custom-columns=NAME:.metadata.name,DESIRED:.status.desiredNumberScheduled,AVAILABLE:.status.numberAvailable,UPDATED:.status.updatedNumberScheduled',
    ]);
    expect(ds.trim().split('\n').map((l) => l.split(/\s+/))).toEqual([
      ['kindnet', '3', '3', '3'],
      ['kube-proxy', '3', '3', '3'],
    ]);
  });

  it('keeps every acknowledged object, with its resourceVersion, across SIGKILL and start cluster', async () => {
    const rv = new Map<string, string>();
    const create = async (args: string[], key: string) => {
      const r = await k.run(['create', ...args, '-o', 'jsonpath={.metadata.resourceVersion}']);
      if (r.code === 0) rv.set(key, r.stdout);
      return r;
    };
    for (const ns of ['team-a', 'team-b']) expect((await create(['namespace', ns], `ns/${ns}`)).code).toBe(0);
    const ds = await k.run(['create', '-f', '-', '-o', 'jsonpath={.metadata.uid}'], { stdin: daemonSet('registry.k8s.io/pause:3.9') });
    expect(ds.code, ds.stderr).toBe(0);
    const dsUid = ds.stdout;
    await eventually(async () => (await k.ok(['get', 'ds', 'agent', '-n', 'team-a', '-o', 'jsonpath={.status.numberAvailable}'])) === '2', 30_000);

    // a burst of concurrent creates; the server dies while some are still in flight
    const server = JSON.parse(readFileSync(join(e.home, 'clusters', NAME, 'server.json'), 'utf8')) as { pid: number };
    let acked = 0;
    let killed = false;
    const burst = Array.from({ length: 40 }, (_, i) =>
      create(['configmap', `cm-${i}`, '-n', i % 2 ? 'team-a' : 'team-b', `--from-literal=index=${i}`], `cm/${i % 2 ? 'team-a' : 'team-b'}/cm-${i}`).then((r) => {
        if (r.code === 0 && ++acked === 12 && !killed) {
          killed = true;
          process.kill(server.pid, 'SIGKILL');
        }
      }),
    );
    await Promise.all(burst);
    expect(killed).toBe(true);
    await eventually(async () => !isAlive(server.pid), 10_000);
    const ackedCms = [...rv.keys()].filter((key) => key.startsWith('cm/'));
    expect(ackedCms.length).toBeGreaterThanOrEqual(12);

    const started = await kindling(e, 'start', 'cluster', '--name', NAME);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toMatch(new RegExp(`^Started cluster "${NAME}" at https://127\\.0\\.0\\.1:\\d+\\n$`));

    for (const [key, want] of rv) {
      const parts = key.split('/');
      const args = parts[0] === 'ns' ? ['get', 'namespace', parts[1]] : ['get', 'configmap', parts[2], '-n', parts[1]];
      expect(await k.ok([...args, '-o', 'jsonpath={.metadata.resourceVersion}']), key).toBe(want);
    }
    for (const key of ackedCms) {
      const [, ns, name] = key.split('/');
      expect(await k.ok(['get', 'configmap', name, '-n', ns, '-o', 'jsonpath={.data.index}'])).toBe(name.slice(3));
    }
    expect(await k.ok(['get', 'ds', 'agent', '-n', 'team-a', '-o', 'jsonpath={.metadata.uid}'])).toBe(dsUid);

    // the revision carries on from where the killed server left it
    const maxRv = Math.max(...[...rv.values()].map(Number));
    const after = await k.ok(['create', 'configmap', 'after-restart', '-n', 'team-a', '-o', 'jsonpath={.metadata.resourceVersion}']);
    expect(Number(after)).toBeGreaterThan(maxRv);

    // the DaemonSet controller picks up where it was: a new image rolls out over both workers
    await k.ok(['set', 'image', 'ds/agent', '-n', 'team-a', 'agent=registry.k8s.io/pause:3.10']);
    const rollout = await k.run(['rollout', 'status', 'ds/agent', '-n', 'team-a', '--timeout=60s']);
    expect(rollout.code, rollout.stderr).toBe(0);
    expect(rollout.stdout.trimEnd().split('\n').pop()).toBe('daemon set "agent" successfully rolled out');
    await eventually(async () => {
      const lines = (await k.ok(['get', 'pods', '-n', 'team-a', '-l', 'app=agent', '-o', 'jsonpath={range .items[*]}{.spec.containers[0].image}{"\\n"}{end}'])).trim().split('\n');
      return lines.length === 2 && lines.every((l) => l === 'registry.k8s.io/pause:3.10');
    }, 30_000);
  }, 240_000);
});
