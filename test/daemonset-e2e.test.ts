// Upstream's DaemonSet e2e suite (test/e2e/apps/daemon_set.go, `[sig-apps] Daemon set [Serial]`,
// and the ControllerRevision lifecycle test of controller_revision.go), one `it` per ginkgo It,
// run through the official JS client (@kubernetes/client-node) against a running kindling
// cluster over HTTPS. The clock runs 20x faster so backoffs and minReadySeconds pass quickly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1ControllerRevision,
  type V1DaemonSet,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { startCluster, type StartedCluster } from '../src/index.js';
import { RealClock } from '../src/clock/clock.js';
import { computeHash } from '../src/controllers/daemonset/revision.js';
import { eventually } from './helpers/kubectl.js';

const DS_NAME = 'daemon-set';
const LABEL = { 'daemonset-name': DS_NAME };
const IMAGE = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const NEW_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
const COLOR_LABEL = 'daemonset-color';

let cluster: StartedCluster;
let apps: AppsV1Api;
let core: CoreV1Api;
let kc: KubeConfig;
let nsCounter = 0;

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const smp = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
  cluster = await startCluster({ name: 'e2e', workers: 3, clock: new RealClock(20) });
  await cluster.runtime.waitForNodesReady(30_000);
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await cluster?.stop();
});

async function newNamespace(): Promise<string> {
  const name = `daemonsets-${++nsCounter}`;
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

function newDaemonSet(name: string, image: string, labels: Record<string, string>): V1DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 9376 }] }] },
      },
    },
  };
}

/** toleration matching as in k8s.io/api core/v1 ToleratesTaint */
function tolerates(pod: { tolerations?: any[] }, taint: { key: string; value?: string; effect: string }): boolean {
  return (pod.tolerations ?? []).some(
    (t) =>
      (!t.effect || t.effect === taint.effect) &&
      (!t.key || t.key === taint.key) &&
      (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')),
  );
}

/** upstream's canScheduleOnNode: the daemon pod's tolerations (with the DS defaults) cover every NoSchedule/NoExecute taint */
function canScheduleOnNode(node: V1Node, ds: V1DaemonSet): boolean {
  const tolerations = [
    ...(ds.spec!.template.spec!.tolerations ?? []),
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  ];
  return (node.spec?.taints ?? []).filter((t) => t.effect !== 'PreferNoSchedule').every((t) => tolerates({ tolerations }, t as any));
}

async function schedulableNodes(ds: V1DaemonSet): Promise<string[]> {
  const nodes = (await core.listNode()).items;
  return nodes
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && canScheduleOnNode(n, ds))
    .map((n) => n.metadata!.name!)
    .sort();
}

