// Seed 003, "Kubernetes Resources - Daemonset": the fluentd DaemonSet in the logging namespace, taints
// and tolerations, nodeSelector, node affinity, rollout history/undo, priority classes and deletion;
// once per kubectl, each against its own fresh kind cluster with two workers (the tutorial's "two
// available worker nodes"; its node1/node2 are kind-worker/kind-worker2 here).
//
// Where the tutorial is wrong about Kubernetes the test asserts what Kubernetes does: after the
// matching NoExecute toleration is added, the DaemonSet's pod comes BACK to the tainted node (the
// tutorial says it is deleted and never scheduled there again). Manifests: examples/003-daemonset-taints-affinity/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../src/index.js';
import { eventually, KubectlRunner, kubectls, parseTable } from '../helpers/kubectl.js';
import { example, startTutorialCluster } from './tutorial.js';

const DIR = '003-daemonset-taints-affinity/';
const NODE1 = 'kind-worker';
const NODE2 = 'kind-worker2';

describe.each(kubectls())('seed 003 "Kubernetes Resources - Daemonset" with kubectl $version', (k) => {
  let cluster: StartedCluster;
  let kc: KubectlRunner;
  const apply = (file: string) => kc.ok(['apply', '-f', kc.file('daemonset.yaml', example(DIR + file))]);
  const ds = async () => parseTable(await kc.ok(['get', 'daemonset', '-n', 'logging']));
  const dsIs = (counts: string, selector = '<none>') =>
    eventually(async () => {
      const t = await ds();
      return t[1] && t[1].slice(1, 7).join(' ') === `${counts} ${selector}` ? t : undefined;
    }, 30_000);
  const podNodes = async () =>
    parseTable(await kc.ok(['get', 'pods', '-n', 'logging', '-o', 'wide']))
      .slice(1)
      .map((r) => r[6])
      .sort();
  const podsOn = (nodes: string[]) =>
    eventually(async () => {
      const rows = parseTable(await kc.ok(['get', 'pods', '-n', 'logging', '-o', 'wide'])).slice(1);
      return rows.length === nodes.length && rows.every((r) => r[2] === 'Running') && rows.map((r) => r[6]).sort().join() === nodes.join() ? rows : undefined;
    }, 30_000);

  beforeAll(async () => {
    cluster = await startTutorialCluster({ config: example('three-node.yaml') });
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });
  afterAll(async () => cluster?.stop());

  it('kubectl create ns logging; kubectl apply -f daemonset.yaml', async () => {
    expect(await kc.ok(['create', 'ns', 'logging'])).toBe('namespace/logging created\n');
    expect(await apply('daemonset.yaml')).toBe('daemonset.apps/fluentd created\n');
  });

  it('kubectl get daemonset -n logging; kubectl get pods -n logging: on the two worker nodes', async () => {
    const t = await dsIs('2 2 2 2 2');
    expect(t[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(t[1][0]).toBe('fluentd');
    const pods = parseTable(await kc.ok(['get', 'pods', '-n', 'logging']));
    expect(pods[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(pods.slice(1).map((r) => [r[0].replace(/-[a-z0-9]{5}$/, ''), ...r.slice(1, 4)])).toEqual([
      ['fluentd', '1/1', 'Running', '0'],
      ['fluentd', '1/1', 'Running', '0'],
    ]);
    // "You can see fluentd pods are running on the two available worker nodes"
    expect(await podNodes()).toEqual([NODE1, NODE2]);
  });

  it('kubectl describe daemonset -n logging; kubectl edit daemonset -n logging', async () => {
    const d = await kc.ok(['describe', 'daemonset', '-n', 'logging']);
    expect(d).toMatch(/^Name:\s+fluentd\n/);
    expect(d).toMatch(/\nSelector:\s+name=fluentd\n/);
    expect(d).toMatch(/\nLabels:\s+app=fluentd-logging\n/);
    expect(d).toContain('Desired Number of Nodes Scheduled: 2\n');
    expect(d).toMatch(/\n {4}Image:\s+quay\.io\/fluentd_elasticsearch\/fluentd:v2\.5\.2\n/);
    expect(d).toMatch(/\n {4}Limits:\n {6}memory:\s+200Mi\n {4}Requests:\n {6}cpu:\s+100m\n {6}memory:\s+200Mi\n/);
    expect(d).toMatch(/\n {3}varlog:\n {4}Type:\s+HostPath \(bare host directory volume\)\n {4}Path:\s+\/var\/log\n/);
    // an editor that saves nothing: kubectl cancels the edit
    const e = await kc.run(['edit', 'daemonset', '-n', 'logging'], { env: { EDITOR: 'true', KUBE_EDITOR: 'true' } });
    expect(e.code).toBe(0);
    expect(e.stderr).toBe('Edit cancelled, no changes made.\n');
  });

  it('kubectl get nodes', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['kind-control-plane', 'Ready'],
      [NODE1, 'Ready'],
      [NODE2, 'Ready'],
    ]);
  });

  it('kubectl taint node node2 app=fluentd-logging:NoExecute evicts the fluentd pod there', async () => {
    expect(await kc.ok(['taint', 'node', NODE2, 'app=fluentd-logging:NoExecute'])).toBe(`node/${NODE2} tainted\n`);
    await podsOn([NODE1]);
    await dsIs('1 1 1 1 1');
  });

  it('apply the toleration: the pod comes back to node2 (the tutorial says it stays away)', async () => {
    expect(await apply('daemonset-toleration.yaml')).toBe('daemonset.apps/fluentd configured\n');
    // Kubernetes: the toleration matches the taint, so node2 is eligible again and the DaemonSet
    // controller creates a pod there; the tutorial's "DaemonSet now won't schedule any pod on this node" is wrong
    await dsIs('2 2 2 2 2');
    await podsOn([NODE1, NODE2]);
    expect(await kc.ok(['get', 'daemonset', 'fluentd', '-n', 'logging', '-o', 'jsonpath={.spec.template.spec.tolerations}'])).toBe(
      '[{"effect":"NoExecute","key":"app","operator":"Equal","value":"fluentd-logging"}]',
    );
  });

  it('Using Nodeselector: kubectl label node node1 type=platform-tools; nodeSelector in the DaemonSet', async () => {
    expect(await kc.ok(['label', 'node', NODE1, 'type=platform-tools'])).toBe(`node/${NODE1} labeled\n`);
    expect(await apply('daemonset-nodeselector.yaml')).toBe('daemonset.apps/fluentd configured\n');
    await dsIs('1 1 1 1 1', 'type=platform-tools');
    await podsOn([NODE1]);
  });

  it('Node Affinity: required type In (platform-tools), preferred instance-type t2.large', async () => {
    expect(await apply('daemonset-affinity.yaml')).toBe('daemonset.apps/fluentd configured\n');
    await dsIs('1 1 1 1 1');
    await podsOn([NODE1]);
    // the DaemonSet controller decided the node from the template's required terms and pins each pod to
    // it, replacing the required terms with one matchFields term (ReplaceDaemonSetPodNodeNameNodeAffinity)
    const aff = JSON.parse(await kc.ok(['get', 'pods', '-n', 'logging', '-o', 'jsonpath={.items[0].spec.affinity.nodeAffinity}']));
    expect(aff.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: [NODE1] }] },
    ]);
    expect(aff.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 1, preference: { matchExpressions: [{ key: 'instance-type', operator: 'In', values: ['t2.large'] }] } },
    ]);
  });

  it('Rollback: kubectl rollout history / undo / undo --to-revision', async () => {
    const h = await kc.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', 'logging']);
    expect(parseTable(h)).toEqual([['daemonset.apps/fluentd'], ['REVISION', 'CHANGE-CAUSE'], ['1', '<none>'], ['2', '<none>'], ['3', '<none>'], ['4', '<none>']]);
    expect(await kc.ok(['rollout', 'undo', 'daemonset', 'fluentd', '-n', 'logging'])).toBe('daemonset.apps/fluentd rolled back\n');
    await dsIs('1 1 1 1 1', 'type=platform-tools'); // revision 3, the nodeSelector, is back (as revision 5)
    expect(await kc.ok(['rollout', 'undo', 'daemonset', 'fluentd', '-n', 'logging', '--to-revision=1'])).toBe('daemonset.apps/fluentd rolled back\n');
    // the first template: no toleration, so node2's NoExecute taint keeps it to node1
    await dsIs('1 1 1 1 1');
    await podsOn([NODE1]);
    const h2 = parseTable(await kc.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', 'logging']));
    expect(h2.slice(2).map((r) => r[0])).toEqual(['2', '4', '5', '6']);
  });

  it('DaemonSet Pod Priority: PriorityClass high-priority; kubectl get priorityClass; priorityClassName', async () => {
    expect(await kc.ok(['apply', '-f', kc.file('pc.yaml', example(DIR + 'priorityclass.yaml'))])).toBe('priorityclass.scheduling.k8s.io/high-priority created\n');
    const pcs = parseTable(await kc.ok(['get', 'priorityClass']));
    expect(pcs[0]).toEqual(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY']);
    expect(pcs.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['high-priority', '100000', 'false', 'PreemptLowerPriority'],
      ['system-cluster-critical', '2000000000', 'false', 'PreemptLowerPriority'],
      ['system-node-critical', '2000001000', 'false', 'PreemptLowerPriority'],
    ]);
    expect(await apply('daemonset-priority.yaml')).toBe('daemonset.apps/fluentd configured\n');
    await eventually(async () => {
      const p = await kc.ok(['get', 'pods', '-n', 'logging', '-o', 'jsonpath={range .items[*]}{.spec.priorityClassName}/{.spec.priority}/{.status.phase}{"\\n"}{end}']);
      return p === 'high-priority/100000/Running\n';
    }, 30_000);
  });

  it('Deletion: kubectl delete daemonset fluentd --cascade=false keeps the pods running', async () => {
    const pods = parseTable(await kc.ok(['get', 'pods', '-n', 'logging', '--no-headers'])).map((r) => r[0]);
    const r = await kc.run(['delete', 'daemonset', 'fluentd', '-n', 'logging', '--cascade=false']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('daemonset.apps "fluentd" deleted\n');
    expect(r.stderr).toBe('warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n');
    const rest = parseTable(await kc.ok(['get', 'pods', '-n', 'logging', '--no-headers']));
    expect(rest.map((p) => [p[0], p[2]])).toEqual(pods.map((p) => [p, 'Running']));
  });
});
