// explain's verdicts against what the controller and the scheduler then do: a few hundred
// generated nodes with every reason (nodeSelector, affinity, NoSchedule and NoExecute taints,
// not ready, cordoned, short of cpu/memory/ephemeral-storage/pods, host port taken), the
// DaemonSet explained before it exists, then applied: a pod is bound exactly where explain said
// one would run, a Pending pod sits exactly where it said resources or ports are short.

import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startCluster, type StartedCluster } from '../src/index.js';
import { R, type KubeObject } from '../src/client/types.js';
import { eventually } from './helpers/kubectl.js';
import type { Explanation } from '../src/explain/placement.js';

const WORKERS = 300;
const CATEGORIES = 15;
let cluster: StartedCluster;

function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const token = /token: (\S+)/.exec(cluster.kubeconfig)![1];
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(cluster.kubeconfig)![1], 'base64').toString();
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, cluster.url), { method, ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const name = (i: number) => `gen-${String(i).padStart(3, '0')}`;
const category = (i: number) => i % CATEGORIES;
const Mi = (n: number) => `${n}Mi`;

function daemonSet(dsName: string, extra: Record<string, unknown> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: dsName, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: dsName } },
      template: {
        metadata: { labels: { app: dsName } },
        spec: {
          nodeSelector: { tier: 'general' },
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z-off'] }] }] } } },
          tolerations: [{ key: 'tolerated', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'agent',
              image: 'busybox',
              ports: [{ containerPort: 9100, hostPort: 9100 }],
              resources: { requests: { cpu: '200m', memory: '512Mi', 'ephemeral-storage': '256Mi' } },
            },
          ],
          ...extra,
        },
      },
    },
  };
}

/** a pod bound straight to a node (as a static or already-scheduled pod) that takes resources or a port */
function filler(i: number, requests: Record<string, string>, hostPort?: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `filler-${name(i)}`, namespace: 'default' },
    spec: {
      nodeName: name(i),
      containers: [{ name: 'c', image: 'busybox', resources: { requests }, ...(hostPort ? { ports: [{ containerPort: 80, hostPort }] } : {}) }],
    },
  };
}

async function patchNode(n: string, patch: object, sub?: string) {
  await cluster.client.patch(R.nodes, undefined, n, 'strategic', patch, undefined, sub);
}

