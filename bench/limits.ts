// The DaemonSet rollout under upstream's client-side limits: the DaemonSet controller's client
// at kube-controller-manager's 20 QPS / burst 30, the scheduler's at kube-scheduler's 50 / 100
// (src/client/ratelimit.ts). The cluster is assembled here (API server, DaemonSet controller,
// scheduler, simulated nodes; no kube-system DaemonSets) on a sped-up RealClock, so the token
// buckets' waits pass faster; figures are reported in cluster (clock) time, which is what a real
// cluster with those limits would take as long as the limits, not the CPU, are the bottleneck.
//   node --import tsx bench/limits.ts [nodes, default 5000] [clock speed, default 20]

import { RealClock } from '../src/clock/clock.js';
import { MemoryStore } from '../src/store/memory.js';
import { startApiServer } from '../src/apiserver/server.js';
import { applyBootstrap, bootstrapObjects } from '../src/cluster/bootstrap.js';
import { nodeFromPlan } from '../src/cluster/nodes.js';
import { DaemonSetController } from '../src/controllers/daemonset/index.js';
import { Scheduler } from '../src/controllers/scheduler/scheduler.js';
import { NodeSimulator } from '../src/nodes/simulator.js';
import { CONTROLLER_MANAGER_LIMITS, SCHEDULER_LIMITS, TokenBucket, rateLimitedClient } from '../src/client/ratelimit.js';
import { R } from '../src/client/types.js';
import { daemonSetRollouts } from './cluster.js';
import { fmtInt, fmtMs, isMain, until, type Row } from './lib.js';

export async function limitedRollout(nodes: number, speed: number, log: (s: string) => void = () => {}): Promise<Row[]> {
  const clock = new RealClock(speed);
  const store = new MemoryStore();
  const server = await startApiServer({ store, clock, port: 0, host: '127.0.0.1', kubernetesVersion: 'v1.32.4' });
  const client = server.client;
  await applyBootstrap(
    client,
    bootstrapObjects({ kubernetesVersion: 'v1.32.4', podSubnet: '10.244.0.0/16', controlPlaneIP: '172.18.0.2', controlPlaneEndpoint: 'https://kind-control-plane:6443' }).filter((o) => o.kind !== 'DaemonSet'),
  );
  const dsBucket = new TokenBucket(CONTROLLER_MANAGER_LIMITS.qps, CONTROLLER_MANAGER_LIMITS.burst, clock);
  const schedBucket = new TokenBucket(SCHEDULER_LIMITS.qps, SCHEDULER_LIMITS.burst, clock);
  const ds = new DaemonSetController(rateLimitedClient(client, dsBucket), clock);
  const sched = new Scheduler(rateLimitedClient(client, schedBucket), clock);
  const sim = new NodeSimulator(client, clock);
  await Promise.all([ds.start(), sched.start(), sim.start()]);
  const now = new Date(clock.now()).toISOString();
  let next = 1;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      for (let i = next++; i <= nodes; i = next++) {
        await sim.addNode(nodeFromPlan('kind', { name: `kind-worker${i === 1 ? '' : i}`, role: 'worker', index: i, labels: {}, taints: [], kubernetesVersion: 'v1.32.4' }, now));
      }
    }),
  );
  await until('nodes registered', async () => (await client.list(R.nodes, undefined)).items.length === nodes, 120_000, 50);
  log(`  ${nodes} nodes registered; DaemonSet controller at ${dsBucket.qps} QPS / burst ${dsBucket.burst}, scheduler at ${schedBucket.qps} / ${schedBucket.burst}, clock x${speed}`);
  const t0 = performance.now();
  const rows = await daemonSetRollouts(client, nodes, `upstream limits (${dsBucket.qps}/${dsBucket.burst} QPS, cluster time): `, 120_000, () => clock.now());
  const real = performance.now() - t0;
  rows.push({
    name: `upstream limits: requests (throttled) by the DaemonSet controller / scheduler`,
    value: `${fmtInt(dsBucket.stats.requests)} (${fmtInt(dsBucket.stats.throttled)}) / ${fmtInt(schedBucket.stats.requests)} (${fmtInt(schedBucket.stats.throttled)})`,
  });
  rows.push({ name: `upstream limits: real time of those three phases at clock x${speed}`, value: fmtMs(real) });
  for (const r of rows) if (r.goal) r.verdict = `${r.verdict} (goal is for kindling's own limits)`;
  await sim.stop();
  ds.stop();
  sched.stop();
  dsBucket.stop();
  schedBucket.stop();
  await server.close();
  await store.close();
  return rows;
}

if (isMain(import.meta.url)) {
  const rows = await limitedRollout(Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 20), console.log);
  for (const r of rows) console.log(`${r.name}: ${r.value}`);
  process.exit(0);
}
