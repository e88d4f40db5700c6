// Seed 001, "DaemonSet" (CKA/CKAD workshop): the fluentd-es-demo DaemonSet, once per kubectl, each
// against its own fresh multi-node cluster (kind's three-node config: a control plane and two workers).
//
// Where the tutorial is wrong about Kubernetes, the test asserts what Kubernetes does:
// - its manifest lost its YAML indentation when it was published: kubectl refuses it (client side);
//   the steps then use the evident indented manifest (examples/001-daemonset/demo.yaml);
// - its cluster (v1.10, three untainted nodes) ran a pod on all three; a kind cluster's control plane
//   is tainted node-role.kubernetes.io/control-plane:NoSchedule, which the manifest's toleration of
//   node-role.kubernetes.io/master does not match, so the DaemonSet covers the two workers only;
// - `kubectl delete fluentd-es-demo` lacks the resource type; --cascade=false is deprecated in 1.32.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../src/index.js';
import { eventually, KubectlRunner, kubectls, parseTable } from '../helpers/kubectl.js';
import { example, startTutorialCluster } from './tutorial.js';

const NODES = ['kind-control-plane', 'kind-worker', 'kind-worker2'];

describe.each(kubectls())('seed 001 "DaemonSet" (fluentd-es-demo) with kubectl $version', (k) => {
  let cluster: StartedCluster;
  let kc: KubectlRunner;
  beforeAll(async () => {
    cluster = await startTutorialCluster({ config: example('three-node.yaml') });
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });
  afterAll(async () => cluster?.stop());

  it('the demo.yml as published (indentation lost) is refused by kubectl create -f demo.yaml', async () => {
    const published = example('001-daemonset/demo-as-published.yml');
    // the code block verbatim, its "//demo.yml" caption line included
    const verbatim = await kc.run(['create', '-f', kc.file('demo.yaml', published)]);
    expect(verbatim.code).toBe(1);
    expect(verbatim.stderr).toBe(`error: error parsing ${kc.home}/demo.yaml: error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context\n`);
    // without the caption line: still not YAML a DaemonSet can come from
    const flat = await kc.run(['create', '-f', kc.file('demo.yaml', published.split('\n').slice(1).join('\n'))]);
    expect(flat.code).toBe(1);
    expect(flat.stderr).toBe(`error: error parsing ${kc.home}/demo.yaml: error converting YAML to JSON: yaml: line 30: did not find expected key\n`);
    expect(parseTable((await kc.run(['get', 'daemonset'])).stderr)).toEqual([['No resources found in default namespace.']]);
  });

  it('kubectl create -f demo.yaml (the evident indented manifest)', async () => {
    const out = await kc.ok(['create', '-f', kc.file('demo.yaml', example('001-daemonset/demo.yaml'))]);
    // the tutorial's kubectl printed `daemonset.apps "fluentd-es-demo" created` (before 1.11's kind/name form)
    expect(out).toBe('daemonset.apps/fluentd-es-demo created\n');
  });

  it('Make sure it’s running: kubectl get daemonset', async () => {
    const rows = await eventually(async () => {
      const t = parseTable(await kc.ok(['get', 'daemonset']));
      return t[1]?.slice(1, 6).join(' ') === '2 2 2 2 2' ? t : undefined;
    }, 30_000);
    expect(rows[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    // 3 in the tutorial; 2 here: the control plane's taint is not tolerated (see the top of this file)
    expect(rows[1].slice(0, 7)).toEqual(['fluentd-es-demo', '2', '2', '2', '2', '2', '<none>']);
    expect(rows).toHaveLength(2);
  });

  it('kubectl get nodes', async () => {
    const rows = parseTable(await kc.ok(['get', 'node']));
    expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      [NODES[0], 'Ready', 'control-plane', 'v1.32.4'],
      [NODES[1], 'Ready', '<none>', 'v1.32.4'],
      [NODES[2], 'Ready', '<none>', 'v1.32.4'],
    ]);
    const taints = await kc.ok(['get', 'node', NODES[0], '-o', 'jsonpath={.spec.taints}']);
    expect(JSON.parse(taints)).toEqual([{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }]);
  });

  it('kubectl get pod -o wide: one running copy on every (untainted) node', async () => {
    const rows = parseTable(await kc.ok(['get', 'pod', '-o', 'wide']));
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    const pods = rows.slice(1);
    expect(pods).toHaveLength(2);
    for (const r of pods) {
      expect(r[0]).toMatch(/^fluentd-es-demo-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(r.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
      expect(r[5]).toMatch(/^10\.244\.\d+\.\d+$/);
    }
    expect(pods.map((r) => r[6]).sort()).toEqual(['kind-worker', 'kind-worker2']);
  });

  it('Deleting a DaemonSet: `kubectl delete fluentd-es-demo` as written lacks the resource type', async () => {
    const r = await kc.run(['delete', 'fluentd-es-demo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: the server doesn\'t have a resource type "fluentd-es-demo"\n');
  });

  it('Deleting a DaemonSet with --cascade=false leaves its pods', async () => {
    const before = parseTable(await kc.ok(['get', 'pods', '-l', 'name=fluentd-es', '--no-headers'])).map((r) => r[0]);
    const r = await kc.run(['delete', 'daemonset', 'fluentd-es-demo', '--cascade=false']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('daemonset.apps "fluentd-es-demo" deleted\n');
    // (both kubectls: --cascade became a string in 1.20)
    expect(r.stderr).toBe('warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n');
    await eventually(async () => (await kc.run(['get', 'daemonset', 'fluentd-es-demo'])).code !== 0);
    const pods = parseTable(await kc.ok(['get', 'pods', '-l', 'name=fluentd-es', '--no-headers']));
    expect(pods.map((p) => p[0])).toEqual(before);
    expect(pods.map((p) => p[2])).toEqual(['Running', 'Running']);
    const owners = await kc.ok(['get', 'pods', '-l', 'name=fluentd-es', '-o', 'jsonpath={.items[*].metadata.ownerReferences}']);
    // the garbage collector removed the DaemonSet's ownerReference (and an empty list is not kept)
    expect(owners).toBe('');
  });
});