async function daemonPods(ns: string, labels: Record<string, string> = LABEL): Promise<V1Pod[]> {
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return (await core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;
}

function isAvailable(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !!pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** checkDaemonPodOnNodes: on each node exactly the nodes listed have an available daemon pod, and no other node has one */
async function checkDaemonPodOnNodes(ns: string, dsName: string, nodeNames: string[]): Promise<boolean> {
  const pods = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
  const perNode = new Map<string, number>();
  for (const p of pods) {
    const owner = p.metadata?.ownerReferences?.find((o) => o.controller);
    if (owner?.kind !== 'DaemonSet' || owner.name !== dsName) continue;
    if (!isAvailable(p)) continue;
    perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  }
  if (nodeNames.some((n) => perNode.get(n) !== 1)) return false;
  return perNode.size === nodeNames.length;
}

async function checkRunningOnAllNodes(ns: string, ds: V1DaemonSet): Promise<string[]> {
  return eventually(async () => {
    const nodes = await schedulableNodes(ds);
    return (await checkDaemonPodOnNodes(ns, ds.metadata!.name!, nodes)) && nodes;
  }, 30_000);
}

async function checkRunningOnNoNodes(ns: string, ds: V1DaemonSet): Promise<void> {
  await eventually(async () => (await checkDaemonPodOnNodes(ns, ds.metadata!.name!, [])) && (await daemonPods(ns)).length === 0, 30_000);
}

/** CheckDaemonStatus: desired == current == ready (and, here, desired is the number of eligible nodes) */
async function checkDaemonStatus(ns: string, name: string, expectDesired?: number): Promise<void> {
  let last = '';
  await eventually(async () => {
    const ds = await apps.readNamespacedDaemonSet({ name, namespace: ns });
    const { desiredNumberScheduled: d, currentNumberScheduled: c, numberReady: r } = ds.status ?? ({} as any);
    last = `error in daemon status. DesiredScheduled: ${d}, CurrentScheduled: ${c}, Ready: ${r}`;
    return d === c && c === r && (expectDesired === undefined || d === expectDesired) && (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0);
  }, 30_000).catch((e) => {
    throw new Error(`${last} (${(e as Error).message})`);
  });
}

async function waitForDaemonSet(ns: string, name: string, pred: (ds: V1DaemonSet) => boolean): Promise<V1DaemonSet> {
  return eventually(async () => {
    const ds = await apps.readNamespacedDaemonSet({ name, namespace: ns });
    return pred(ds) && ds;
  }, 30_000);
}

async function listRevisions(ns: string, ds: V1DaemonSet): Promise<V1ControllerRevision[]> {
  const sel = Object.entries(ds.spec!.selector.matchLabels!)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items.filter((cr) =>
    cr.metadata?.ownerReferences?.some((o) => o.controller && o.uid === ds.metadata!.uid),
  );
}

/** the current revision: the one with the highest revision number (upstream's curHistory) */
function currentRevision(crs: V1ControllerRevision[]): V1ControllerRevision {
  return [...crs].sort((a, b) => b.revision - a.revision)[0];
}

async function setNodeLabel(node: string, key: string, value: string | null): Promise<void> {
  await core.patchNode({ name: node, body: { metadata: { labels: { [key]: value } } } }, merge);
}

/** a worker node (upstream picks any schedulable node) */
async function pickNode(): Promise<string> {
  const nodes = (await core.listNode()).items.filter((n) => !(n.spec?.taints ?? []).length && !n.spec?.unschedulable);
  return nodes.map((n) => n.metadata!.name!).sort()[0];
}

describe('[sig-apps] Daemon set [Serial]', () => {
  it('should run and stop simple daemon [Conformance]', async () => {
    const ns = await newNamespace();
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body: newDaemonSet(DS_NAME, IMAGE, LABEL) });
    const nodes = await checkRunningOnAllNodes(ns, ds);
    // the control-plane node's NoSchedule taint keeps it away: three workers
    expect(nodes).toEqual(['e2e-worker', 'e2e-worker2', 'e2e-worker3']);
    await checkDaemonStatus(ns, DS_NAME, 3);

    // Stop a daemon pod, check that the daemon pod is revived.
    const victim = (await daemonPods(ns))[0];
    await core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: ns });
    await checkRunningOnAllNodes(ns, ds);
    const pods = await daemonPods(ns);
    expect(pods.map((p) => p.metadata!.name)).not.toContain(victim.metadata!.name);
    expect(pods.filter((p) => p.spec!.nodeName === victim.spec!.nodeName)).toHaveLength(1);
    await checkDaemonStatus(ns, DS_NAME, 3);
  });

  it('should run and stop complex daemon [Conformance]', async () => {
    const ns = await newNamespace();
    const body = newDaemonSet(DS_NAME, IMAGE, LABEL);
    body.spec!.template.spec!.nodeSelector = { [COLOR_LABEL]: 'blue' };
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    // Initially, daemon pods should not be running on any nodes.
    await checkRunningOnNoNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME, 0);

    // Change node label to blue, check that daemon pod is launched.
    const node = await pickNode();
    await setNodeLabel(node, COLOR_LABEL, 'blue');
    try {
      await eventually(async () => checkDaemonPodOnNodes(ns, DS_NAME, [node]), 30_000);
      await checkDaemonStatus(ns, DS_NAME, 1);

      // Update the node label to green, and wait for daemons to be unscheduled
      await setNodeLabel(node, COLOR_LABEL, 'green');
      await checkRunningOnNoNodes(ns, ds);

      // Update DaemonSet node selector to green, and change its update strategy to RollingUpdate
      const patched = await apps.patchNamespacedDaemonSet(
        {
          name: DS_NAME,
          namespace: ns,
          body: { spec: { template: { spec: { nodeSelector: { [COLOR_LABEL]: 'green' } } }, updateStrategy: { type: 'RollingUpdate' } } },
        },
        smp,
      );
      expect(patched.spec!.template.spec!.nodeSelector).toEqual({ [COLOR_LABEL]: 'green' });
      await eventually(async () => checkDaemonPodOnNodes(ns, DS_NAME, [node]), 30_000);
      await checkDaemonStatus(ns, DS_NAME, 1);
    } finally {
      await setNodeLabel(node, COLOR_LABEL, null);
    }
  });

  it('should run and stop complex daemon with node affinity', async () => {
    const ns = await newNamespace();
    const body = newDaemonSet(DS_NAME, IMAGE, LABEL);
    body.spec!.template.spec!.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: COLOR_LABEL, operator: 'In', values: ['blue'] }] }],
        },
      },
    };
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    await checkRunningOnNoNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME, 0);

    const node = await pickNode();
    await setNodeLabel(node, COLOR_LABEL, 'blue');
    try {
      await eventually(async () => checkDaemonPodOnNodes(ns, DS_NAME, [node]), 30_000);
      await checkDaemonStatus(ns, DS_NAME, 1);
      // Remove the node label and wait for daemons to be unscheduled
      await setNodeLabel(node, COLOR_LABEL, null);
      await checkRunningOnNoNodes(ns, ds);
      await checkDaemonStatus(ns, DS_NAME, 0);
    } finally {
      await setNodeLabel(node, COLOR_LABEL, null);
    }
  });

  it('should retry creating failed daemon pods [Conformance]', async () => {
    const ns = await newNamespace();
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body: newDaemonSet(DS_NAME, IMAGE, LABEL) });
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);

    // Set a daemon pod's phase to 'Failed', check that the daemon pod is revived.
    const pod = (await daemonPods(ns))[0];
    const failed = await core.replaceNamespacedPodStatus({
      name: pod.metadata!.name!,
      namespace: ns,
      body: { ...pod, status: { ...pod.status, phase: 'Failed' } },
    });
    expect(failed.status!.phase).toBe('Failed');
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);
    // the failed pod is eventually gone
    await eventually(async () => {
      try {
        await core.readNamespacedPod({ name: pod.metadata!.name!, namespace: ns });
        return false;
      } catch (e: any) {
        return e.code === 404;
      }
    }, 30_000);
    // the controller said why (FailedDaemonPod) before deleting it
    const events = (await core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.kind=DaemonSet,reason=FailedDaemonPod' })).items;
    expect(events.map((e) => e.message)).toContain(
      `Found failed daemon pod ${ns}/${pod.metadata!.name} on node ${pod.spec!.nodeName}, will try to kill it`,
    );
    expect(events[0].type).toBe('Warning');
  });

  it('should not update pod when spec was updated and update strategy is OnDelete', async () => {
    const ns = await newNamespace();
    const body = newDaemonSet(DS_NAME, IMAGE, LABEL);
    body.spec!.updateStrategy = { type: 'OnDelete' };
    let ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);

    // Check history and labels
    ds = await waitForDaemonSet(ns, DS_NAME, (d) => (d.status?.observedGeneration ?? 0) >= 1);
    const first = await eventually(async () => {
      const crs = await listRevisions(ns, ds);
      return crs.length === 1 && crs[0];
    });
    expect(first.revision).toBe(1);
    const firstHash = first.metadata!.labels!['controller-revision-hash'];
    for (const p of await daemonPods(ns)) expect(p.metadata!.labels!['controller-revision-hash']).toBe(firstHash);

    // Update daemon pods image.
    await apps.patchNamespacedDaemonSet(
      { name: DS_NAME, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: NEW_IMAGE }] } } } } },
      smp,
    );
    // Check that daemon pods images aren't updated.
    ds = await waitForDaemonSet(ns, DS_NAME, (d) => d.status?.observedGeneration === 2);
    const pods = await daemonPods(ns);
    expect(pods.map((p) => p.spec!.containers[0].image)).toEqual(pods.map(() => IMAGE));
    expect(pods.filter((p) => !isAvailable(p))).toEqual([]); // 0 unavailable
    await checkRunningOnAllNodes(ns, ds);

    const crs = await eventually(async () => {
      const l = await listRevisions(ns, ds);
      return l.length === 2 && l;
    });
    const cur = currentRevision(crs);
    expect(cur.revision).toBe(2);
    expect(cur.metadata!.labels!['controller-revision-hash']).not.toBe(firstHash);
    for (const p of await daemonPods(ns)) expect(p.metadata!.labels!['controller-revision-hash']).toBe(firstHash);
    expect(ds.status!.updatedNumberScheduled ?? 0).toBe(0);
  });

  it('should update pod when spec was updated and update strategy is RollingUpdate [Conformance]', async () => {
    const ns = await newNamespace();
    let ds = await apps.createNamespacedDaemonSet({ namespace: ns, body: newDaemonSet(DS_NAME, IMAGE, LABEL) });
    expect(ds.spec!.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    const nodes = await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);
    const first = await eventually(async () => {
      const crs = await listRevisions(ns, ds);
      return crs.length === 1 && crs[0];
    });
    expect(first.revision).toBe(1);

    // watch the pods during the update: at most maxUnavailable (1) node without an available pod
    let maxUnavailableSeen = 0;
    let updating = false;
    const seen = new Map<string, V1Pod>();
    const abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      {},
      (type, pod: V1Pod) => {
        if (type === 'DELETED') seen.delete(pod.metadata!.name!);
        else seen.set(pod.metadata!.name!, pod);
        const available = new Set([...seen.values()].filter((p) => !p.metadata?.deletionTimestamp && isAvailable(p)).map((p) => p.spec!.nodeName));
        if (updating) maxUnavailableSeen = Math.max(maxUnavailableSeen, nodes.filter((n) => !available.has(n)).length);
      },
      () => undefined,
    );
    await eventually(async () => seen.size >= nodes.length);
    updating = true;
    try {
      await apps.patchNamespacedDaemonSet(
        { name: DS_NAME, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: NEW_IMAGE }] } } } } },
        smp,
      );
      // Check that daemon pods images are updated.
      await eventually(async () => {
        const pods = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
        return (
          pods.length === nodes.length &&
          pods.every((p) => p.spec!.containers[0].image === NEW_IMAGE && isAvailable(p)) &&
          new Set(pods.map((p) => p.spec!.nodeName)).size === nodes.length
        );
      }, 30_000);
    } finally {
      abort.abort();
    }
    expect(maxUnavailableSeen).toBeLessThanOrEqual(1);
    expect(maxUnavailableSeen).toBe(1); // the rollout did replace pods, one node at a time
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);

    ds = await apps.readNamespacedDaemonSet({ name: DS_NAME, namespace: ns });
    const crs = await eventually(async () => {
      const l = await listRevisions(ns, ds);
      return l.length === 2 && l;
    });
    const cur = currentRevision(crs);
    expect(cur.revision).toBe(2);
    const hash = cur.metadata!.labels!['controller-revision-hash'];
    expect(hash).not.toBe(first.metadata!.labels!['controller-revision-hash']);
    for (const p of await daemonPods(ns)) expect(p.metadata!.labels!['controller-revision-hash']).toBe(hash);
  });

  it('should rollback without unnecessary restarts [Conformance]', async () => {
    const ns = await newNamespace();
    let ds = await apps.createNamespacedDaemonSet({ namespace: ns, body: newDaemonSet(DS_NAME, IMAGE, LABEL) });
    const nodes = await checkRunningOnAllNodes(ns, ds);
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    await checkDaemonStatus(ns, DS_NAME);

    // Update the DaemonSet to trigger a rollout to an image that cannot be pulled
    await apps.patchNamespacedDaemonSet(
      { name: DS_NAME, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'foo:non-existent' }] } } } } },
      smp,
    );
    // Make sure we're in the middle of a rollout: at least one new pod, and old pods remain
    const existing = await eventually(async () => {
      const pods = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
      const newPods = pods.filter((p) => p.spec!.containers[0].image === 'foo:non-existent');
      const oldPods = pods.filter((p) => p.spec!.containers[0].image === IMAGE);
      return newPods.length > 0 && oldPods.length > 0 && oldPods;
    }, 30_000);
    const pods = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
    expect(pods.filter((p) => p.spec!.containers[0].image === IMAGE).length).toBe(nodes.length - 1);
    // the new pod cannot start: ErrImagePull / ImagePullBackOff, so the rollout stays stuck
    const stuck = await eventually(async () => {
      const p = (await daemonPods(ns)).find((x) => x.spec!.containers[0].image === 'foo:non-existent');
      const reason = p?.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') && p;
    });
    expect(isAvailable(stuck)).toBe(false);
    const existingNames = existing.map((p) => p.metadata!.name).sort();

    // Roll back the DaemonSet
    await apps.patchNamespacedDaemonSet(
      { name: DS_NAME, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', image: IMAGE }] } } } } },
      smp,
    );
    ds = await apps.readNamespacedDaemonSet({ name: DS_NAME, namespace: ns });
    // Make sure DaemonSet rollback is complete
    await eventually(async () => {
      const ps = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
      return ps.length === nodes.length && ps.every((p) => p.spec!.containers[0].image === IMAGE && isAvailable(p));
    }, 30_000);
    await checkRunningOnAllNodes(ns, ds);
    // After rollback is done, compare current pods with previous old pods during rollout, to make sure they're not restarted
    const after = (await daemonPods(ns)).map((p) => p.metadata!.name);
    for (const name of existingNames) expect(after).toContain(name);
    for (const p of await daemonPods(ns)) expect(p.status!.containerStatuses![0].restartCount).toBe(0);
    // the reverted template reuses revision 1's CR, renumbered to 3
    const crs = await listRevisions(ns, ds);
    expect(crs.map((c) => c.revision).sort()).toEqual([2, 3]);
  });

  it('should surge pods onto nodes when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = await newNamespace();
    const body = newDaemonSet(DS_NAME, IMAGE, LABEL);
    body.spec!.minReadySeconds = 10;
    body.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } };
    body.spec!.template.spec!.containers[0].env = [{ name: 'VERSION', value: '1' }];
    body.spec!.template.spec!.containers[0].lifecycle = { preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 15'] } } };
    let ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    const nodes = await checkRunningOnAllNodes(ns, ds);
    await waitForDaemonSet(ns, DS_NAME, (d) => d.status?.numberAvailable === nodes.length);

    const version = (p: V1Pod) => p.spec!.containers[0].env?.find((e) => e.name === 'VERSION')?.value;
    const violations: string[] = [];
    const deletedOnPurpose = new Set<string>();
    const seen = new Map<string, V1Pod>();
    const check = () => {
      const live = [...seen.values()];
      const versions = new Set(live.map(version));
      if (versions.size > 2) violations.push(`more than 2 versions: ${[...versions]}`);
      for (const n of nodes) {
        const onNode = live.filter((p) => p.spec?.nodeName === n || p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] === n);
        const running = onNode.filter((p) => !p.metadata?.deletionTimestamp);
        for (const v of versions) {
          const c = running.filter((p) => version(p) === v).length;
          if (c > 1) violations.push(`node ${n}: ${c} running pods of version ${v}`);
        }
        if (onNode.length > 2 + onNode.filter((p) => deletedOnPurpose.has(p.metadata!.name!)).length) {
          violations.push(`node ${n}: ${onNode.length} pods`);
        }
      }
    };
    const abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      {},
      (type, pod: V1Pod) => {
        if (type === 'DELETED') seen.delete(pod.metadata!.name!);
        else seen.set(pod.metadata!.name!, pod);
        check();
      },
      () => undefined,
    );
    try {
      await eventually(async () => seen.size >= nodes.length);
      await apps.patchNamespacedDaemonSet(
        { name: DS_NAME, namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'VERSION', value: '2' }] }] } } } } },
        smp,
      );
      // delete one new pod on purpose during the rollout
      const victim = await eventually(async () => (await daemonPods(ns)).find((p) => version(p) === '2' && !p.metadata?.deletionTimestamp));
      deletedOnPurpose.add(victim.metadata!.name!);
      await core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: ns });
      // during the rollout, never fewer than all nodes with an available pod (maxUnavailable 0)
      await eventually(async () => {
        const pods = (await daemonPods(ns)).filter((p) => !p.metadata?.deletionTimestamp);
        return pods.length === nodes.length && pods.every((p) => version(p) === '2' && isAvailable(p));
      }, 60_000);
      ds = await waitForDaemonSet(ns, DS_NAME, (d) => d.status?.updatedNumberScheduled === nodes.length && d.status?.numberAvailable === nodes.length);
    } finally {
      abort.abort();
    }
    expect(violations).toEqual([]);
    await checkRunningOnAllNodes(ns, ds);
    const cur = currentRevision(await listRevisions(ns, ds));
    expect(cur.revision).toBe(2);
    for (const p of await daemonPods(ns)) expect(p.metadata!.labels!['controller-revision-hash']).toBe(cur.metadata!.labels!['controller-revision-hash']);
  });

  it('should list and delete a collection of DaemonSets [Conformance]', async () => {
    const ns = await newNamespace();
    const body = newDaemonSet(DS_NAME, IMAGE, LABEL);
    body.metadata!.labels = { ...LABEL, 'daemonset-collection': ns };
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);

    const selector = `daemonset-collection=${ns}`;
    const list = await apps.listDaemonSetForAllNamespaces({ labelSelector: selector });
    expect(list.items.map((d) => `${d.metadata!.namespace}/${d.metadata!.name}`)).toEqual([`${ns}/${DS_NAME}`]);

    await apps.deleteCollectionNamespacedDaemonSet({ namespace: ns, labelSelector: selector, gracePeriodSeconds: 1 });
    await eventually(async () => (await apps.listDaemonSetForAllNamespaces({ labelSelector: selector })).items.length === 0);
    // and the garbage collector removes the pods
    await eventually(async () => (await daemonPods(ns)).length === 0, 30_000);
  });

  it('should verify changes to a daemon set status [Conformance]', async () => {
    const ns = await newNamespace();
    const ds = await apps.createNamespacedDaemonSet({ namespace: ns, body: newDaemonSet(DS_NAME, IMAGE, LABEL) });
    await checkRunningOnAllNodes(ns, ds);
    await checkDaemonStatus(ns, DS_NAME);

    const events: { type: string; ds: V1DaemonSet }[] = [];
    const abort = await new Watch(kc).watch(
      `/apis/apps/v1/namespaces/${ns}/daemonsets`,
      { fieldSelector: `metadata.name=${DS_NAME}`, resourceVersion: ds.metadata!.resourceVersion },
      (type, obj: V1DaemonSet) => events.push({ type, ds: obj }),
      () => undefined,
    );
    try {
      // Getting /status
      const status = await apps.readNamespacedDaemonSetStatus({ name: DS_NAME, namespace: ns });
      expect(status.metadata!.uid).toBe(ds.metadata!.uid);
      expect(status.status!.desiredNumberScheduled).toBe(3);

      // updating the DaemonSet Status
      const updated = await apps.replaceNamespacedDaemonSetStatus({
        name: DS_NAME,
        namespace: ns,
        body: {
          ...status,
          status: {
            ...status.status!,
            conditions: [...(status.status!.conditions ?? []), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }],
          },
        },
      });
      expect(updated.status!.conditions!.map((c) => c.type)).toEqual(['StatusUpdate']);
      await eventually(async () =>
        events.some(
          (e) =>
            e.type === 'MODIFIED' &&
            e.ds.status?.conditions?.some((c) => c.type === 'StatusUpdate' && c.status === 'True' && c.reason === 'E2E' && c.message === 'Set from e2e test'),
        ),
      );

      // patching the DaemonSet Status
      const patched = await apps.patchNamespacedDaemonSetStatus(
        { name: DS_NAME, namespace: ns, body: { status: { conditions: [{ type: 'StatusPatched', status: 'True' }] } } },
        merge,
      );
      expect(patched.status!.conditions).toEqual([{ type: 'StatusPatched', status: 'True' }]);
      await eventually(async () => events.some((e) => e.type === 'MODIFIED' && e.ds.status?.conditions?.some((c) => c.type === 'StatusPatched' && c.status === 'True')));
      // the controller keeps the condition (it never sets or clears conditions)
      const after = await apps.readNamespacedDaemonSetStatus({ name: DS_NAME, namespace: ns });
      expect(after.status!.conditions).toEqual([{ type: 'StatusPatched', status: 'True' }]);
      expect(after.status!.desiredNumberScheduled).toBe(3);
    } finally {
      abort.abort();
    }
  });
});

