// The kindling core's "done when" list: what kubectl 1.20 and a current kubectl print against
// the seed's four-node cluster (ages and generated names aside).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../src/index.js';
import { R } from '../src/client/types.js';
import { KubectlRunner, kubectls, parseTable, eventually } from './helpers/kubectl.js';
import { startFourNodeCluster } from './helpers/cluster.js';

const NODES = ['four-node-kind-control-plane', 'four-node-kind-worker', 'four-node-kind-worker2', 'four-node-kind-worker3'];

const FLUENTD = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-elasticsearch
  namespace: kube-system
  labels:
    k8s-app: fluentd-logging
spec:
  selector:
    matchLabels:
      name: fluentd-elasticsearch
  template:
    metadata:
      labels:
        name: fluentd-elasticsearch
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: fluentd-elasticsearch
        image: ${image}
        resources:
          limits:
            memory: 200Mi
          requests:
            cpu: 100m
            memory: 200Mi
`;

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startFourNodeCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describe.each(kubectls())('kubectl $version against a four-node cluster', (k) => {
  let kc: KubectlRunner;
  const v = k.version.replace('.', '');
  beforeAll(() => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });

  it('get nodes', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(NODES);
    expect(rows[1].slice(1, 3)).toEqual(['Ready', 'control-plane']);
    for (const r of rows.slice(2)) expect([r[1], r[2], r[4]]).toEqual(['Ready', '<none>', 'v1.32.4']);
  });

  it('get nodes -o wide', async () => {
    const rows = parseTable(await kc.ok(['get', 'nodes', '-o', 'wide']));
    expect(rows[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    expect(rows[1][5]).toMatch(/^172\.18\.0\.\d+$/);
    expect(rows[1][6]).toBe('<none>');
    expect(rows[1][9]).toMatch(/^containerd:\/\//);
  });

  it('get nodes --show-labels', async () => {
    const out = await kc.ok(['get', 'nodes', '--show-labels']);
    const rows = parseTable(out);
    expect(rows[0][5]).toBe('LABELS');
    expect(rows[1][5]).toContain('node-role.kubernetes.io/control-plane=');
    expect(rows[2][5]).toContain('kubernetes.io/hostname=four-node-kind-worker');
  });

  it('get ds -n kube-system [-o wide|yaml|json]', async () => {
    const rows = parseTable(await kc.ok(['get', 'ds', '-n', 'kube-system']));
    expect(rows[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    const byName = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
    expect(byName['kube-proxy'].slice(1, 7)).toEqual(['4', '4', '4', '4', '4', 'kubernetes.io/os=linux']);
    expect(byName['kindnet'].slice(1, 6)).toEqual(['4', '4', '4', '4', '4']);
    const wide = parseTable(await kc.ok(['get', 'ds', '-n', 'kube-system', '-o', 'wide']));
    expect(wide[0].slice(-3)).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    const proxyWide = wide.find((r) => r[0] === 'kube-proxy')!;
    expect(proxyWide.slice(-3)).toEqual(['kube-proxy', expect.stringMatching(/kube-proxy/), 'k8s-app=kube-proxy']);
    const yaml = await kc.ok(['get', 'ds/kube-proxy', '-n', 'kube-system', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: apps\/v1\nkind: DaemonSet\n/);
    expect(yaml).toContain('      - operator: Exists\n');
    const json = JSON.parse(await kc.ok(['get', 'ds', '-n', 'kube-system', '-o', 'json']));
    expect(json.kind).toBe('List');
    expect(json.items.map((i: any) => i.metadata.name).sort()).toEqual(['kindnet', 'kube-proxy']);
  });

  it('jsonpath and jsonpath-as-json', async () => {
    const jp = await kc.ok(['get', 'ds/kube-proxy', '-n', 'kube-system', '-o', 'jsonpath={.spec.template.spec.tolerations}']);
    // kubeadm's kube-proxy tolerates everything (seed 000 shows the same two tolerations)
    expect(jp).toBe('[{"key":"CriticalAddonsOnly","operator":"Exists"},{"operator":"Exists"}]');
    const jpj = await kc.ok(['get', 'ds/kube-proxy', '-n', 'kube-system', '-o', 'jsonpath-as-json={.spec.template.spec.tolerations}']);
    expect(JSON.parse(jpj)).toEqual([[{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { operator: 'Exists' }]]);
    expect(jpj).toContain('[\n    [\n        {\n            "key": "CriticalAddonsOnly",');
  });

  it('taint --dry-run=client -o yaml, then taint add and remove', async () => {
    const node = 'four-node-kind-worker2';
    const dry = await kc.ok(['taint', 'nodes', node, `dry${v}=true:NoSchedule`, '--dry-run=client', '-o', 'yaml']);
    expect(dry).toContain(`  taints:\n  - effect: NoSchedule\n    key: dry${v}\n    value: "true"\n`);
    expect((await cluster.client.get<any>(R.nodes, undefined, node)).spec.taints ?? []).toEqual([]);
    expect((await kc.ok(['taint', 'nodes', node, `repel${v}=true:NoSchedule`])).trim()).toBe(`node/${node} tainted`);
    expect((await cluster.client.get<any>(R.nodes, undefined, node)).spec.taints).toEqual([{ key: `repel${v}`, value: 'true', effect: 'NoSchedule' }]);
    expect((await kc.ok(['taint', 'nodes', node, `repel${v}=true:NoSchedule-`])).trim()).toBe(`node/${node} untainted`);
    expect((await cluster.client.get<any>(R.nodes, undefined, node)).spec.taints).toBeUndefined();
  });

  it('label add and remove', async () => {
    const node = 'four-node-kind-worker3';
    expect((await kc.ok(['label', 'nodes', node, `disktype${v}=ssd`])).trim()).toBe(`node/${node} labeled`);
    const rows = parseTable(await kc.ok(['get', 'nodes', '-l', `disktype${v}=ssd`]));
    expect(rows.slice(1).map((r) => r[0])).toEqual([node]);
    const out = (await kc.ok(['label', 'nodes', node, `disktype${v}-`])).trim();
    expect(out).toBe(k.version === '1.20' ? `node/${node} labeled` : `node/${node} unlabeled`);
    expect((await cluster.client.get<any>(R.nodes, undefined, node)).metadata.labels[`disktype${v}`]).toBeUndefined();
  });

  it('create ns and create priorityclass', async () => {
    expect((await kc.ok(['create', 'ns', `logging${v}`])).trim()).toBe(`namespace/logging${v} created`);
    const ns = parseTable(await kc.ok(['get', 'ns', `logging${v}`]));
    expect(ns[0]).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(ns[1].slice(0, 2)).toEqual([`logging${v}`, 'Active']);
    expect((await kc.ok(['create', 'priorityclass', `high${v}`, '--value=1000000', '--description=important'])).trim()).toBe(
      `priorityclass.scheduling.k8s.io/high${v} created`,
    );
    const pc = parseTable(await kc.ok(['get', 'priorityclass']));
    expect(pc[0]).toEqual(['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', ...(k.version === '1.20' ? ['PREEMPTIONPOLICY'] : ['PREEMPTIONPOLICY'])]);
    const names = pc.slice(1).map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining([`high${v}`, 'system-cluster-critical', 'system-node-critical']));
    expect(pc.find((r) => r[0] === 'system-node-critical')!.slice(1, 3)).toEqual(['2000001000', 'false']);
  });

  it('apply -f a DaemonSet, then a changed image; get -w prints the changes', async () => {
    const ns = `apply${v}`;
    await kc.ok(['create', 'ns', ns]);
    const f1 = kc.file('fluentd.yaml', FLUENTD('quay.io/fluentd_elasticsearch/fluentd:v2.5.2').replace('namespace: kube-system', `namespace: ${ns}`));
    expect((await kc.ok(['apply', '-f', f1])).trim()).toBe('daemonset.apps/fluentd-elasticsearch created');
    const watcher = kc.spawn(['get', 'ds', '-n', ns, '-w']);
    await eventually(async () => watcher.output().includes('fluentd-elasticsearch'));
    const f2 = kc.file('fluentd2.yaml', FLUENTD('quay.io/fluentd_elasticsearch/fluentd:v4.3.2').replace('namespace: kube-system', `namespace: ${ns}`));
    expect((await kc.ok(['apply', '-f', f2])).trim()).toBe('daemonset.apps/fluentd-elasticsearch configured');
    expect((await kc.ok(['apply', '-f', f2])).trim()).toBe('daemonset.apps/fluentd-elasticsearch unchanged');
    const ds = await cluster.client.get<any>(R.daemonsets, ns, 'fluentd-elasticsearch');
    expect(ds.spec.template.spec.containers[0].image).toBe('quay.io/fluentd_elasticsearch/fluentd:v4.3.2');
    expect(ds.metadata.generation).toBe(2);
    // the watch printed a header, then one row per change (no header again)
    await eventually(async () => watcher.output().trim().split('\n').length >= 3);
    watcher.stop();
    const lines = watcher.output().trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    expect(lines.slice(1).every((l) => l.startsWith('fluentd-elasticsearch'))).toBe(true);
    // pods land on all four nodes (the control-plane taint is tolerated)
    await eventually(async () => {
      const rows = parseTable(await kc.ok(['get', 'ds', '-n', ns]));
      return rows[1]?.slice(1, 6).join(' ') === '4 4 4 4 4';
    }, 30_000);
  });

  it('get pods --field-selector spec.nodeName=X', async () => {
    const node = 'four-node-kind-worker';
    const rows = parseTable(await kc.ok(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`, '-o', 'wide']));
    expect(rows[0].slice(0, 6)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows.slice(1)) expect(r[7]).toBe(node);
    const bad = await kc.run(['get', 'pods', '--field-selector', 'spec.nope=x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('field label not supported: spec.nope');
  });

  it('delete', async () => {
    await kc.ok(['create', 'configmap', `gone${v}`, '--from-literal=a=b']);
    expect((await kc.ok(['delete', 'configmap', `gone${v}`])).trim()).toMatch(new RegExp(`^configmap "gone${v}" deleted`));
    const r = await kc.run(['get', 'configmap', `gone${v}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`Error from server (NotFound): configmaps "gone${v}" not found`);
  });

  it('explain daemonset.spec', async () => {
    const out = await kc.ok(['explain', 'daemonset.spec']);
    expect(out).toContain('KIND:');
    expect(out).toContain('DaemonSet');
    expect(out).toContain('updateStrategy');
    expect(out).toContain('An update strategy to replace existing DaemonSet pods with new pods.');
  });
});
