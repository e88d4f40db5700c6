// Seed 000, "Deploy a DaemonSet": the tutorial's commands in order, once per kubectl, each against
// its own clusters made with the kindling CLI exactly as the tutorial makes them with kind (a first
// single-node "kind" cluster, then four-node-kind from 103-four-node-cluster.yaml).
//
// Where a real cluster prints something else than the tutorial (it was written against kind's
// v1.21.1 node image; kindling is v1.32), the assertion is what Kubernetes 1.32 prints, with a note.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, KubectlRunner, kubectls, parseTable } from '../helpers/kubectl.js';
import { example, grep, head, kindling, tail } from './tutorial.js';

const NODES = ['four-node-kind-control-plane', 'four-node-kind-worker', 'four-node-kind-worker2', 'four-node-kind-worker3'];

// the heredocs of "Create a Three-Node Cluster", as the tutorial writes them
const THREE_NODE = `# three node (two workers) cluster config
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
- role: worker
- role: worker
`;
const FOUR_NODE = `# four node (three workers) cluster config
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: four-node-kind
nodes:
- role: control-plane
- role: worker
- role: worker
- role: worker
`;

describe.each(kubectls())('seed 000 "Deploy a DaemonSet" with kubectl $version', (k) => {
  let env: Record<string, string>;
  let environment: string; // ~/environment
  let kubeconfig: string;
  let kc: KubectlRunner;
  const dsRow = async (ns: string, name: string) => parseTable(await kc.ok(['get', `daemonset/${name}`, '-n', ns]));

  beforeAll(() => {
    const home = mkdtempSync(join(tmpdir(), 'kindling-seed000-'));
    environment = mkdtempSync(join(tmpdir(), 'kindling-seed000-env-'));
    kubeconfig = join(home, 'kubeconfig');
    env = { KINDLING_HOME: join(home, 'state'), KUBECONFIG: kubeconfig };
    kc = new KubectlRunner(k, kubeconfig);
  });
  afterAll(async () => {
    await kindling(env, 'delete', 'cluster', '--name', 'four-node-kind');
    await kindling(env, 'delete', 'cluster', '--name', 'kind');
  });

  it('prerequisite: the single-node "kind" cluster the tutorial starts from (kind create cluster)', async () => {
    const r = await kindling(env, 'create', 'cluster');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Creating cluster "kind" ...');
    expect(r.stderr).toContain('Set kubectl context to "kind-kind"');
  });

  it('Examine Your Current Cluster: kubectl get nodes, then -o wide', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows).toHaveLength(2);
    // the tutorial shows "control-plane,master" and v1.21.1: kubeadm stopped labelling
    // node-role.kubernetes.io/master in 1.24, so a v1.32 node's only role is control-plane
    expect([rows[1][0], rows[1][1], rows[1][2], rows[1][4]]).toEqual(['kind-control-plane', 'Ready', 'control-plane', 'v1.32.4']);

    const wide = parseTable(await kc.ok(['get', 'nodes', '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(wide[1][0]).toBe('kind-control-plane');
    expect(wide[1][5]).toBe('172.18.0.2');
    expect(wide[1][6]).toBe('<none>');
    expect(wide[1][9]).toMatch(/^containerd:\/\/\d/);
  });

  it('kind get nodes; kind get clusters (kindling get ...)', async () => {
    expect((await kindling(env, 'get', 'nodes')).stdout).toBe('kind-control-plane\n');
    expect((await kindling(env, 'get', 'clusters')).stdout).toBe('kind\n');
  });

  it('Create a Three-Node Cluster: write the manifests (the same as examples/three-node.yaml and four-node.yaml)', () => {
    writeFileSync(join(environment, '102-three-node-cluster.yaml'), THREE_NODE);
    writeFileSync(join(environment, '103-four-node-cluster.yaml'), FOUR_NODE);
    expect(example('three-node.yaml')).toBe(THREE_NODE);
    expect(example('four-node.yaml')).toBe(FOUR_NODE);
  });

  it('kind create cluster --config ~/environment/103-four-node-cluster.yaml', async () => {
    const r = await kindling(env, 'create', 'cluster', '--config', join(environment, '103-four-node-cluster.yaml'));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('Creating cluster "four-node-kind" ...');
    expect(r.stderr).toContain(' ✓ Ensuring node image (kindest/node:v1.32.4) 🖼');
    expect(r.stderr).toContain(' ✓ Joining worker nodes 🚜');
    expect(r.stderr).toContain('Set kubectl context to "kind-four-node-kind"\nYou can now use your cluster with:\n\nkubectl cluster-info --context kind-four-node-kind\n');
    expect(r.stderr.trimEnd().endsWith('Have a nice day! 👋')).toBe(true);
    // the tip: both clusters are in the kubeconfig, and the new one is the current context
    expect((await kc.ok(['config', 'get-contexts', '-o', 'name'])).split('\n').filter(Boolean).sort()).toEqual(['kind-four-node-kind', 'kind-kind']);
    expect((await kc.ok(['config', 'current-context'])).trim()).toBe('kind-four-node-kind');
    expect((await kindling(env, 'get', 'clusters')).stdout).toBe('four-node-kind\nkind\n');
  });

  it('Confirm the list of nodes in your cluster: four Ready nodes', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      [NODES[0], 'Ready', 'control-plane', 'v1.32.4'], // "control-plane,master" in the tutorial's v1.21
      [NODES[1], 'Ready', '<none>', 'v1.32.4'],
      [NODES[2], 'Ready', '<none>', 'v1.32.4'],
      [NODES[3], 'Ready', '<none>', 'v1.32.4'],
    ]);
  });

  it('Taint the Nodes: taint --dry-run=client -o yaml >104-taint-example.yaml; head -26 | tail -9', async () => {
    const yaml = await kc.ok(['taint', 'nodes', 'four-node-kind-worker2', 'repeldaemons=true:NoSchedule', '--dry-run=client', '-o', 'yaml']);
    writeFileSync(join(environment, '104-taint-example.yaml'), yaml);
    // exactly the tutorial's nine lines (kind gives worker2 the third /24 of 10.244.0.0/16)
    expect(tail(head(readFileSync(join(environment, '104-taint-example.yaml'), 'utf8'), 26), 9)).toBe(
      [
        'spec:',
        '  podCIDR: 10.244.2.0/24',
        '  podCIDRs:',
        '  - 10.244.2.0/24',
        '  providerID: kind://docker/four-node-kind/four-node-kind-worker2',
        '  taints:',
        '  - effect: NoSchedule',
        '    key: repeldaemons',
        '    value: "true"',
        '',
      ].join('\n'),
    );
    // a dry run changes nothing
    const taints = await kc.ok(['get', 'node', 'four-node-kind-worker2', '-o', 'jsonpath={.spec.taints}']);
    expect(taints).toBe('');
  });

  it('kubectl get daemonsets -n kube-system', async () => {
    const rows = parseTable(await kc.ok(['get', 'daemonsets', '-n', 'kube-system']));
    expect(rows[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    // the tutorial's kind (v0.11) shipped kindnet without a node selector; kind's current
    // kindnet (pkg/build/nodeimage/const_cni.go) selects kubernetes.io/os=linux as kube-proxy does
    expect(rows.slice(1).map((r) => r.slice(0, 7))).toEqual([
      ['kindnet', '4', '4', '4', '4', '4', 'kubernetes.io/os=linux'],
      ['kube-proxy', '4', '4', '4', '4', '4', 'kubernetes.io/os=linux'],
    ]);
  });

  it('kubectl describe daemonset kube-proxy -n kube-system | grep Labels', async () => {
    const out = await kc.ok(['describe', 'daemonset', 'kube-proxy', '-n', 'kube-system']);
    expect(grep(out, 'Labels')).toBe('Labels:         k8s-app=kube-proxy\n  Labels:           k8s-app=kube-proxy\n');
  });

  it('kubectl get pods -l k8s-app=kube-proxy -n kube-system [-o wide]: one pod on each node', async () => {
    const rows = parseTable(await kc.ok(['get', 'pods', '-l', 'k8s-app=kube-proxy', '-n', 'kube-system']));
    expect(rows[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rows).toHaveLength(5);
    for (const r of rows.slice(1)) {
      expect(r[0]).toMatch(/^kube-proxy-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(r.slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    }
    const wide = parseTable(await kc.ok(['get', 'pods', '-l', 'k8s-app=kube-proxy', '-n', 'kube-system', '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(wide.slice(1).map((r) => r[6]).sort()).toEqual(NODES);
    for (const r of wide.slice(1)) {
      expect(r[5]).toMatch(/^172\.18\.0\.\d+$/); // hostNetwork: the node's address
      expect(r.slice(7)).toEqual(['<none>', '<none>']);
    }
  });

  it('Taint your second and third worker nodes (NoSchedule): kube-proxy stays 4/4', async () => {
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker2', 'repeldaemons=true:NoSchedule'])).toBe('node/four-node-kind-worker2 tainted\n');
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker3', 'repeldaemons=true:NoSchedule'])).toBe('node/four-node-kind-worker3 tainted\n');
    const rows = await dsRow('kube-system', 'kube-proxy');
    expect(rows[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(rows[1].slice(0, 7)).toEqual(['kube-proxy', '4', '4', '4', '4', '4', 'kubernetes.io/os=linux']);
  });

  it('Replace those taints with NoExecute: kube-proxy still 4/4', async () => {
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker2', 'repeldaemons=true:NoSchedule-'])).toBe('node/four-node-kind-worker2 untainted\n');
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker3', 'repeldaemons=true:NoSchedule-'])).toBe('node/four-node-kind-worker3 untainted\n');
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker2', 'repeldaemons=true:NoExecute'])).toBe('node/four-node-kind-worker2 tainted\n');
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker3', 'repeldaemons=true:NoExecute'])).toBe('node/four-node-kind-worker3 tainted\n');
    // no kube-proxy pod is evicted (it tolerates every taint): still the same four pods
    const before = parseTable(await kc.ok(['get', 'pods', '-l', 'k8s-app=kube-proxy', '-n', 'kube-system', '--no-headers']));
    const rows = await dsRow('kube-system', 'kube-proxy');
    expect(rows[1].slice(0, 7)).toEqual(['kube-proxy', '4', '4', '4', '4', '4', 'kubernetes.io/os=linux']);
    const after = parseTable(await kc.ok(['get', 'pods', '-l', 'k8s-app=kube-proxy', '-n', 'kube-system', '--no-headers']));
    expect(after.map((r) => r[0])).toEqual(before.map((r) => r[0]));
    expect(after.map((r) => r[2])).toEqual(['Running', 'Running', 'Running', 'Running']);
  });

  it('the tolerations of kube-proxy: -o yaml >105-kube-proxy-ds.yaml; grep tolerations -A 3; jsonpath-as-json', async () => {
    const yaml = await kc.ok(['get', 'ds/kube-proxy', '-n', 'kube-system', '-o', 'yaml']);
    writeFileSync(join(environment, '105-kube-proxy-ds.yaml'), yaml);
    expect(grep(readFileSync(join(environment, '105-kube-proxy-ds.yaml'), 'utf8'), 'tolerations', 3)).toBe(
      '      tolerations:\n      - key: CriticalAddonsOnly\n        operator: Exists\n      - operator: Exists\n',
    );
    const json = await kc.ok(['get', 'ds/kube-proxy', '-n', 'kube-system', '-o', 'jsonpath-as-json={.spec.template.spec.tolerations}']);
    expect(json).toBe(
      '[\n    [\n        {\n            "key": "CriticalAddonsOnly",\n            "operator": "Exists"\n        },\n        {\n            "operator": "Exists"\n        }\n    ]\n]\n',
    );
  });

  it('Write your Deployment manifest: cat << EOF | tee 101-demo-deployment.yaml | kubectl -n dev apply -f -', async () => {
    const manifest = example('000-deploy-a-daemonset/101-demo-deployment.yaml');
    writeFileSync(join(environment, '101-demo-deployment.yaml'), manifest);
    // The tutorial's earlier chapters made the "dev" namespace; on a fresh cluster the verbatim
    // command fails exactly as it does on a real one.
    const first = await kc.run(['-n', 'dev', 'apply', '-f', '-'], { stdin: manifest });
    expect(first.code).toBe(1);
    expect(first.stderr).toBe('Error from server (NotFound): error when creating "STDIN": namespaces "dev" not found\n');
    expect(await kc.ok(['create', 'namespace', 'dev'])).toBe('namespace/dev created\n');
    expect(await kc.ok(['-n', 'dev', 'apply', '-f', '-'], { stdin: manifest })).toBe('deployment.apps/demo created\n');
  });

  it('kubectl get deployment -n dev: demo 3/3', async () => {
    // (demo:1.0.0 was "kind load"ed in the tutorial's earlier chapter; simulated nodes have every image)
    const rows = await eventually(async () => {
      const t = parseTable(await kc.ok(['get', 'deployment', '-n', 'dev']));
      return t[1]?.[1] === '3/3' ? t : undefined;
    }, 30_000);
    expect(rows[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(rows[1].slice(0, 4)).toEqual(['demo', '3/3', '3', '3']);
  });

  it('Deploy Your DaemonSet (TODO in the tutorial): a DaemonSet without tolerations avoids the tainted nodes', async () => {
    const manifest = example('000-deploy-a-daemonset/106-demo-daemonset.yaml');
    expect(await kc.ok(['-n', 'dev', 'apply', '-f', '-'], { stdin: manifest })).toBe('daemonset.apps/demo-daemon created\n');
    // control-plane (node-role.kubernetes.io/control-plane:NoSchedule) and worker2/3 (repeldaemons:NoExecute) repel it
    const rows = await eventually(async () => {
      const t = await dsRow('dev', 'demo-daemon');
      return t[1]?.slice(1, 6).join(' ') === '1 1 1 1 1' ? t : undefined;
    }, 30_000);
    expect(rows[1].slice(0, 7)).toEqual(['demo-daemon', '1', '1', '1', '1', '1', '<none>']);
    const pods = parseTable(await kc.ok(['get', 'pods', '-n', 'dev', '-l', 'app=demo-daemon', '-o', 'wide']));
    expect(pods.slice(1).map((r) => r[6])).toEqual(['four-node-kind-worker']);
  });

  it('Untaint Nodes (TODO in the tutorial): the DaemonSet follows onto worker2 and worker3', async () => {
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker2', 'repeldaemons=true:NoExecute-'])).toBe('node/four-node-kind-worker2 untainted\n');
    expect(await kc.ok(['taint', 'nodes', 'four-node-kind-worker3', 'repeldaemons-'])).toBe('node/four-node-kind-worker3 untainted\n');
    await eventually(async () => (await dsRow('dev', 'demo-daemon'))[1]?.slice(1, 6).join(' ') === '3 3 3 3 3', 30_000);
    const pods = parseTable(await kc.ok(['get', 'pods', '-n', 'dev', '-l', 'app=demo-daemon', '-o', 'wide']));
    expect(pods.slice(1).map((r) => r[6]).sort()).toEqual(NODES.slice(1));
    expect(pods.slice(1).map((r) => r[2])).toEqual(['Running', 'Running', 'Running']);
  });
});
