// Seed 002, "Kubernetes Tutorial 09: DaemonSets": every command of the tutorial in order, once per
// kubectl, each against its own fresh single-node kind cluster named "learning" (`kind create cluster
// --name learning`; the tutorial: "In kind (single node), you'll see 1 pod"). The manifests the
// tutorial applies but does not show (manifests/0N-*.yaml) are the evident ones for what its text
// describes, in examples/002-daemonsets/manifests/.
//
// Where the tutorial is wrong about Kubernetes the test asserts what Kubernetes does (notes inline):
// "Drain node → DaemonSet pod evicted" (drain refuses DaemonSet pods, and --ignore-daemonsets leaves them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../src/index.js';
import { RealClock } from '../../src/clock/clock.js';
import { eventually, KubectlRunner, kubectls, parseTable } from '../helpers/kubectl.js';
import { example, grep, head, startTutorialCluster, wcL } from './tutorial.js';

const CP = 'learning-control-plane';
const WORKER = 'learning-worker';
const POD_NAME = /^[a-z-]+-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const manifest = (n: string) => example(`002-daemonsets/manifests/${n}`);

describe.each(kubectls())('seed 002 "Tutorial 09: DaemonSets" with kubectl $version', (k) => {
  let cluster: StartedCluster;
  let kc: KubectlRunner;
  const apply = (file: string) => kc.ok(['apply', '-f', kc.file(file, manifest(file))]);
  const dsReady = (name: string, n: number) =>
    eventually(async () => {
      const t = parseTable(await kc.ok(['get', 'daemonset', name]));
      const want = String(n);
      return t[1] && t[1].slice(1, 6).every((c) => c === want) ? t : undefined;
    }, 30_000);
  const podsOf = async (app: string) => parseTable(await kc.ok(['get', 'pods', '-l', `app=${app}`, '-o', 'wide'])).slice(1);

  beforeAll(async () => {
    // the cluster's clock runs 4x: removing a node waits for the pod garbage collector's 40 s quarantine
    cluster = await startTutorialCluster({ name: 'learning', clock: new RealClock(4) });
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });
  afterAll(async () => cluster?.stop());

  it('Prerequisites: kind cluster "learning" is running', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2]])).toEqual([[CP, 'Ready', 'control-plane']]);
    expect(cluster.context).toBe('kind-learning');
  });

  it('Step 1: Create Basic DaemonSet', async () => {
    expect(await apply('01-basic-daemonset.yaml')).toBe('daemonset.apps/node-agent created\n');
    const rows = await dsReady('node-agent', 1);
    expect(rows[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(rows[1].slice(0, 7)).toEqual(['node-agent', '1', '1', '1', '1', '1', '<none>']);
    // In kind (single node), you'll see 1 pod
    const pods = parseTable(await kc.ok(['get', 'pods', '-o', 'wide']));
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(pods).toHaveLength(2);
    expect(pods[1][0]).toMatch(/^node-agent-/);
    expect([pods[1][1], pods[1][2], pods[1][3], pods[1][6]]).toEqual(['1/1', 'Running', '0', CP]);
  });

  it('Step 2: Explore DaemonSet Behavior (describe, pods by label, -o wide)', async () => {
    const d = await kc.ok(['describe', 'daemonset', 'node-agent']);
    expect(d).toMatch(/^Name:\s+node-agent\n/);
    expect(d).toMatch(/\nSelector:\s+app=node-agent\n/);
    expect(d).toMatch(/\nNode-Selector:\s+<none>\n/);
    expect(d).toContain('Desired Number of Nodes Scheduled: 1\n');
    expect(d).toContain('Current Number of Nodes Scheduled: 1\n');
    expect(d).toContain('Number of Nodes Scheduled with Up-to-date Pods: 1\n');
    expect(d).toContain('Number of Nodes Scheduled with Available Pods: 1\n');
    expect(d).toContain('Number of Nodes Misscheduled: 0\n');
    expect(d).toMatch(/\nPods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
    expect(d).toMatch(/\n {4}Image:\s+busybox:1\.36\n/);
    expect(d).toMatch(/Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: node-agent-[a-z0-9]{5}\n/);

    const pods = await podsOf('node-agent');
    expect(pods.map((r) => [r[2], r[6]])).toEqual([['Running', CP]]);

    const wide = parseTable(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect([...wide[1].slice(0, 7), ...wide[1].slice(8)]).toEqual(['node-agent', '1', '1', '1', '1', '1', '<none>', 'agent', 'busybox:1.36', 'app=node-agent']);
  });

  it('Step 3: Deploy Log Collector (Fluentd)', async () => {
    expect(await apply('02-fluentd-daemonset.yaml')).toBe('daemonset.apps/fluentd created\n');
    await dsReady('fluentd', 1);
    const rows = parseTable(await kc.ok(['get', 'pods', '-l', 'app=fluentd']));
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rows.slice(1).map((r) => r.slice(1, 4))).toEqual([['1/1', 'Running', '0']]);
    // a real fluentd prints its start-up log here; simulated nodes run no image, so the log is empty
    const logs = await kc.run(['logs', '-l', 'app=fluentd', '--tail=20']);
    expect(logs.code).toBe(0);
    expect(logs.stderr).toBe('');
  });

  it('Step 4: Deploy Monitoring Agent', async () => {
    expect(await apply('03-node-exporter-daemonset.yaml')).toBe('daemonset.apps/node-exporter created\n');
    await dsReady('node-exporter', 1);
    const pod = await kc.ok(['get', 'pods', '-l', 'app=node-exporter', '-o', 'jsonpath={.items[0].metadata.name}']);
    expect(pod).toMatch(/^node-exporter-[a-z0-9]{5}$/);
    const rows = await podsOf('node-exporter');
    expect(rows[0][5]).toBe('172.18.0.2'); // hostNetwork: the node's address
  });

  // Step 4 cannot be reproduced: node-exporter's metrics come from the node-exporter binary in its
  // image, and kindling runs no images. On the simulated nodes this tutorial's cluster has, exec is
  // refused with kindling's explanation (never invented output), and kubectl exits 1 as it does for
  // any exec error from the server.
  it('Step 4: kubectl exec $POD -- wget -q -O- http://localhost:9100/metrics (refused on a simulated node: no images)', async () => {
    const pod = await kc.ok(['get', 'pods', '-l', 'app=node-exporter', '-o', 'jsonpath={.items[0].metadata.name}']);
    expect(pod).toMatch(/^node-exporter-[b-df-hj-np-tv-z2-9]{5}$/);
    const r = await kc.run(['exec', pod, '--', 'wget', '-q', '-O-', 'http://localhost:9100/metrics']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `kindling: container "node-exporter" of pod "${pod}" runs on a simulated node: exec needs the process runtime (kindling create cluster --runtime process)`,
    );
  });

  it('Step 5: Use Node Selector', async () => {
    expect(await kc.ok(['label', 'nodes', CP, 'disktype=ssd'])).toBe(`node/${CP} labeled\n`);
    expect(await apply('04-daemonset-node-selector.yaml')).toBe('daemonset.apps/ssd-agent created\n');
    const rows = await dsReady('ssd-agent', 1);
    expect(rows[1][6]).toBe('disktype=ssd');
    expect((await podsOf('ssd-agent')).map((r) => [r[2], r[6]])).toEqual([['Running', CP]]);
  });

  it('Step 6: Tolerations for Control Plane', async () => {
    expect(await apply('05-daemonset-tolerations.yaml')).toBe('daemonset.apps/system-agent created\n');
    await dsReady('system-agent', 1);
    expect((await podsOf('system-agent')).map((r) => [r[2], r[6]])).toEqual([['Running', CP]]);
  });

  it('Step 7: Update DaemonSet (Rolling Update)', async () => {
    expect(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('busybox:1.36');
    const old = (await podsOf('node-agent')).map((r) => r[0]);
    expect(await apply('06-daemonset-updated.yaml')).toBe('daemonset.apps/node-agent configured\n');
    const status = await kc.ok(['rollout', 'status', 'daemonset/node-agent'], { timeoutMs: 60_000 });
    expect(status.trimEnd().split('\n').pop()).toBe('daemon set "node-agent" successfully rolled out');
    // upstream's defaults fill in maxSurge
    expect(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'jsonpath={.spec.updateStrategy}'])).toBe(
      '{"rollingUpdate":{"maxSurge":0,"maxUnavailable":1},"type":"RollingUpdate"}',
    );
    const now = await eventually(async () => {
      const p = await podsOf('node-agent');
      return p.length === 1 && p[0][2] === 'Running' ? p : undefined;
    });
    expect(now[0][0]).not.toBe(old[0]);
    expect(await kc.ok(['get', 'pod', now[0][0], '-o', 'jsonpath={.spec.containers[0].image}'])).toBe('busybox:1.37');
  });

  it('Step 8: OnDelete Update Strategy', async () => {
    expect(await apply('07-daemonset-ondelete.yaml')).toBe('daemonset.apps/manual-update-agent created\n');
    await dsReady('manual-update-agent', 1);
    const [before] = (await podsOf('manual-update-agent')).map((r) => r[0]);
    // "Update the image (won't auto-update)"
    expect(await kc.ok(['set', 'image', 'daemonset/manual-update-agent', 'agent=busybox:1.37'])).toBe('daemonset.apps/manual-update-agent image updated\n');
    await eventually(async () => {
      const t = parseTable(await kc.ok(['get', 'daemonset', 'manual-update-agent']));
      return t[1]?.[4] === '0'; // UP-TO-DATE 0: the old pod stays
    });
    expect((await podsOf('manual-update-agent')).map((r) => r[0])).toEqual([before]);
    expect(await kc.ok(['get', 'pod', before, '-o', 'jsonpath={.spec.containers[0].image}'])).toBe('busybox:1.36');
    // Delete pod to trigger update
    expect(await kc.ok(['delete', 'pod', '-l', 'app=manual-update-agent'])).toBe(`pod "${before}" deleted\n`);
    const after = await eventually(async () => {
      const p = await podsOf('manual-update-agent');
      return p.length === 1 && p[0][0] !== before && p[0][2] === 'Running' ? p[0][0] : undefined;
    }, 30_000);
    expect(await kc.ok(['get', 'pod', after, '-o', 'jsonpath={.spec.containers[0].image}'])).toBe('busybox:1.37');
    await dsReady('manual-update-agent', 1);
  });

  it('Step 9: Priority and Resource Limits (kubectl top pods)', async () => {
    expect(await apply('08-daemonset-resources.yaml')).toBe('priorityclass.scheduling.k8s.io/node-agent-priority created\ndaemonset.apps/resource-agent created\n');
    await dsReady('resource-agent', 1);
    expect(await kc.ok(['get', 'pods', '-l', 'app=resource-agent', '-o', 'jsonpath={.items[0].spec.priority}'])).toBe('1000000');
    const top = await eventually(async () => {
      const r = await kc.run(['top', 'pods', '-l', 'app=resource-agent']);
      return r.code === 0 ? parseTable(r.stdout) : undefined;
    }, 30_000);
    expect(top[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(top).toHaveLength(2);
    expect(top[1][0]).toMatch(/^resource-agent-/);
    expect(top[1][1]).toMatch(/^\d+m$/);
    expect(top[1][2]).toMatch(/^\d+Mi$/);
  });

  it('Step 10: Simulate Multi-node Behavior: add a worker node → the DaemonSets create pods there', async () => {
    await cluster.runtime.addNode({ name: WORKER, role: 'worker', index: 1, labels: {}, taints: [], kubernetesVersion: 'v1.32.4' });
    await dsReady('node-agent', 2);
    expect((await podsOf('node-agent')).map((r) => r[6]).sort()).toEqual([CP, WORKER]);
    // the node selector keeps ssd-agent on the labelled node
    expect((await podsOf('ssd-agent')).map((r) => r[6])).toEqual([CP]);
  });

  it('Step 10: Label node → DaemonSet respects node selector', async () => {
    expect(await kc.ok(['label', 'nodes', WORKER, 'disktype=ssd'])).toBe(`node/${WORKER} labeled\n`);
    await dsReady('ssd-agent', 2);
    expect((await podsOf('ssd-agent')).map((r) => r[6]).sort()).toEqual([CP, WORKER]);
    await kc.ok(['label', 'nodes', WORKER, 'disktype-']);
    await dsReady('ssd-agent', 1);
    expect((await podsOf('ssd-agent')).map((r) => r[6])).toEqual([CP]);
  });

  it('Step 10: Drain node → DaemonSet pods are NOT evicted (the tutorial says they are)', async () => {
    const refused = await kc.run(['drain', WORKER], { timeoutMs: 30_000 });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe(`node/${WORKER} cordoned\n`);
    expect(refused.stderr).toMatch(/cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): (\S+, )*default\/node-agent-[a-z0-9]{5}, /);
    const before = (await podsOf('node-agent')).filter((r) => r[6] === WORKER).map((r) => r[0]);
    const r = await kc.run(['drain', WORKER, '--ignore-daemonsets'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    // (kubectl's own wording: 1.20 shouts WARNING)
    expect(r.stderr).toMatch(k.version === '1.20' ? /^WARNING: ignoring DaemonSet-managed Pods: default\// : /^Warning: ignoring DaemonSet-managed Pods: default\//);
    expect(r.stdout).toContain(`node/${WORKER} drained\n`);
    // the DaemonSet pods stay on the cordoned node (DaemonSets tolerate node.kubernetes.io/unschedulable)
    expect((await podsOf('node-agent')).filter((p) => p[6] === WORKER).map((p) => p[0])).toEqual(before);
    const nodes = parseTable(await kc.ok(['get', 'nodes']));
    expect(nodes.find((n) => n[0] === WORKER)?.[1]).toBe('Ready,SchedulingDisabled');
    expect(await kc.ok(['uncordon', WORKER])).toBe(`node/${WORKER} uncordoned\n`);
  });

  it('Step 10: Remove worker node → its DaemonSet pods go', async () => {
    await cluster.runtime.removeNode(WORKER);
    // not at once: the DaemonSet controller does not watch node deletions; the pod garbage collector
    // deletes the pods of a node gone for 40 s, and the DaemonSet status follows the pod deletions
    await eventually(async () => (await podsOf('node-agent')).map((r) => r[6]).join() === CP, 60_000);
    await dsReady('node-agent', 1);
  });

  it('Verification 1-2: DaemonSet status; one pod per node', async () => {
    const all = parseTable(await kc.ok(['get', 'daemonsets']));
    expect(all.slice(1).map((r) => r.slice(0, 6))).toEqual(
      ['fluentd', 'manual-update-agent', 'node-agent', 'node-exporter', 'resource-agent', 'ssd-agent', 'system-agent'].map((n) => [n, '1', '1', '1', '1', '1']),
    );
    const wide = parseTable(await kc.ok(['get', 'daemonsets', '-o', 'wide']));
    expect(wide[0].slice(-3)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    expect(await kc.ok(['describe', 'daemonset', 'node-agent'])).toMatch(/\nPods Status:\s+1 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed\n/);
    const nodeCount = wcL(await kc.ok(['get', 'nodes', '--no-headers']));
    const podCount = wcL(await kc.ok(['get', 'pods', '-l', 'app=node-agent', '--no-headers']));
    expect(`Nodes: ${nodeCount}, Pods: ${podCount}`).toBe('Nodes: 1, Pods: 1');
  });

  it('Verification 3-5: update strategy, node selector, tolerations', async () => {
    expect(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'jsonpath={.spec.updateStrategy.type}'])).toBe('RollingUpdate');
    expect(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'jsonpath={.spec.updateStrategy.rollingUpdate}'])).toBe('{"maxSurge":0,"maxUnavailable":1}');
    expect(parseTable(await kc.ok(['get', 'nodes', '-l', 'disktype=ssd'])).slice(1).map((r) => r[0])).toEqual([CP]);
    expect((await podsOf('ssd-agent')).map((r) => r[6])).toEqual([CP]);
    // kind removes the control-plane taint from a cluster without workers
    expect(grep(await kc.ok(['describe', 'node', CP]), 'Taints')).toBe('Taints:             <none>\n');
    expect((await podsOf('system-agent')).map((r) => r[6])).toEqual([CP]);
  });

  it('Pro Tips: field selector, rollout restart/status, describe, logs', async () => {
    const on = parseTable(await kc.ok(['get', 'pods', '-l', 'app=node-agent', '--field-selector', `spec.nodeName=${CP}`]));
    expect(on.slice(1).map((r) => r[2])).toEqual(['Running']);
    const old = on[1][0];
    expect(await kc.ok(['rollout', 'restart', 'daemonset/node-agent'])).toBe('daemonset.apps/node-agent restarted\n');
    const status = await kc.ok(['rollout', 'status', 'daemonset/node-agent'], { timeoutMs: 60_000 });
    expect(status.trimEnd().split('\n').pop()).toBe('daemon set "node-agent" successfully rolled out');
    const now = await eventually(async () => {
      const p = await podsOf('node-agent');
      return p.length === 1 && p[0][0] !== old && p[0][2] === 'Running' ? p : undefined;
    });
    expect(now[0][0]).toMatch(POD_NAME);
    expect(await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'jsonpath={.spec.template.metadata.annotations}'])).toMatch(
      /^\{"kubectl\.kubernetes\.io\/restartedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+Z0-9:]*"\}$/,
    );
    const logs = await kc.run(['logs', '-l', 'app=node-agent']);
    expect(logs.code).toBe(0);
  });

  it('Troubleshooting: -o yaml | grep -A 5 updateStrategy; delete --grace-period=0 --force', async () => {
    const yaml = await kc.ok(['get', 'daemonset', 'node-agent', '-o', 'yaml']);
    // grep also finds the last-applied-configuration annotation (the manifest was applied), as on a real cluster
    const groups = grep(yaml, 'updateStrategy', 5).split('--\n');
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatch(/^ {6}\{"apiVersion":"apps\/v1","kind":"DaemonSet",.*"updateStrategy":\{"rollingUpdate":\{"maxUnavailable":1\},"type":"RollingUpdate"\}\}\}\n/);
    expect(groups[1]).toBe('  updateStrategy:\n    rollingUpdate:\n      maxSurge: 0\n      maxUnavailable: 1\n    type: RollingUpdate\nstatus:\n');
    const r = await kc.run(['delete', 'daemonset', 'system-agent', '--grace-period=0', '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      (k.version === '1.20' ? 'warning' : 'Warning') +
        ': Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
    );
    expect(r.stdout).toBe('daemonset.apps "system-agent" force deleted\n');
  });

  it('Cleanup', async () => {
    const del = await kc.ok(['delete', 'daemonset', '--all']);
    expect(del).toBe(
      ['fluentd', 'manual-update-agent', 'node-agent', 'node-exporter', 'resource-agent', 'ssd-agent'].map((n) => `daemonset.apps "${n}" deleted\n`).join(''),
    );
    expect(await kc.ok(['label', 'nodes', CP, 'disktype-'])).toBe(k.version === '1.20' ? `node/${CP} labeled\n` : `node/${CP} unlabeled\n`);
    const ds = await kc.run(['get', 'daemonsets']);
    expect([ds.stdout, ds.stderr]).toEqual(['', 'No resources found in default namespace.\n']);
    await eventually(async () => (await kc.run(['get', 'pods'])).stderr === 'No resources found in default namespace.\n', 30_000);
  });
});
