// PodDisruptionBudgets with kubectl 1.20 and a current kubectl: the disruption controller
// publishes ALLOWED DISRUPTIONS, the eviction subresource answers upstream's 429 when a budget
// would be violated and spends the budget when it is not, and kubectl drain evicts through it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { KubectlRunner, eventually, kubectls, parseTable } from './helpers/kubectl.js';

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
  await cluster.runtime.waitForNodesReady(30_000);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const pdb = (ns: string) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: ${ns}
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

const eviction = (ns: string, pod: string) => JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } });

describe.each(kubectls())('disruption budgets with kubectl $version', (k) => {
  let kc: KubectlRunner;
  const ns = `pdb-${k.version.replace('.', '')}`;
  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'namespace', ns]);
  });

  const allowed = async () => JSON.parse(await kc.ok(['get', 'pdb', 'web', '-n', ns, '-o', 'json'])).status;
  const webPods = async () => JSON.parse(await kc.ok(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json'])).items.filter((p: any) => !p.metadata.deletionTimestamp);

  it('an eviction that would violate the budget gets 429 and changes nothing', async () => {
    await kc.ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2', '-n', ns]);
    await kc.ok(['apply', '-f', '-'], { stdin: pdb(ns) });
    await kc.ok(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=30s'], { timeoutMs: 40_000 });
    await eventually(async () => (await allowed())?.currentHealthy === 2, 20_000);
    const status = await allowed();
    expect(status).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2, observedGeneration: 1 });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
    expect(parseTable(await kc.ok(['get', 'pdb', '-n', ns]))[1].slice(0, 4)).toEqual(['web', '2', 'N/A', '0']);

    const [pod] = await webPods();
    const res = await kc.run(['create', '--raw', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/eviction`, '-f', '-'], { stdin: eviction(ns, pod.metadata.name) });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe("Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget.");
    expect((await webPods()).map((p: any) => p.metadata.name)).toContain(pod.metadata.name);
  }, 60_000);

  it('with room in the budget the eviction deletes the pod and spends a disruption', async () => {
    await kc.ok(['scale', 'deployment', 'web', '--replicas=3', '-n', ns]);
    await eventually(async () => (await allowed())?.disruptionsAllowed === 1, 20_000);
    const [pod] = await webPods();
    const res = await kc.run(['create', '--raw', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/eviction`, '-f', '-'], { stdin: eviction(ns, pod.metadata.name) });
    expect(res.code).toBe(0);
    await eventually(async () => !(await webPods()).some((p: any) => p.metadata.name === pod.metadata.name), 20_000);
    // the replacement comes back and the budget is whole again
    await eventually(async () => (await allowed())?.disruptionsAllowed === 1 && (await allowed())?.currentHealthy === 3, 20_000);
  }, 60_000);
});