describe('[sig-apps] ControllerRevision [Serial]', () => {
  it('should manage the lifecycle of a ControllerRevision [Conformance]', async () => {
    const ns = await newNamespace();
    const dsLabel = { 'daemonset-name': `e2e-${ns}` };
    const dsName = `e2e-${ns}`;
    const body = newDaemonSet(dsName, IMAGE, dsLabel);
    body.metadata!.labels = dsLabel; // newDaemonSetWithLabel
    let ds = await apps.createNamespacedDaemonSet({ namespace: ns, body });
    await eventually(async () => {
      const pods = (await daemonPods(ns, dsLabel)).filter(isAvailable);
      return pods.length === 3;
    }, 30_000);
    const sel = `daemonset-name=${dsName}`;
    const dsList = await apps.listDaemonSetForAllNamespaces({ labelSelector: sel });
    expect(dsList.items).toHaveLength(1);
    ds = await apps.readNamespacedDaemonSet({ name: dsName, namespace: ns });

    // Confirm DaemonSet has a ControllerRevision
    let crs = (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items;
    expect(crs).toHaveLength(1);
    const initial = crs[0];
    expect(initial.metadata!.ownerReferences![0]).toMatchObject({ kind: 'DaemonSet', name: dsName, uid: ds.metadata!.uid, controller: true });
    expect(initial.revision).toBe(1);

    // Patching ControllerRevision
    const patched = await apps.patchNamespacedControllerRevision(
      { name: initial.metadata!.name!, namespace: ns, body: { metadata: { labels: { [initial.metadata!.name!]: 'patched' } } } },
      smp,
    );
    expect(patched.metadata!.labels![initial.metadata!.name!]).toBe('patched');

    // Create a new ControllerRevision (named as the template with terminationGracePeriodSeconds=1 would be)
    const template = structuredClone(ds.spec!.template);
    template.spec!.terminationGracePeriodSeconds = 1;
    const newHash = computeHash(template as any, ds.status?.collisionCount);
    const newName = `${dsName}-${newHash}`;
    const created = await apps.createNamespacedControllerRevision({
      namespace: ns,
      body: {
        metadata: {
          name: newName,
          labels: { ...dsLabel, 'controller-revision-hash': newHash },
          annotations: ds.metadata!.annotations,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: dsName, uid: ds.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
        data: initial.data,
        revision: initial.revision + 1,
      },
    });
    expect(created.revision).toBe(2);
    // Confirm that there are two ControllerRevisions (adding an owned revision does not sync its owner)
    crs = (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items;
    expect(crs).toHaveLength(2);

    // Deleting the initial ControllerRevision
    await apps.deleteNamespacedControllerRevision({ name: initial.metadata!.name!, namespace: ns });
    await eventually(async () => (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items.length === 1);

    // Updating ControllerRevision's labels
    const current = await apps.readNamespacedControllerRevision({ name: newName, namespace: ns });
    current.metadata!.labels = { ...current.metadata!.labels, [newName]: 'updated' };
    const updated = await apps.replaceNamespacedControllerRevision({ name: newName, namespace: ns, body: current });
    expect(updated.metadata!.labels![newName]).toBe('updated');

    // Generate another ControllerRevision by patching the DaemonSet (upstream's patch, misplaced updateStrategy included)
    await apps.patchNamespacedDaemonSet(
      { name: dsName, namespace: ns, body: { spec: { template: { spec: { terminationGracePeriodSeconds: 1 } } }, updateStrategy: { type: 'RollingUpdate' } } },
      smp,
    );
    await eventually(async () => (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items.length === 2);

    // DeleteCollection of the labelled ControllerRevision
    await apps.deleteCollectionNamespacedControllerRevision({ namespace: ns, labelSelector: `${newName}=updated` });
    crs = await eventually(async () => {
      const l = (await apps.listNamespacedControllerRevision({ namespace: ns, labelSelector: sel })).items;
      return l.length === 1 && l;
    });
    expect(crs[0].revision).toBe(3);
    expect(crs[0].metadata!.name).not.toBe(newName);
  });
});
