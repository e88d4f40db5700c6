// Snapshots: export one kindling cluster (varied labels, taints, capacities, a NotReady node,
// DaemonSets, a Deployment, bare pods) over its API like any cluster, build another from the
// file, and get the same placement, with the controllers carrying on and not redoing anything.
// Plain `kubectl get ... -o yaml` output and kwok's k8s-yaml stream load too; bad input is named.

import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { startCluster, type StartedCluster } from '../src/index.js';
import { R, type KubeObject } from '../src/client/types.js';
import { remoteServer } from '../src/cluster/remote.js';
import { exportSnapshot } from '../src/snapshot/index.js';
import { eventually, kubectls, KubectlRunner } from './helpers/kubectl.js';

let a: StartedCluster;
let text: string;

const agent = (name: string, nodeSelector?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: 'c', image: 'busybox', resources: { requests: { memory: '256Mi' } } }] } },
  },
});

async function placement(c: StartedCluster): Promise<Record<string, string>> {
  const pods = (await c.client.list<Pod & KubeObject>(R.pods, undefined)).items.filter((p) => !p.metadata.deletionTimestamp);
  return Object.fromEntries(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.spec?.nodeName ?? '']).sort());
}

async function nodesView(c: StartedCluster) {
  const nodes = (await c.client.list<Node & KubeObject>(R.nodes, undefined)).items;
  return nodes
    .map((n) => ({
      name: n.metadata.name,
      labels: n.metadata.labels,
      taints: (n.spec?.taints ?? []).map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`).sort(),
      unschedulable: !!n.spec?.unschedulable,
      allocatable: n.status?.allocatable,
      capacity: n.status?.capacity,
      ready: n.status?.conditions?.find((x) => x.type === 'Ready')?.status,
    }))
    .sort((x, y) => x.name!.localeCompare(y.name!));
}

function explain(c: StartedCluster, ns: string, name: string): Promise<any> {
  const token = /token: (\S+)/.exec(c.kubeconfig)![1];
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(c.kubeconfig)![1], 'base64').toString();
  return new Promise((resolve, reject) => {
    https
      .get(new URL(`/kindling/v1alpha1/explain/namespaces/${ns}/daemonsets/${name}`, c.url), { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let t = '';
        res.on('data', (d) => (t += d));
        res.on('end', () => resolve(JSON.parse(t)));
      })
      .on('error', reject);
  });
}

/** every DaemonSet up to date and available where it should run, the Deployment's pods all there */
async function settled(c: StartedCluster): Promise<boolean> {
  const dss = (await c.client.list<DaemonSet & KubeObject>(R.daemonsets, undefined)).items;
  const ok = dss.every((d) => d.status && d.status.observedGeneration === d.metadata.generation && d.status.desiredNumberScheduled === (d.status.updatedNumberScheduled ?? 0) && d.status.currentNumberScheduled === d.status.desiredNumberScheduled);
  const pods = (await c.client.list<Pod & KubeObject>(R.pods, 'default', { labelSelector: 'app=web' })).items;
  return ok && pods.filter((p) => p.spec?.nodeName && !p.metadata.deletionTimestamp).length === 3;
}

beforeAll(async () => {
  a = await startCluster({ name: 'origin', workers: 0 });
  await a.runtime.waitForNodesReady(20_000);
  for (let i = 0; i < 12; i++) {
    const labels: Record<string, string> = { pool: i % 3 === 0 ? 'gpu' : 'general', zone: `z${i % 2}` };
    const taints = i % 3 === 0 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] : [];
    await a.runtime.addNode({ name: `node-${i}`, role: 'worker', index: i + 1, labels, taints, kubernetesVersion: 'v1.32.4' });
    const mem = `${2 + (i % 4)}Gi`;
    await a.client.patch(R.nodes, undefined, `node-${i}`, 'strategic', { status: { capacity: { cpu: String(2 + (i % 3)), memory: mem, pods: '20' }, allocatable: { cpu: String(2 + (i % 3)), memory: mem, pods: '20' } } }, undefined, 'status');
  }
  await a.client.patch(R.nodes, undefined, 'node-4', 'strategic', { spec: { unschedulable: true } });
  await a.client.create(R.daemonsets, 'default', agent('agent'));
  await a.client.create(R.daemonsets, 'default', agent('gpu-agent', { pool: 'gpu' }));
  await a.client.create(R.deployments, 'default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '500m' } } }] } } },
  });
  for (let i = 0; i < 3; i++) {
    await a.client.create(R.pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}`, namespace: 'default' }, spec: { nodeName: `node-${i + 5}`, containers: [{ name: 'c', image: 'busybox' }] } });
  }
  await eventually(() => settled(a), 30_000);
  // a node whose kubelet reports NotReady: node lifecycle taints it, its pods stay
  await a.runtime.setNodeCondition('node-7', 'Ready', 'False', 'KubeletNotReady', 'PLEG is not healthy');
  await eventually(async () => ((await a.client.get<Node & KubeObject>(R.nodes, undefined, 'node-7')).spec?.taints ?? []).filter((t) => t.key === 'node.kubernetes.io/not-ready').length === 2);
  a.runtime.stopNode('node-7');
  text = (await exportSnapshot(remoteServer({ kubeconfig: a.kubeconfigPath }))).text;
}, 90_000);

afterAll(async () => {
  await a?.stop();
});

