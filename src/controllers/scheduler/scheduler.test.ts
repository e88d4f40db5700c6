import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { R, type KubeObject, type ResourceRef, type WriteOptions } from '../../client/types.js';
import { Scheduler } from './scheduler.js';
import { makeNode, makePod } from './testutil.js';

/** FakeClient with the pods/binding subresource the API server provides */
class BindingClient extends FakeClient {
  override async create<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, opts?: WriteOptions, sub?: string): Promise<T> {
    if (res.plural === 'pods' && sub === 'binding') {
      const target = (obj as unknown as { target: { name: string } }).target.name;
      const pod = this.peek<Pod & KubeObject>(R.pods, ns, obj.metadata.name!);
      if (pod?.spec?.nodeName) throw new Error(`pod ${obj.metadata.name} is already assigned to node "${pod.spec.nodeName}"`);
      await this.patch(R.pods, ns, obj.metadata.name!, 'merge', { spec: { nodeName: target } });
      return obj;
    }
    return super.create(res, ns, obj, opts, sub);
  }
}

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

async function setup(nodes = [makeNode('kind-control-plane', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }), makeNode('kind-worker'), makeNode('kind-worker2')]) {
  const clock = new FakeClock();
  const client = new BindingClient([], { clock });
  for (const n of nodes) client.seed(R.nodes, n as KubeObject);
  let x = 1;
  const s = new Scheduler(client, clock, { random: () => ((x = (x * 16807) % 2147483647) / 2147483647) });
  await s.start();
  return { clock, client, s };
}

const events = (c: FakeClient) => c.all(R.events).map((e) => `${e.type} ${e.reason} ${(e.involvedObject as { name: string }).name}: ${e.message}`);
const pod = (c: FakeClient, name: string) => c.peek<Pod & KubeObject>(R.pods, 'default', name)!;

describe('Scheduler', () => {
  it('binds a pending pod to an untainted node and records Scheduled', async () => {
    const { client, s } = await setup();
    client.seed(R.pods, makePod('web') as KubeObject);
    await settle();
    const node = pod(client, 'web').spec!.nodeName;
    expect(['kind-worker', 'kind-worker2']).toContain(node);
    expect(events(client)).toEqual([`Normal Scheduled web: Successfully assigned default/web to ${node}`]);
    s.stop();
  });

  it('leaves pods of other schedulers alone', async () => {
    const { client, s } = await setup();
    client.seed(R.pods, makePod('x', { spec: { schedulerName: 'my-scheduler' } }) as KubeObject);
    await settle();
    expect(pod(client, 'x').spec!.nodeName).toBeUndefined();
    s.stop();
  });

  it('marks an unfitting pod Unschedulable, then binds it when a node appears', async () => {
    const { client, clock, s } = await setup();
    client.seed(R.pods, makePod('gpu', { spec: { nodeSelector: { gpu: 'true' } } }) as KubeObject);
    await settle();
    const msg =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const cond = pod(client, 'gpu').status!.conditions!.find((c) => c.type === 'PodScheduled')!;
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: msg });
    expect(events(client)).toEqual([`Warning FailedScheduling gpu: ${msg}`]);
    expect(s.queueStats().unschedulable).toBe(1);
    client.seed(R.nodes, makeNode('gpu-node', { labels: { gpu: 'true' } }) as KubeObject);
    await settle();
    clock.step(1000); // backoff of the first attempt
    await settle();
    expect(pod(client, 'gpu').spec!.nodeName).toBe('gpu-node');
    s.stop();
  });

  it('schedules higher priority first', async () => {
    const { client, s } = await setup([makeNode('n', { cpu: '1' })]);
    s.stop();
    client.seed(R.pods, makePod('low', { cpu: '1', priority: 1 }) as KubeObject);
    client.seed(R.pods, makePod('high', { cpu: '1', priority: 100 }) as KubeObject);
    const clock = new FakeClock();
    const s2 = new Scheduler(client, clock);
    await s2.start();
    await settle();
    expect(pod(client, 'high').spec!.nodeName).toBe('n');
    expect(pod(client, 'low').spec!.nodeName).toBeUndefined();
    s2.stop();
  });

  it('preempts a lower-priority pod, nominates the node, then binds', async () => {
    const { client, clock, s } = await setup([makeNode('n', { cpu: '1' })]);
    client.seed(R.pods, makePod('victim', { cpu: '1', priority: 0, nodeName: 'n' }) as KubeObject);
    await settle();
    client.seed(R.pods, makePod('vip', { cpu: '1', priority: 1000 }) as KubeObject);
    await settle();
    const vip = pod(client, 'vip');
    expect(client.peek(R.pods, 'default', 'victim')).toBeUndefined();
    expect(vip.status?.nominatedNodeName).toBe('n');
    expect(events(client)).toContain(`Normal Preempted victim: Preempted by pod ${vip.metadata!.uid} on node n`);
    expect(events(client)).toContain('Warning FailedScheduling vip: 0/1 nodes are available: 1 Insufficient cpu.');
    clock.step(1000);
    await settle();
    expect(pod(client, 'vip').spec!.nodeName).toBe('n');
    s.stop();
  });

  it('retries an unschedulable pod after 5 minutes without events', async () => {
    const { client, clock, s } = await setup([makeNode('n', { cpu: '1' })]);
    client.seed(R.pods, makePod('big', { cpu: '2' }) as KubeObject);
    await settle();
    // each attempt re-records FailedScheduling: the recorder bumps the event's count
    const attempts = () => client.all(R.events).reduce((n, e) => n + (e.count as number), 0);
    const before = attempts();
    clock.step(60_000);
    await settle();
    expect(attempts()).toBe(before);
    clock.step(240_000);
    await settle();
    expect(attempts()).toBeGreaterThan(before);
    s.stop();
  });

  it("keeps a bound pod's required anti-affinity for later cycles (and forgets it when the pod goes)", async () => {
    const { client, s } = await setup([makeNode('a'), makeNode('b')]);
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    client.seed(R.pods, makePod('guard', { labels: { app: 'db' }, spec: { affinity: anti } }) as KubeObject);
    await settle();
    const guarded = pod(client, 'guard').spec!.nodeName!;
    expect(['a', 'b']).toContain(guarded);
    const other = guarded === 'a' ? 'b' : 'a';
    for (const name of ['web1', 'web2', 'web3']) client.seed(R.pods, makePod(name, { labels: { app: 'web' } }) as KubeObject);
    await settle();
    expect(['web1', 'web2', 'web3'].map((n) => pod(client, n).spec!.nodeName)).toEqual([other, other, other]);
    // a pod that only fits where the guard is: unschedulable with the anti-affinity reason
    client.seed(R.pods, makePod('web4', { labels: { app: 'web' }, spec: { nodeSelector: { 'kubernetes.io/hostname': guarded } } }) as KubeObject);
    await settle();
    expect(pod(client, 'web4').status!.conditions!.find((c) => c.type === 'PodScheduled')!.message).toBe(
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    );
    await client.delete(R.pods, 'default', 'guard');
    await settle();
    client.seed(R.pods, makePod('web5', { labels: { app: 'web' }, spec: { nodeSelector: { 'kubernetes.io/hostname': guarded } } }) as KubeObject);
    await settle();
    expect(pod(client, 'web5').spec!.nodeName).toBe(guarded);
    s.stop();
  });
});
