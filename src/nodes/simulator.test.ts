import { describe, expect, it } from 'vitest';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from '../client/fake.js';
import { R, type DeleteOptions, type KubeObject } from '../client/types.js';
import { NodeSimulator } from './simulator.js';
import type { LifecycleRules } from './rules.js';

class RecordingClient extends FakeClient {
  deletes: { name: string; opts?: DeleteOptions }[] = [];
  override async delete(res: Parameters<FakeClient['delete']>[0], ns: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject> {
    if (res.plural === 'pods') this.deletes.push({ name, opts });
    return super.delete(res, ns, name, opts);
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

async function setup(rules: LifecycleRules = []) {
  const clock = new FakeClock();
  const client = new RecordingClient([], { clock });
  const sim = new NodeSimulator(client, clock, { rules, random: () => 0 });
  await sim.start();
  await sim.addNode({ metadata: { name: 'kind-worker', labels: { 'node-role.kubernetes.io/worker': '' } } });
  await settle();
  return { clock, client, sim };
}

async function step(clock: FakeClock, ms: number, by = 1000) {
  for (let t = 0; t < ms; t += by) {
    clock.step(Math.min(by, ms - t));
    await settle();
  }
}

const bound = (name: string, spec: Partial<Pod['spec']> = {}, meta: Partial<Pod['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec: { nodeName: 'kind-worker', containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec } }) as KubeObject;
const getPod = (c: FakeClient, name: string) => c.peek<Pod & KubeObject>(R.pods, 'default', name)!;

describe('NodeSimulator: nodes', () => {
  it('registers the node with kubelet conditions, podCIDR and a lease', async () => {
    const { client, sim } = await setup();
    const node = client.peek<Node & KubeObject>(R.nodes, undefined, 'kind-worker')!;
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'kind-worker', 'node-role.kubernetes.io/worker': '' });
    expect(node.spec!.podCIDR).toBe('10.244.0.0/24');
    expect(node.status!.conditions!.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ]);
    expect(node.status!.nodeInfo!.kubeletVersion).toBe('v1.32.0');
    const lease = client.peek(R.leases, 'kube-node-lease', 'kind-worker')!;
    expect(lease.spec).toEqual({ holderIdentity: 'kind-worker', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
    await sim.stop();
  });

  it('renews the lease every 10 s; posts status only on change or every 5 minutes; stops and resumes', async () => {
    const { client, clock, sim } = await setup();
    const renew = () => (client.peek(R.leases, 'kube-node-lease', 'kind-worker')!.spec as { renewTime: string }).renewTime;
    const heartbeat = () => client.peek<Node & KubeObject>(R.nodes, undefined, 'kind-worker')!.status!.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime;
    await step(clock, 10_000);
    expect(renew()).toBe('2026-01-01T00:00:10.000000Z');
    await step(clock, 10_000);
    expect(renew()).toBe('2026-01-01T00:00:20.000000Z');
    expect(heartbeat()).toBe('2026-01-01T00:00:00Z');
    await step(clock, 270_000, 10_000);
    expect(heartbeat()).toBe('2026-01-01T00:00:00Z');
    await step(clock, 10_000, 10_000);
    expect(heartbeat()).toBe('2026-01-01T00:05:00Z');
    sim.stopNode('kind-worker');
    await step(clock, 60_000, 10_000);
    expect(renew()).toBe('2026-01-01T00:05:00.000000Z');
    sim.startNode('kind-worker');
    await settle();
    expect(renew()).toBe('2026-01-01T00:06:00.000000Z');
    expect(heartbeat()).toBe('2026-01-01T00:06:00Z');
    await sim.setCondition('kind-worker', 'MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available');
    const mp = client.peek<Node & KubeObject>(R.nodes, undefined, 'kind-worker')!.status!.conditions!.find((c) => c.type === 'MemoryPressure')!;
    expect(mp).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory', lastTransitionTime: '2026-01-01T00:06:00Z' });
    await sim.stop();
  });
});

describe('NodeSimulator: kubelet events', () => {
  const events = (c: FakeClient) =>
    c.list<KubeObject>(R.events, 'default').then((l) => l.items.map((e: any) => [e.involvedObject.kind, e.involvedObject.uid, e.source.component, e.source.host, e.reason, e.message]));

  it('reports its start on registration, then NodeNotSchedulable / NodeSchedulable when cordoned and uncordoned', async () => {
    const { client, sim } = await setup();
    await settle();
    const start = [
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'Starting', 'Starting kubelet.'],
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeHasSufficientMemory', 'Node kind-worker status is now: NodeHasSufficientMemory'],
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeHasNoDiskPressure', 'Node kind-worker status is now: NodeHasNoDiskPressure'],
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeHasSufficientPID', 'Node kind-worker status is now: NodeHasSufficientPID'],
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods'],
    ];
    expect(await events(client)).toEqual(start);
    await client.patch(R.nodes, undefined, 'kind-worker', 'strategic', { spec: { unschedulable: true } });
    await settle();
    await client.patch(R.nodes, undefined, 'kind-worker', 'strategic', { metadata: { labels: { a: 'b' } } });
    await settle();
    await client.patch(R.nodes, undefined, 'kind-worker', 'strategic', { spec: { unschedulable: null } });
    await settle();
    expect((await events(client)).slice(start.length)).toEqual([
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeNotSchedulable', 'Node kind-worker status is now: NodeNotSchedulable'],
      ['Node', 'kind-worker', 'kubelet', 'kind-worker', 'NodeSchedulable', 'Node kind-worker status is now: NodeSchedulable'],
    ]);
    await sim.stop();
  });

  const podEvents = (c: FakeClient, name: string) =>
    c
      .list<KubeObject>(R.events, 'default')
      .then((l) => l.items.filter((e: any) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === name).map((e: any) => [e.type, e.reason, e.source.component, e.source.host, e.count, e.message]));

  it("records a pod's container events as upstream's kubelet: pull (or already present), create, start, stop", async () => {
    const { client, clock, sim } = await setup([{ name: 'slow-pull', match: { image: 'nginx:*' }, pull: { delayMs: 1200 } }]);
    client.seed(R.pods, bound('web', {}, { uid: 'u1' }));
    await settle();
    await step(clock, 2000);
    const k = ['kubelet', 'kind-worker'];
    const [pulling, pulled, created, started] = await podEvents(client, 'web');
    expect(pulling).toEqual(['Normal', 'Pulling', ...k, 1, 'Pulling image "nginx:1.25"']);
    expect(pulled.slice(0, 5)).toEqual(['Normal', 'Pulled', ...k, 1]);
    expect(pulled[5]).toMatch(/^Successfully pulled image "nginx:1\.25" in 1\.2s \(1\.2s including waiting\)\. Image size: \d+ bytes\.$/);
    expect([created, started]).toEqual([
      ['Normal', 'Created', ...k, 1, 'Created container: app'],
      ['Normal', 'Started', ...k, 1, 'Started container app'],
    ]);
    // IfNotPresent (a tagged image) finds the node's copy; Always (":latest") pulls again
    client.seed(R.pods, bound('web2', {}, { uid: 'u2', finalizers: ['test/hold'] }));
    client.seed(R.pods, bound('web3', { containers: [{ name: 'app', image: 'nginx:latest' }] }, { uid: 'u3' }));
    await step(clock, 2000);
    expect((await podEvents(client, 'web2')).map((e) => e[5])).toEqual(['Container image "nginx:1.25" already present on machine', 'Created container: app', 'Started container app']);
    expect((await podEvents(client, 'web3')).map((e) => e[1])).toEqual(['Pulling', 'Pulled', 'Created', 'Started']);
    // graceful deletion: Killing
    await client.delete(R.pods, 'default', 'web2'); // the finalizer keeps it: deletionTimestamp set
    await settle();
    expect((await podEvents(client, 'web2')).at(-1)).toEqual(['Normal', 'Killing', ...k, 1, 'Stopping container app']);
    await sim.stop();
  });

  it('records failed pulls and crash-loop back-offs, counting repeats', async () => {
    const { client, clock, sim } = await setup([{ name: 'crash', match: { image: 'busybox*' }, exit: { afterMs: 1000, code: 1 } }]);
    client.seed(R.pods, bound('bad', { containers: [{ name: 'app', image: 'foo:non-existent' }] }, { uid: 'u1' }));
    await settle();
    await step(clock, 10_000);
    const k = ['kubelet', 'kind-worker'];
    const ref = 'docker.io/library/foo:non-existent';
    expect(await podEvents(client, 'bad')).toEqual([
      ['Normal', 'Pulling', ...k, 2, 'Pulling image "foo:non-existent"'],
      ['Warning', 'Failed', ...k, 2, `Failed to pull image "foo:non-existent": rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`],
      ['Warning', 'Failed', ...k, 2, 'Error: ErrImagePull'],
      ['Normal', 'BackOff', ...k, 2, 'Back-off pulling image "foo:non-existent"'],
      ['Warning', 'Failed', ...k, 2, 'Error: ImagePullBackOff'],
    ]);
    client.seed(R.pods, bound('crash', { containers: [{ name: 'app', image: 'busybox' }] }, { uid: 'u2' }));
    await settle();
    await step(clock, 13_000);
    expect(await podEvents(client, 'crash')).toEqual([
      ['Normal', 'Pulling', ...k, 3, 'Pulling image "busybox"'],
      ['Normal', 'Pulled', ...k, 3, 'Successfully pulled image "busybox" in 0s (0s including waiting). Image size: ' + (await podEvents(client, 'crash'))[1][5].match(/(\d+) bytes/)![1] + ' bytes.'],
      ['Normal', 'Created', ...k, 3, 'Created container: app'],
      ['Normal', 'Started', ...k, 3, 'Started container app'],
      // crashes at 2 s (back-off 10 s) and 13 s (20 s); the first restart, at 1 s, is immediate
      ['Warning', 'BackOff', ...k, 2, 'Back-off restarting failed container app in pod crash_default(u2)'],
    ]);
    await sim.stop();
  });
});

describe('NodeSimulator: pods', () => {
  it('runs a bound pod to Running/Ready with IPs from the podCIDR', async () => {
    const { client, sim } = await setup();
    client.seed(R.pods, bound('web'));
    await settle();
    const st = getPod(client, 'web').status!;
    expect(st.phase).toBe('Running');
    expect(st).toMatchObject({ hostIP: '172.18.0.2', podIP: '10.244.0.2', podIPs: [{ ip: '10.244.0.2' }], qosClass: 'BestEffort' });
    expect(st.containerStatuses![0]).toMatchObject({ ready: true, started: true, image: 'nginx:1.25' });
    expect(st.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
    client.seed(R.pods, bound('host', { hostNetwork: true }));
    await settle();
    expect(getPod(client, 'host').status!.podIP).toBe('172.18.0.2');
    expect(sim.podUsage('default', 'web')).toEqual({ cpu: 1, memory: 5 * 1024 * 1024, containers: [{ name: 'app', cpu: 1, memory: 5 * 1024 * 1024 }] });
    expect(sim.nodeUsage('kind-worker')!.cpu).toBe(52);
    await sim.stop();
  });

  it('ignores pods of other nodes', async () => {
    const { client, sim } = await setup();
    client.seed(R.pods, bound('elsewhere', { nodeName: 'other' }));
    await settle();
    expect(getPod(client, 'elsewhere').status).toBeUndefined();
    await sim.stop();
  });

  it('init containers: status goes Pending (Initialized False) then Running', async () => {
    const { client, clock, sim } = await setup([{ name: 'init', match: { container: 'setup' }, exit: { afterMs: 3000, code: 0 } }]);
    client.seed(R.pods, bound('withinit', { initContainers: [{ name: 'setup', image: 'busybox' }] }));
    await settle();
    let st = getPod(client, 'withinit').status!;
    expect(st.phase).toBe('Pending');
    expect(st.initContainerStatuses![0].state!.running).toBeDefined();
    expect(st.containerStatuses![0].state!.waiting!.reason).toBe('PodInitializing');
    await step(clock, 3000);
    st = getPod(client, 'withinit').status!;
    expect(st.phase).toBe('Running');
    expect(st.initContainerStatuses![0].state!.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await sim.stop();
  });

  it('image pull failure: ErrImagePull, then ImagePullBackOff', async () => {
    const { client, clock, sim } = await setup();
    client.seed(R.pods, bound('bad', { containers: [{ name: 'app', image: 'foo:non-existent' }] }));
    await settle();
    expect(getPod(client, 'bad').status!.containerStatuses![0].state!.waiting!.reason).toBe('ErrImagePull');
    await step(clock, 1000);
    expect(getPod(client, 'bad').status!.containerStatuses![0].state!.waiting!.reason).toBe('ImagePullBackOff');
    await step(clock, 9000);
    expect(getPod(client, 'bad').status!.containerStatuses![0].state!.waiting!.reason).toBe('ErrImagePull');
    await sim.stop();
  });

  it('crash loop: restartCount and CrashLoopBackOff on the back-off schedule', async () => {
    const { client, clock, sim } = await setup([{ name: 'crash', match: { image: 'busybox*' }, exit: { afterMs: 1000, code: 1 }, logs: ['boom'] }]);
    client.seed(R.pods, bound('crash', { containers: [{ name: 'app', image: 'busybox' }] }));
    await settle();
    const cs = () => getPod(client, 'crash').status!.containerStatuses![0];
    await step(clock, 2000);
    expect(cs().restartCount).toBe(1);
    expect(cs().state!.waiting!.reason).toBe('CrashLoopBackOff');
    expect(cs().lastState!.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    await step(clock, 9000);
    expect(cs().restartCount).toBe(1);
    await step(clock, 1000);
    expect(cs().restartCount).toBe(2);
    expect(cs().state!.running).toBeDefined();
    expect(sim.getLogs('default', 'crash', 'app')).toBe('boom\n');
    expect(sim.getLogs('default', 'crash', 'app', { previous: true, timestamps: true })).toBe('2026-01-01T00:00:01.000000000Z boom\n');
    await sim.stop();
  });

  it('logs: only what the rules give; tail and limit; errors for waiting containers', async () => {
    const { client, sim } = await setup([{ name: 'talk', match: { podName: 'talk*' }, logs: ['one', 'two', 'three'] }]);
    client.seed(R.pods, bound('talker'));
    client.seed(R.pods, bound('quiet'));
    client.seed(R.pods, bound('bad', { containers: [{ name: 'app', image: 'doesnotexist/x' }] }));
    await settle();
    expect(sim.getLogs('default', 'talker', 'app')).toBe('one\ntwo\nthree\n');
    expect(sim.getLogs('default', 'talker', undefined, { tailLines: 1 })).toBe('three\n');
    expect(sim.getLogs('default', 'talker', 'app', { limitBytes: 6 })).toBe('one\ntw');
    expect(sim.getLogs('default', 'quiet', 'app')).toBe('');
    expect(() => sim.getLogs('default', 'quiet', 'app', { previous: true })).toThrow('previous terminated container "app" in pod "quiet" not found');
    expect(() => sim.getLogs('default', 'bad', 'app')).toThrow('container "app" in pod "bad" is waiting to start: ErrImagePull');
    const it = sim.followLogs('default', 'talker', 'app');
    expect((await it.next()).value).toBe('one\ntwo\nthree\n');
    const end = it.next();
    await client.delete(R.pods, 'default', 'talker');
    await settle();
    expect((await end).done).toBe(true);
    await sim.stop();
  });

  it('graceful termination: containers stop within the grace period, then delete with grace 0 and uid', async () => {
    const { client, clock, sim } = await setup([{ name: 'slow', terminate: { delayMs: 20_000 } }]);
    client.seed(R.pods, bound('term', { terminationGracePeriodSeconds: 5 }, { finalizers: ['test/hold'] }));
    await settle();
    const uid = getPod(client, 'term').metadata.uid;
    await client.delete(R.pods, 'default', 'term'); // the finalizer keeps it: deletionTimestamp set
    client.deletes = [];
    await settle();
    await step(clock, 4000);
    expect(client.deletes).toEqual([]);
    await step(clock, 1000);
    expect(client.deletes).toEqual([{ name: 'term', opts: { gracePeriodSeconds: 0, preconditions: { uid } } }]);
    await sim.stop();
  });

  it('setRules applies to pods started later', async () => {
    const { client, clock, sim } = await setup();
    sim.setRules([{ name: 'slow-ready', ready: { delayMs: 5000 } }]);
    client.seed(R.pods, bound('later'));
    await settle();
    expect(getPod(client, 'later').status!.containerStatuses![0].ready).toBe(false);
    await step(clock, 5000);
    expect(getPod(client, 'later').status!.containerStatuses![0].ready).toBe(true);
    await sim.stop();
  });
});