describe('snapshot export and create', () => {
  it('exports what matters for placement, never Secrets or ConfigMaps', () => {
    const list = parse(text, { version: '1.1' }) as { kind: string; items: KubeObject[] };
    expect(list.kind).toBe('List');
    const kinds = new Set(list.items.map((o) => o.kind));
    for (const k of ['Namespace', 'PriorityClass', 'Node', 'DaemonSet', 'Deployment', 'ReplicaSet', 'ControllerRevision', 'Pod']) expect(kinds).toContain(k);
    expect(kinds.has('Secret') || kinds.has('ConfigMap')).toBe(false);
    expect(list.items.every((o) => o.metadata.uid && !o.metadata.resourceVersion && !o.metadata.managedFields)).toBe(true);
  });

  it('another cluster from the file has the same nodes and placement, and its controllers carry on', async () => {
    const b = await startCluster({ name: 'copy', snapshot: text });
    try {
      expect(b.snapshotReport!.problems).toEqual([]);
      expect(b.nodes.sort()).toEqual((await a.client.list(R.nodes, undefined)).items.map((n) => n.metadata.name).sort());
      expect(await nodesView(b)).toEqual(await nodesView(a));
      expect(await placement(b)).toEqual(await placement(a));
      // the NotReady node's kubelet is stopped, as `kindling node stop` leaves it
      expect(b.runtime.nodeSimulator()!.isRunning('node-7')).toBe(false);
      expect(b.runtime.nodeSimulator()!.isRunning('node-8')).toBe(true);
      // owners were relinked: the controllers adopt what they find and create nothing new
      await eventually(() => settled(b), 30_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(await placement(b)).toEqual(await placement(a));
      const rs = (await b.client.list(R.replicasets, 'default')).items.map((x) => x.metadata.name);
      expect(rs).toEqual((await a.client.list(R.replicasets, 'default')).items.map((x) => x.metadata.name));
      const ea = await explain(a, 'default', 'agent');
      const eb = await explain(b, 'default', 'agent');
      expect(eb.nodes.map((n: any) => [n.node, n.willRun, n.reasons.map((r: any) => r.reason)])).toEqual(ea.nodes.map((n: any) => [n.node, n.willRun, n.reasons.map((r: any) => r.reason)]));
      expect(eb.summary.map((s: any) => s.message)).toEqual(ea.summary.map((s: any) => s.message));
      // the user starts the stopped node: it reports Ready again
      b.runtime.startNode('node-7');
      await eventually(async () => (await b.client.get<Node & KubeObject>(R.nodes, undefined, 'node-7')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True');
    } finally {
      await b.stop();
    }
  }, 90_000);

  it('loads plain `kubectl get nodes,ds,deploy,pods,priorityclasses -A -o yaml` output', async () => {
    // the newest kubectl at hand (its -o yaml is what users have)
    const kubectl = kubectls().at(-1)!;
    const out = await new KubectlRunner(kubectl, a.kubeconfigPath).ok(['get', 'nodes,ds,deploy,pods,priorityclasses', '-A', '-o', 'yaml']);
    const b = await startCluster({ name: 'fromkubectl', snapshot: out });
    try {
      // no ReplicaSets in that output: the Deployment's pods cannot be relinked (as kwok, named and skipped)
      const skipped = b.snapshotReport!.problems.map((p) => p.object);
      expect(skipped.sort()).toEqual(Object.keys(await placement(a)).filter((k) => k.startsWith('default/web-')).map((k) => `Pod ${k}`).sort());
      expect(b.snapshotReport!.problems[0].message).toMatch(/^its owner ReplicaSet default\/web-\w+ is not in the snapshot$/);
      const want = Object.fromEntries(Object.entries(await placement(a)).filter(([k]) => !k.startsWith('default/web-')));
      const got = await placement(b);
      for (const [k, v] of Object.entries(want)) expect([k, got[k]]).toEqual([k, v]);
      // the DaemonSets' pods are current (a revision was recorded for their hash): nothing rolls
      await eventually(() => settled(b), 30_000);
      for (const [k, v] of Object.entries(want)) expect([k, (await placement(b))[k]]).toEqual([k, v]);
    } finally {
      await b.stop();
    }
  }, 90_000);

  it("loads kwok's k8s-yaml stream (one object per document) and names bad input", async () => {
    const list = parse(text, { version: '1.1' }) as { items: KubeObject[] };
    const docs = list.items.map((o) => stringify(o, { version: '1.1' }));
    docs.push('kind: [unclosed\n', stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, data: { k: 'dg==' } }));
    docs.push(stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }));
    docs.push(stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'default' }, spec: { containers: [] } }));
    const stream = docs.join('---\n');
    await expect(startCluster({ name: 'strict', snapshot: stream, strictSnapshot: true })).rejects.toThrow(/cannot be loaded \(--strict\)/);
    const b = await startCluster({ name: 'kwok', snapshot: stream });
    try {
      const r = b.snapshotReport!;
      expect(r.skipped.map((p) => `${p.object}: ${p.message}`)).toEqual([
        expect.stringMatching(/^document \d+: not YAML: /),
        'Secret default/s: Secrets are never part of a snapshot',
        expect.stringMatching(/^Widget w: example.com\/v1 Widget is not part of a snapshot/),
      ]);
      expect(r.problems).toEqual([{ object: 'Pod default/bad', message: expect.stringContaining('spec.containers: Required value') }]);
      expect(await placement(b)).toEqual(await placement(a));
    } finally {
      await b.stop();
    }
  }, 90_000);
});
