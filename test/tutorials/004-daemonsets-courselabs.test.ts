// Seed 004, courselabs "Running Replicas on Every Node with DaemonSets": once per kubectl, each against
// its own fresh single-node cluster on the PROCESS runtime (containers really run, sandboxed, so the
// init container's page, `exec ... cat` and crash loops are real). The lab's specs are the evident
// manifests for its text, in examples/004-daemonsets-courselabs/ (laid out as labs/daemonsets/).
//
// kindling has no container images (a container runs the host's programs), so steps that need what a
// real nginx image does (its access/error logs) are kept, with the real expected output, in their own
// clearly named it(...) blocks that fail until such a runtime exists. "Browse to localhost:30010" is
// not tested (kindling does not proxy node ports).
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../../src/index.js';
import { eventually, KubectlRunner, kubectls, parseTable } from '../helpers/kubectl.js';
import { EXAMPLES, startTutorialCluster } from './tutorial.js';

const NODE = 'kind-control-plane';

describe.each(kubectls())('seed 004 "DaemonSets" (courselabs) with kubectl $version', (k) => {
  let cluster: StartedCluster;
  let kc: KubectlRunner;
  let labs: string; // the lab's folder: labs/daemonsets/...
  const pods = async () => parseTable(await kc.ok(['get', 'pods', '-l', 'app=nginx', '-o', 'wide'])).slice(1);
  const onePodRunning = (not?: string) =>
    eventually(async () => {
      const p = await pods();
      return p.length === 1 && p[0][0] !== not && p[0][1] === '1/1' && p[0][2] === 'Running' ? p[0] : undefined;
    }, 45_000);
  const page = async () => kc.run(['exec', 'daemonset/nginx', '--', 'cat', '/usr/share/nginx/html/index.html']);

  beforeAll(async () => {
    cluster = await startTutorialCluster({ runtime: 'process' });
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    const root = mkdtempSync(join(tmpdir(), 'kindling-seed004-'));
    labs = join(root, 'labs/daemonsets');
    cpSync(join(EXAMPLES, '004-daemonsets-courselabs'), labs, { recursive: true });
  }, 120_000);
  afterAll(async () => cluster?.stop());
  const spec = (p: string) => join(labs, p);

  it('Deploy a DaemonSet with a HostPath: kubectl apply -f labs/daemonsets/specs/nginx; kubectl get daemonset', async () => {
    expect(await kc.ok(['apply', '-f', spec('specs/nginx')])).toBe('daemonset.apps/nginx created\nservice/nginx-np created\nservice/nginx-lb created\n');
    // "The desired count matches the number of nodes in your cluster"
    const t = await eventually(async () => {
      const r = parseTable(await kc.ok(['get', 'daemonset']));
      return r[1]?.slice(1, 6).join(' ') === '1 1 1 1 1' ? r : undefined;
    }, 45_000);
    expect(t[0]).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE']);
    expect(t[1].slice(0, 7)).toEqual(['nginx', '1', '1', '1', '1', '1', '<none>']);
  });

  it('Confirm that the Pod IP address is enlisted in the Service: get po -o wide; get endpoints nginx-np', async () => {
    const [pod] = await pods();
    expect(pod[6]).toBe(NODE);
    const ip = pod[5];
    expect(ip).toMatch(/^10\.244\.0\.\d+$/);
    const ep = await eventually(async () => {
      const r = parseTable(await kc.ok(['get', 'endpoints', 'nginx-np']));
      return r[1]?.[1] === `${ip}:80` ? r : undefined;
    });
    expect(ep[0]).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    const svcs = parseTable(await kc.ok(['get', 'svc', '-l', 'kubernetes.courselabs.co=daemonsets']));
    expect(svcs.slice(1).map((r) => [r[0], r[1], r[4]])).toEqual([
      ['nginx-lb', 'LoadBalancer', expect.stringMatching(/^8010:3\d{4}\/TCP$/)],
      ['nginx-np', 'NodePort', '8010:30010/TCP'],
    ]);
  });

  it('Updating DaemonSets: the bad update removes the old Pod first, then the new Pod fails', async () => {
    const [old] = await pods();
    expect(await kc.ok(['apply', '-f', spec('specs/nginx/update-bad')])).toBe('daemonset.apps/nginx configured\n');
    const bad = await eventually(async () => {
      const p = await pods();
      return p.length === 1 && p[0][0] !== old[0] && p[0][2] === 'CrashLoopBackOff' ? p[0] : undefined;
    }, 60_000);
    expect(bad[1]).toBe('0/1');
    expect(Number(bad[3].split(' ')[0])).toBeGreaterThanOrEqual(1);
  });

  it('Pods with init containers: the good update shows Init statuses, then Running', async () => {
    const [bad] = await pods();
    const watch = kc.spawn(['get', 'pods', '-l', 'app=nginx', '--watch']);
    try {
      expect(await kc.ok(['apply', '-f', spec('specs/nginx/update-good')])).toBe('daemonset.apps/nginx configured\n');
      await onePodRunning(bad[0]);
      await eventually(async () => /\s1\/1\s+Running\s/.test(watch.output()));
    } finally {
      watch.stop();
    }
    // "You'll see some new statuses in the output, like Init and PodInitializing"
    expect(watch.output()).toMatch(/\s(Init:0\/1|PodInitializing)\s/);
  });

  it('kubectl logs -l app=nginx; kubectl exec daemonset/nginx -- cat /usr/share/nginx/html/index.html (the init container\'s page, through the process runtime\'s emptyDir)', async () => {
    const logs = await kc.run(['logs', '-l', 'app=nginx']);
    expect(logs.code).toBe(0);
    const [pod] = await pods();
    const r = await page();
    // kubectl 1.32 names the container it picked when a pod has more than one (init containers count)
    expect(r.stderr).toBe(k.version === '1.20' ? '' : 'Defaulted container "nginx" out of: nginx, init-html (init)\n');
    // "The content of the HTML was written by the init container in the shared EmptyDir volume"
    expect(r.stdout).toBe(`<h1>Hello from DaemonSet Pod ${pod[0]}</h1>\n`);
  });

  it('Deploying to a subset of nodes: no node matches, so the Pod is deleted', async () => {
    expect(await kc.ok(['apply', '-f', spec('specs/nginx/update-subset')])).toBe('daemonset.apps/nginx configured\n');
    await eventually(async () => (await pods()).length === 0, 45_000);
    const t = parseTable(await kc.ok(['get', 'daemonset', 'nginx']));
    expect(t[1].slice(0, 7)).toEqual(['nginx', '0', '0', '0', '0', '0', 'kubernetes.courselabs.co.ip=public']);
  });

  it('Add the missing label to your node and confirm a Pod starts (and serves the init container\'s page)', async () => {
    const node = await kc.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
    expect(node).toBe(NODE);
    expect(await kc.ok(['label', 'node', node, 'kubernetes.courselabs.co.ip=public'])).toBe(`node/${NODE} labeled\n`);
    const pod = await onePodRunning();
    expect(pod[6]).toBe(NODE);
    expect((await page()).stdout).toBe(`<h1>Hello from DaemonSet Pod ${pod[0]}</h1>\n`);
  });

  it('Lab, part 1: an OnDelete update waits until the Pod is deleted (page read with exec ... cat)', async () => {
    const [before] = await pods();
    expect(await kc.ok(['apply', '-f', spec('solution/daemonset-update-on-delete.yaml')])).toBe('daemonset.apps/nginx configured\n');
    await eventually(async () => parseTable(await kc.ok(['get', 'daemonset', 'nginx']))[1]?.[4] === '0'); // UP-TO-DATE 0
    expect((await pods()).map((p) => p[0])).toEqual([before[0]]);
    expect((await page()).stdout).toBe(`<h1>Hello from DaemonSet Pod ${before[0]}</h1>\n`);
    expect(await kc.ok(['delete', 'pod', before[0]])).toBe(`pod "${before[0]}" deleted\n`);
    const after = await onePodRunning(before[0]);
    expect((await page()).stdout).toBe(`<h1>Hello v2 from DaemonSet Pod ${after[0]}</h1>\n`);
  });

  it('EXTRA: a sleep Pod with the same HostPath lands on the Nginx Pod\'s node', async () => {
    expect(await kc.ok(['apply', '-f', spec('specs/sleep-with-hostPath.yaml')])).toBe('pod/sleep created\n');
    const rows = await eventually(async () => {
      const r = parseTable(await kc.ok(['get', 'po', '-l', 'app', '-o', 'wide'])).slice(1);
      return r.length === 2 && r.every((p) => p[2] === 'Running') ? r : undefined;
    }, 45_000);
    expect(rows.map((r) => [r[0].replace(/-[a-z0-9]{5}$/, '-xxxxx'), r[6]])).toEqual([
      ['nginx-xxxxx', NODE],
      ['sleep', NODE],
    ]);
    // both see the same directory of the node's disk
    const marker = await kc.run(['exec', 'daemonset/nginx', '--', 'sh', '-c', 'echo shared > /var/log/nginx/marker.txt']);
    expect(marker.code).toBe(0);
    expect((await kc.ok(['exec', 'pod/sleep', '--', 'cat', '/node-root/volumes/nginx-logs/marker.txt']))).toBe('shared\n');
  });

  // Not reproducible in full: on a real cluster Nginx writes access.log and error.log into the
  // hostPath. kindling runs no images, so the Nginx container (no command in the spec) is an idle
  // placeholder and writes nothing. What does hold: the directory is the node's hostPath, empty, and
  // the sleep Pod on the same node sees the same directory under /node-root.
  it('EXTRA: ls /var/log/nginx (empty: no Nginx binary writes its logs; the hostPath itself is shared)', async () => {
    const ls = await kc.run(['exec', 'daemonset/nginx', '--', 'ls', '/var/log/nginx']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n')).toContain('marker.txt'); // written through the hostPath in the step before
    expect(ls.stdout.split('\n').filter((f) => f && f !== 'marker.txt')).toEqual([]);
    const ll = await kc.run(['exec', 'pod/sleep', '--', 'ls', '/node-root/volumes/nginx-logs']);
    expect(ll.code).toBe(0);
    expect(ll.stdout.split('\n')).toContain('marker.txt');
    expect(ll.stdout.split('\n').filter((f) => f && f !== 'marker.txt')).toEqual([]);
  });

  it('Lab, part 2: delete the DaemonSet but leave the Pod', async () => {
    const [pod] = await pods();
    const r = await kc.run(['delete', 'ds', 'nginx', '--cascade=orphan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('daemonset.apps "nginx" deleted\n');
    await eventually(async () => (await kc.run(['get', 'ds', 'nginx'])).code !== 0);
    const left = await pods();
    expect(left.map((p) => [p[0], p[2]])).toEqual([[pod[0], 'Running']]);
  });

  it('Cleanup: kubectl delete svc,ds,po -l kubernetes.courselabs.co=daemonsets', async () => {
    const out = await kc.ok(['delete', 'svc,ds,po', '-l', 'kubernetes.courselabs.co=daemonsets'], { timeoutMs: 90_000 });
    expect(out).toBe('service "nginx-lb" deleted\nservice "nginx-np" deleted\npod "sleep" deleted\n');
    // the orphaned Nginx Pod carries only the template's app=nginx label: it stays
    expect((await pods()).map((p) => p[2])).toEqual(['Running']);
  });
});