beforeAll(async () => {
  cluster = await startCluster({ name: 'gen' });
  await cluster.runtime.waitForNodesReady(20_000);
  for (let i = 0; i < WORKERS; i++) {
    const c = category(i);
    const labels: Record<string, string> = { tier: c === 1 ? '' : c === 2 ? 'batch' : 'general', zone: c === 3 ? 'z-off' : `z-${i % 3}` };
    if (c === 1) delete labels.tier;
    const taints = c === 4 ? [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] : c === 5 ? [{ key: 'evict', value: 'now', effect: 'NoExecute' as const }] : c === 13 ? [{ key: 'tolerated', value: 'yes', effect: 'NoSchedule' as const }] : [];
    await cluster.runtime.addNode({ name: name(i), role: 'worker', index: 10 + i, labels, taints, kubernetesVersion: 'v1.32.4' });
  }
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const c = category(i);
    if (c === 6) work.push(cluster.runtime.setNodeCondition(name(i), 'Ready', 'False', 'KubeletNotReady', 'container runtime is down'));
    if (c === 7) work.push(patchNode(name(i), { spec: { unschedulable: true } }));
    const cap = (res: Record<string, string>) => patchNode(name(i), { status: { capacity: res, allocatable: res } }, 'status');
    if (c === 8) work.push(cap({ memory: '1Gi' }).then(() => cluster.client.create(R.pods, 'default', filler(i, { memory: Mi(600 + (i % 4) * 100) }))));
    if (c === 9) work.push(cap({ cpu: '1' }).then(() => cluster.client.create(R.pods, 'default', filler(i, { cpu: '800m' }))));
    if (c === 10) work.push(cap({ 'ephemeral-storage': '1Gi' }).then(() => cluster.client.create(R.pods, 'default', filler(i, { 'ephemeral-storage': '900Mi' }))));
    if (c === 11) work.push(cap({ pods: '3' }).then(() => cluster.client.create(R.pods, 'default', filler(i, {}))));
    if (c === 12) work.push(cluster.client.create(R.pods, 'default', filler(i, {}, 9100)));
  }
  await Promise.all(work);
  // settled: the not-ready nodes carry node lifecycle's taint, every system and filler pod is bound
  await eventually(async () => {
    const nodes = (await cluster.client.list<Node & KubeObject>(R.nodes, undefined)).items;
    const notReadyTainted = nodes.filter((n) => (n.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule')).length;
    const pods = (await cluster.client.list<Pod & KubeObject>(R.pods, undefined)).items;
    const systemPods = pods.filter((p) => p.metadata.namespace === 'kube-system' && p.spec?.nodeName).length;
    return notReadyTainted === WORKERS / CATEGORIES && systemPods === 2 * (WORKERS + 1) && pods.every((p) => p.spec?.nodeName);
  }, 60_000, 200);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** where the DaemonSet's pods are once the controller and the scheduler have acted */
async function placement(dsName: string, expectedPods: number): Promise<Map<string, Pod>> {
  return eventually(async () => {
    const pods = (await cluster.client.list<Pod & KubeObject>(R.pods, 'default', { labelSelector: `app=${dsName}` })).items.filter((p) => !p.metadata.deletionTimestamp);
    if (pods.length !== expectedPods) return undefined;
    // every pod is bound, or the scheduler has said why not
    if (!pods.every((p) => p.spec?.nodeName || (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False'))) return undefined;
    const byNode = new Map<string, Pod>();
    for (const p of pods) {
      const target = p.spec?.nodeName ?? p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0].matchFields?.[0].values?.[0];
      byNode.set(target!, p);
    }
    return byNode;
  }, 60_000, 200);
}

describe('explain agrees with the controller and the scheduler', () => {
  it('on 300 generated nodes, every reason', async () => {
    const before = await call('POST', '/kindling/v1alpha1/explain/daemonsets', daemonSet('agent'));
    expect(before.status).toBe(200);
    const e = before.body as Explanation;
    const reasonsOf = (n: string) => e.nodes.find((v) => v.node === n)!.reasons.map((r) => r.reason);
    const expected: Record<number, string[]> = {
      0: [],
      1: ['NodeSelectorMismatch'],
      2: ['NodeSelectorMismatch'],
      3: ['NodeAffinityMismatch'],
      4: ['TaintNotTolerated'],
      5: ['TaintNotTolerated'],
      6: ['NodeNotReady'],
      7: ['NodeUnschedulable'],
      8: ['InsufficientMemory'],
      9: ['InsufficientCPU'],
      10: ['InsufficientEphemeralStorage'],
      11: ['InsufficientPods'],
      12: ['HostPortTaken'],
      13: [],
      14: [],
    };
    for (let i = 0; i < WORKERS; i++) expect([name(i), reasonsOf(name(i))]).toEqual([name(i), expected[category(i)]]);
    expect(reasonsOf('gen-control-plane')).toEqual(['NodeSelectorMismatch']);
    const port = e.nodes.find((v) => v.node === name(12))!.reasons[0];
    expect(port).toMatchObject({ port: 9100, protocol: 'TCP', pods: [`default/filler-${name(12)}`] });
    const lines = e.summary.map((s) => s.message);
    expect(lines[0]).toBe('80 will run');
    expect(lines).toContain('20 insufficient memory: needs 512Mi, free 74–374Mi');
    expect(lines).toContain('20 taint dedicated=gpu:NoSchedule not tolerated');
    expect(lines).toContain('20 host port 9100/TCP taken');
    expect(lines).toContain('20 cordoned, the daemon pod runs there anyway');

    // the controller creates a pod wherever NodeShouldRunDaemonPod said yes, the scheduler binds
    // those explain said will run and leaves the others Pending
    const shouldRun = e.nodes.filter((v) => v.willRun || v.reasons.some((r) => r.reason.startsWith('Insufficient') || r.reason === 'HostPortTaken'));
    await cluster.client.create(R.daemonsets, 'default', daemonSet('agent') as unknown as KubeObject);
    const placed = await placement('agent', shouldRun.length);
    for (const v of e.nodes) {
      const pod = placed.get(v.node);
      const bound = !!pod?.spec?.nodeName;
      expect([v.node, bound]).toEqual([v.node, v.willRun]);
      const pending = v.reasons.some((r) => r.reason.startsWith('Insufficient') || r.reason === 'HostPortTaken');
      expect([v.node, !!pod && !bound]).toEqual([v.node, pending]);
    }

    // once applied, GET says the same, with the pods
    const after = (await call('GET', '/kindling/v1alpha1/explain/namespaces/default/daemonsets/agent')).body as Explanation;
    expect(after.nodes.map((v) => [v.node, v.willRun])).toEqual(e.nodes.map((v) => [v.node, v.willRun]));
    expect(after.nodes.find((v) => v.node === name(0))!.pods).toEqual([expect.objectContaining({ current: true, bound: true })]);
  }, 120_000);

  it("a template's nodeName: one node, the others NodeNameMismatch", async () => {
    const ds = daemonSet('pinned', { nodeName: name(0), containers: [{ name: 'c', image: 'busybox' }] });
    const e = (await call('POST', '/kindling/v1alpha1/explain/daemonsets', ds)).body as Explanation;
    expect(e.nodes.filter((v) => v.willRun).map((v) => v.node)).toEqual([name(0)]);
    expect(e.nodes.find((v) => v.node === name(14))!.reasons[0]).toMatchObject({ reason: 'NodeNameMismatch', want: name(0) });
    await cluster.client.create(R.daemonsets, 'default', ds as unknown as KubeObject);
    const placed = await placement('pinned', 1);
    expect([...placed.keys()]).toEqual([name(0)]);
  }, 60_000);

  it('an old revision waits (OnDelete), a pod the controller would no longer create is misscheduled', async () => {
    const stored = await cluster.client.get<KubeObject>(R.daemonsets, 'default', 'agent');
    const spec = structuredClone(stored.spec) as DaemonSet['spec'] & object;
    spec.updateStrategy = { type: 'OnDelete' };
    spec.template.metadata!.annotations = { version: '2' };
    await cluster.client.update(R.daemonsets, 'default', { ...stored, spec } as KubeObject);
    await patchNode(name(0), { spec: { taints: [{ key: 'late', value: '1', effect: 'NoSchedule' }] } });
    const e = await eventually(async () => {
      const x = (await call('GET', '/kindling/v1alpha1/explain/namespaces/default/daemonsets/agent')).body as Explanation;
      return x.nodes.find((v) => v.node === name(0))!.reasons.length === 2 && x.summary.some((s) => s.reason === 'OldRevision') ? x : undefined;
    });
    expect(e.nodes.find((v) => v.node === name(0))!.reasons.map((r) => [r.reason, r.blocking])).toEqual([
      ['TaintNotTolerated', true],
      ['Misscheduled', false],
    ]);
    expect(e.nodes.find((v) => v.node === name(14))!.reasons).toEqual([expect.objectContaining({ reason: 'OldRevision', strategy: 'OnDelete' })]);
    expect(e.summary.find((s) => s.reason === 'OldRevision')).toMatchObject({ count: e.totals.willRun, note: true });
    // the controller counts the same node as misscheduled
    await eventually(async () => (await cluster.client.get<DaemonSet & KubeObject>(R.daemonsets, 'default', 'agent')).status?.numberMisscheduled === 1);
  }, 60_000);
});
