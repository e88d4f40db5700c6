// DaemonSets through real kubectl (Debian's 1.20 and the current one on PATH) against a
// four-node cluster: rollout status/history/undo/restart, orphaning delete and re-adoption,
// cordon/uncordon, drain, and describe, with upstream's exact output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../src/index.js';
import { R } from '../src/client/types.js';
import { KubectlRunner, kubectls, parseTable, eventually } from './helpers/kubectl.js';
import { startFourNodeCluster } from './helpers/cluster.js';

const NODES = ['four-node-kind-control-plane', 'four-node-kind-worker', 'four-node-kind-worker2', 'four-node-kind-worker3'];

/** a DaemonSet on all four nodes; its pods turn Ready 1 s after they start, so a rollout takes a few seconds */
const SLOW_DS = (name: string, ns: string, image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app: ${name}
spec:
  selector:
    matchLabels:
      name: ${name}
  template:
    metadata:
      labels:
        name: ${name}
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: app
        image: ${image}
        readinessProbe:
          exec:
            command: ["true"]
          initialDelaySeconds: 1
`;

const PLAIN_DS = (name: string, ns: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels:
      name: ${name}
  template:
    metadata:
      labels:
        name: ${name}
    spec:
      tolerations:
      - key: node-role.kubernetes.io/control-plane
        operator: Exists
        effect: NoSchedule
      containers:
      - name: app
        image: registry.k8s.io/pause:3.10
`;

let cluster: StartedCluster;
let kubeSystemAtStart: { name: string; desired: number; available: number }[] = [];
beforeAll(async () => {
  cluster = await startFourNodeCluster();
  const list = await cluster.client.list<any>(R.daemonsets, 'kube-system');
  kubeSystemAtStart = list.items.map((d) => ({ name: d.metadata.name, desired: d.status?.desiredNumberScheduled, available: d.status?.numberAvailable }));
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

it('kube-system DaemonSets are 4/4 available when startFourNodeCluster returns', () => {
  expect(kubeSystemAtStart.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: 'kindnet', desired: 4, available: 4 },
    { name: 'kube-proxy', desired: 4, available: 4 },
  ]);
});

/** the lines `rollout status` may print (spec §5.1), in the order the rollout moves through them */
function checkRolloutStatus(out: string, name: string): string[] {
  const lines = out.split('\n');
  expect(lines.pop()).toBe(''); // every message ends with a newline
  expect(lines[lines.length - 1]).toBe(`daemon set "${name}" successfully rolled out`);
  const forms = [
    /^Waiting for daemon set spec update to be observed\.\.\.$/,
    new RegExp(`^Waiting for daemon set "${name}" rollout to finish: (\\d) out of 4 new pods have been updated\\.\\.\\.$`),
    new RegExp(`^Waiting for daemon set "${name}" rollout to finish: (\\d) of 4 updated pods are available\\.\\.\\.$`),
    new RegExp(`^daemon set "${name}" successfully rolled out$`),
  ];
  let stage = 0;
  let count = -1;
  for (const l of lines) {
    const i = forms.findIndex((f) => f.test(l));
    expect(i, `unexpected line ${JSON.stringify(l)}`).toBeGreaterThanOrEqual(0);
    expect(i).toBeGreaterThanOrEqual(stage); // never goes back
    const n = Number(forms[i].exec(l)![1] ?? -1);
    if (i === stage) expect(n).toBeGreaterThanOrEqual(count);
    else count = -1;
    stage = i;
    count = n;
  }
  // no no-op writes: the spec-update message is never repeated
  expect(lines.filter((l) => l.startsWith('Waiting for daemon set spec update')).length).toBeLessThanOrEqual(1);
  return lines;
}

const history = (name: string, rows: [number, string][]) =>
  `daemonset.apps/${name} \nREVISION  CHANGE-CAUSE\n${rows.map(([r, c]) => `${String(r).padEnd(10)}${c}`).join('\n')}\n\n`;

describe.each(kubectls())('kubectl $version: DaemonSets', (k) => {
  let kc: KubectlRunner;
  const v = k.version.replace('.', '');
  const ns = `ds${v}`;
  const is120 = k.version === '1.20';
  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'ns', ns]);
  });

  it('rollout status, history (--revision), undo (--to-revision), restart', async () => {
    const name = 'rolly';
    const img1 = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
    const img2 = 'registry.k8s.io/e2e-test-images/httpd:2.4.39-4';
    expect((await kc.ok(['apply', '-f', kc.file('rolly.yaml', SLOW_DS(name, ns, img1))])).trim()).toBe(`daemonset.apps/${name} created`);
    const first = checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    // pods are not Ready for 1 s: at least one "available" wait was reported
    expect(first.some((l) => / of 4 updated pods are available\.\.\.$/.test(l))).toBe(true);
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[1, '<none>']]));

    // a change-cause on the DaemonSet is copied into the next revision
    await kc.ok(['annotate', 'ds', name, '-n', ns, 'kubernetes.io/change-cause=image 2.4.39']);
    expect((await kc.ok(['set', 'image', `ds/${name}`, '-n', ns, `app=${img2}`])).trim()).toBe(`daemonset.apps/${name} image updated`);
    const second = checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    expect(second.some((l) => / out of 4 new pods have been updated\.\.\.$/.test(l))).toBe(true);
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[1, '<none>'], [2, 'image 2.4.39']]));

    // --revision=1: the template of revision 1 in describe format
    const tail = is120 ? '' : '  Node-Selectors:\t<none>\n  Tolerations:\tnode-role.kubernetes.io/control-plane:NoSchedule op=Exists\n';
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns, '--revision=1'])).toBe(
      `daemonset.apps/${name} with revision #1\n` +
        'Pod Template:\n' +
        `  Labels:\tname=${name}\n` +
        '  Containers:\n' +
        '   app:\n' +
        `    Image:\t${img1}\n` +
        '    Port:\t<none>\n' +
        '    Host Port:\t<none>\n' +
        '    Readiness:\texec [true] delay=1s timeout=1s period=10s #success=1 #failure=3\n' +
        '    Environment:\t<none>\n' +
        '    Mounts:\t<none>\n' +
        '  Volumes:\t<none>\n' +
        tail +
        '\n',
    );
    const missing = await kc.run(['rollout', 'history', `daemonset/${name}`, '-n', ns, '--revision=7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: unable to find the specified revision\n');

    // undo to the previous revision: revision 1's ControllerRevision is reused as revision 3
    const podsBefore = (await cluster.client.list<any>(R.pods, ns)).items.map((p) => p.metadata.name);
    expect((await kc.ok(['rollout', 'undo', `daemonset/${name}`, '-n', ns])).trim()).toBe(`daemonset.apps/${name} rolled back`);
    checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[2, 'image 2.4.39'], [3, '<none>']]));
    const ds = await cluster.client.get<any>(R.daemonsets, ns, name);
    expect(ds.spec.template.spec.containers[0].image).toBe(img1);
    const pods = (await cluster.client.list<any>(R.pods, ns)).items;
    expect(pods.every((p) => p.spec.containers[0].image === img1)).toBe(true);
    expect(pods.some((p) => podsBefore.includes(p.metadata.name))).toBe(false);

    // undo to the current revision: skipped, no write
    const rv = ds.metadata.resourceVersion;
    expect((await kc.ok(['rollout', 'undo', `daemonset/${name}`, '-n', ns, '--to-revision=3'])).trim()).toBe(
      `daemonset.apps/${name} skipped rollback (current template already matches revision 3)`,
    );
    expect((await cluster.client.get<any>(R.daemonsets, ns, name)).metadata.resourceVersion).toBe(rv);
    const bad = await kc.run(['rollout', 'undo', `daemonset/${name}`, '-n', ns, '--to-revision=9']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: unable to find specified revision 9 in history\n');

    // undo --to-revision=2 renumbers revision 2 as 4
    expect((await kc.ok(['rollout', 'undo', `daemonset/${name}`, '-n', ns, '--to-revision=2'])).trim()).toBe(`daemonset.apps/${name} rolled back`);
    checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[3, '<none>'], [4, 'image 2.4.39']]));

    // restart: a new revision and new pods everywhere
    const beforeRestart = (await cluster.client.list<any>(R.pods, ns)).items.map((p) => p.metadata.name);
    expect((await kc.ok(['rollout', 'restart', `daemonset/${name}`, '-n', ns])).trim()).toBe(`daemonset.apps/${name} restarted`);
    checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    const restarted = await cluster.client.get<any>(R.daemonsets, ns, name);
    expect(restarted.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const afterRestart = await eventually(async () => {
      const ps = (await cluster.client.list<any>(R.pods, ns)).items.filter((p) => !p.metadata.deletionTimestamp);
      return ps.length === 4 && ps;
    });
    expect(afterRestart.some((p) => beforeRestart.includes(p.metadata.name))).toBe(false);
    expect(new Set(afterRestart.map((p) => p.spec.nodeName))).toEqual(new Set(NODES));
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[3, '<none>'], [4, 'image 2.4.39'], [5, 'image 2.4.39']]));

    // OnDelete: rollout status refuses
    await kc.ok(['patch', 'ds', name, '-n', ns, '-p', '{"spec":{"updateStrategy":{"type":"OnDelete","rollingUpdate":null}}}']);
    const onDelete = await kc.run(['rollout', 'status', `daemonset/${name}`, '-n', ns]);
    expect(onDelete.code).toBe(1);
    expect(onDelete.stderr).toBe('error: rollout status is only available for RollingUpdate strategy type\n');
    await kc.ok(['delete', 'ds', name, '-n', ns]);
    await eventually(async () => (await cluster.client.list<any>(R.pods, ns)).items.length === 0, 30_000);
  });

  it('delete --cascade=orphan keeps the pods; a new DaemonSet adopts them without churn', async () => {
    const name = 'keeper';
    const file = kc.file('keeper.yaml', PLAIN_DS(name, ns));
    await kc.ok(['apply', '-f', file]);
    checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    const before = (await cluster.client.list<any>(R.pods, ns)).items;
    expect(before).toHaveLength(4);
    const oldUid = (await cluster.client.get<any>(R.daemonsets, ns, name)).metadata.uid;

    const r = await kc.run(['delete', 'ds', name, '-n', ns, is120 ? '--cascade=false' : '--cascade=orphan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^daemonset.apps "${name}" deleted( from ${ns} namespace)?\\n$`));
    expect(r.stderr).toBe(is120 ? 'warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n' : '');
    const orphans = await eventually(async () => {
      const ps = (await cluster.client.list<any>(R.pods, ns)).items;
      return ps.length === 4 && ps.every((p) => !p.metadata.ownerReferences?.length) && ps;
    });
    expect(orphans.map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());
    expect(orphans.every((p) => p.metadata.labels['controller-revision-hash'] && p.metadata.labels['pod-template-generation'] === '1')).toBe(true);
    const crs = (await cluster.client.list<any>(R.controllerrevisions, ns)).items.filter((c) => c.metadata.name.startsWith(`${name}-`));
    expect(crs.map((c) => c.metadata.ownerReferences ?? [])).toEqual([[]]);
    const rows = parseTable(await kc.ok(['get', 'pods', '-n', ns]));
    expect(rows.slice(1).map((row) => row[2])).toEqual(['Running', 'Running', 'Running', 'Running']);

    // the same DaemonSet again: it adopts pods and revision, nothing is restarted
    expect((await kc.ok(['apply', '-f', file])).trim()).toBe(`daemonset.apps/${name} created`);
    const ds = await cluster.client.get<any>(R.daemonsets, ns, name);
    expect(ds.metadata.uid).not.toBe(oldUid);
    const adopted = await eventually(async () => {
      const ps = (await cluster.client.list<any>(R.pods, ns)).items;
      return ps.every((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid) && ps;
    });
    checkRolloutStatus(await kc.ok(['rollout', 'status', `daemonset/${name}`, '-n', ns]), name);
    expect(adopted.map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());
    expect((await cluster.client.list<any>(R.pods, ns)).items.map((p) => p.metadata.name).sort()).toEqual(before.map((p) => p.metadata.name).sort());
    expect(adopted[0].metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(parseTable(await kc.ok(['get', 'ds', name, '-n', ns]))[1].slice(1, 6)).toEqual(['4', '4', '4', '4', '4']);
    expect(await kc.ok(['rollout', 'history', `daemonset/${name}`, '-n', ns])).toBe(history(name, [[1, '<none>']]));
    const events = (await cluster.client.list<any>(R.events, ns)).items.filter((e) => e.involvedObject.uid === ds.metadata.uid);
    expect(events.filter((e) => e.reason === 'SuccessfulCreate' || e.reason === 'SuccessfulDelete')).toEqual([]);
  });

  it('cordon / uncordon: SchedulingDisabled, the unschedulable taint, DaemonSet pods stay and come back', async () => {
    const node = 'four-node-kind-worker2';
    expect((await kc.ok(['cordon', node])).trim()).toBe(`node/${node} cordoned`);
    try {
    const rows = parseTable(await kc.ok(['get', 'nodes']));
    expect(rows.find((r) => r[0] === node)!.slice(1, 3)).toEqual(['Ready,SchedulingDisabled', '<none>']);
    const n = await cluster.client.get<any>(R.nodes, undefined, node);
    expect(n.spec.unschedulable).toBe(true);
    expect(n.spec.taints).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: expect.any(String) }]);
    // the DaemonSet pod keeps running there, and a deleted one is recreated there (unschedulable is tolerated)
    const pod = (await cluster.client.list<any>(R.pods, ns)).items.find((p) => p.spec.nodeName === node);
    expect(pod.status.phase).toBe('Running');
    await kc.ok(['delete', 'pod', pod.metadata.name, '-n', ns]);
    await eventually(async () => {
      const ps = (await cluster.client.list<any>(R.pods, ns)).items.filter((p) => p.spec.nodeName === node && p.status?.phase === 'Running');
      return ps.length === 1 && ps[0].metadata.name !== pod.metadata.name;
    });
    const describe = await kc.ok(['describe', 'node', node]);
    expect(describe).toContain('\nTaints:             node.kubernetes.io/unschedulable:NoSchedule\nUnschedulable:      true\n');
    await eventually(async () => /Normal {2}NodeNotSchedulable +.+ +kubelet +Node four-node-kind-worker2 status is now: NodeNotSchedulable\n/.test(await kc.ok(['describe', 'node', node])));
    expect((await kc.ok(['cordon', node])).trim()).toBe(`node/${node} already cordoned`);
    } finally {
      expect((await kc.ok(['uncordon', node])).trim()).toBe(`node/${node} uncordoned`);
    }
    expect(parseTable(await kc.ok(['get', 'nodes'])).find((r) => r[0] === node)![1]).toBe('Ready');
    const after = await cluster.client.get<any>(R.nodes, undefined, node);
    expect(after.spec.unschedulable).toBeUndefined();
    expect(after.spec.taints).toBeUndefined();
    await eventually(async () => /Normal {2}NodeSchedulable +.+ +kubelet +Node four-node-kind-worker2 status is now: NodeSchedulable\n/.test(await kc.ok(['describe', 'node', node])));
  });

  it('drain refuses DaemonSet pods without --ignore-daemonsets, and evicts the rest with it', async () => {
    const node = 'four-node-kind-worker3';
    const dsPods = async () =>
      (await cluster.client.list<any>(R.pods, undefined, { fieldSelector: `spec.nodeName=${node}` })).items
        .filter((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .sort();
    const managed = await dsPods();
    expect(managed.filter((p) => /^kube-system\/(kindnet|kube-proxy)-[a-z0-9]{5}$/.test(p))).toHaveLength(2);
    expect(managed.filter((p) => p.startsWith(`${ns}/keeper-`))).toHaveLength(1);

    try {
    const refused = await kc.run(['drain', node]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe(`node/${node} cordoned\n`);
    expect(refused.stderr).toContain(`cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${managed.join(', ')}`);
    expect(refused.stderr).toContain(`There are pending nodes to be drained:\n ${node}\n`);

    // a bare pod on the node is evicted (pods/eviction), DaemonSet pods are left alone
    await kc.ok(['run', `bare${v}`, '-n', ns, '--image=registry.k8s.io/pause:3.10', `--overrides={"spec":{"nodeName":"${node}"}}`]);
    await eventually(async () => (await cluster.client.get<any>(R.pods, ns, `bare${v}`)).status?.phase === 'Running');
    const drained = await kc.run(['drain', node, '--ignore-daemonsets', '--force']);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toBe(
      `node/${node} already cordoned\nevicting pod ${ns}/bare${v}\npod/bare${v} evicted\nnode/${node} ${is120 ? 'evicted' : 'drained'}\n`,
    );
    // (1.20 joins its warnings in map order, so either order)
    const [prefix, warnings] = is120 ? ['WARNING: ', drained.stderr.slice(9)] : ['Warning: ', drained.stderr.slice(9)];
    expect(drained.stderr.startsWith(prefix)).toBe(true);
    expect(warnings.endsWith('\n')).toBe(true);
    expect(warnings.trim().split('; ').sort()).toEqual(
      [
        `ignoring DaemonSet-managed Pods: ${managed.join(', ')}`,
        is120
          ? `deleting Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: ${ns}/bare${v}`
          : `deleting Pods that declare no controller: ${ns}/bare${v}`,
      ].sort(),
    );
    await eventually(async () => (await cluster.client.list<any>(R.pods, ns)).items.every((p) => p.metadata.name !== `bare${v}`));
    expect(await dsPods()).toEqual(managed);
    } finally {
      expect((await kc.ok(['uncordon', node])).trim()).toBe(`node/${node} uncordoned`);
    }
  });

  it('describe ds, describe pod, describe node', async () => {
    const name = 'keeper';
    const ds = await kc.ok(['describe', 'ds', name, '-n', ns]);
    expect(ds).toMatch(
      new RegExp(
        '^' +
          `Name:           ${name}\n` +
          `Selector:       name=${name}\n` +
          'Node-Selector:  <none>\n' +
          'Labels:         <none>\n' +
          'Annotations:    deprecated.daemonset.template.generation: 1\n' +
          'Desired Number of Nodes Scheduled: 4\n' +
          'Current Number of Nodes Scheduled: 4\n' +
          'Number of Nodes Scheduled with Up-to-date Pods: 4\n' +
          'Number of Nodes Scheduled with Available Pods: 4\n' +
          'Number of Nodes Misscheduled: 0\n' +
          'Pods Status:  4 Running / 0 Waiting / 0 Succeeded / 0 Failed\n' +
          'Pod Template:\n' +
          `  Labels:  name=${name}\n` +
          '  Containers:\n' +
          '   app:\n' +
          ' {4}Image: +registry\\.k8s\\.io/pause:3\\.10\n',
      ),
    );
    expect(ds).toMatch(/\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}-{4} +-{6} +-{4} +-{4} +-{7}\n/);
    // the cordon test deleted one pod: one more SuccessfulCreate
    const creates = ds.split('\n').filter((l) => /^ {2}Normal {2}SuccessfulCreate +\S+ +daemonset-controller +Created pod: keeper-[a-z0-9]{5}$/.test(l));
    expect(creates).toHaveLength(1);

    const pod = (await cluster.client.list<any>(R.pods, ns)).items.find((p) => p.spec.nodeName === 'four-node-kind-worker');
    const dp = await kc.ok(['describe', 'pod', pod.metadata.name, '-n', ns]);
    expect(dp).toMatch(new RegExp(`^Name: +${pod.metadata.name}\\nNamespace: +${ns}\\n`));
    expect(dp).toMatch(/\nNode: +four-node-kind-worker\/172\.18\.0\.\d+\n/);
    expect(dp).toMatch(new RegExp(`\\nLabels: +controller-revision-hash=[4-9b-df]+\\n +name=${name}\\n +pod-template-generation=1\\n`));
    expect(dp).toMatch(/\nStatus: +Running\n/);
    expect(dp).toMatch(/\nControlled By: +DaemonSet\/keeper\n/);
    expect(dp).toMatch(
      /\nTolerations: +node-role\.kubernetes\.io\/control-plane:NoSchedule op=Exists\n +node\.kubernetes\.io\/disk-pressure:NoSchedule op=Exists\n +node\.kubernetes\.io\/memory-pressure:NoSchedule op=Exists\n +node\.kubernetes\.io\/not-ready:NoExecute op=Exists\n +node\.kubernetes\.io\/pid-pressure:NoSchedule op=Exists\n +node\.kubernetes\.io\/unreachable:NoExecute op=Exists\n +node\.kubernetes\.io\/unschedulable:NoSchedule op=Exists\n/,
    );
    expect(dp).toMatch(new RegExp(`\\n {2}Normal {2}Scheduled +\\S+ +default-scheduler +Successfully assigned ${ns}/${pod.metadata.name} to four-node-kind-worker\\n`));

    const dn = await kc.ok(['describe', 'node', 'four-node-kind-worker']);
    expect(dn).toMatch(/^Name: +four-node-kind-worker\nRoles: +<none>\n/);
    expect(dn).toContain('\nTaints:             <none>\nUnschedulable:      false\nLease:\n  HolderIdentity:  four-node-kind-worker\n');
    expect(dn).toMatch(/\nConditions:\n {2}Type +Status +LastHeartbeatTime +LastTransitionTime +Reason +Message\n/);
    expect(dn).toMatch(/\n {2}Ready +True +.+ +KubeletReady +kubelet is posting ready status\n/);
    expect(dn).toMatch(/\nAddresses:\n {2}InternalIP: +172\.18\.0\.\d+\n {2}Hostname: +four-node-kind-worker\n/);
    expect(dn).toMatch(/\nCapacity:\n {2}cpu: +\d+\n/);
    expect(dn).toMatch(/\n {2}Machine ID: +[0-9a-f]{32}\n {2}System UUID: +[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n {2}Boot ID: +[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n/);
    const onNode = (await cluster.client.list<any>(R.pods, undefined, { fieldSelector: 'spec.nodeName=four-node-kind-worker' })).items;
    expect(dn).toMatch(new RegExp(`\\nNon-terminated Pods: +\\(${onNode.length} in total\\)\\n`));
    expect(dn).toMatch(new RegExp(`\\n {2}${ns} +keeper-[a-z0-9]{5} +0 \\(0%\\) +0 \\(0%\\) +0 \\(0%\\) +0 \\(0%\\) +\\S+\\n`));
    // kubelet's start-up events (a reference uid equal to the node name: describe's second events query)
    expect(dn).toMatch(/\nEvents:\n {2}Type +Reason +Age +From +Message\n {2}-{4} +-{6} +-{4} +-{4} +-{7}\n {2}Normal {2}Starting +\S+ +kubelet +Starting kubelet\.\n/);
    expect(dn).toMatch(/\n {2}Normal {2}NodeHasSufficientMemory +\S+ +kubelet +Node four-node-kind-worker status is now: NodeHasSufficientMemory\n/);
    expect(dn).toMatch(/\n {2}Normal {2}NodeAllocatableEnforced +\S+ +kubelet +Updated Node Allocatable limit across pods\n/);
  });
});
