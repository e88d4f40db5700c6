// A kindling process for the etcd HA test: one cluster runtime (API server, and controllers and
// simulated nodes while it leads) on a shared etcd. Run with `node --import tsx`; the
// configuration comes as JSON in argv[2]. Prints one JSON line {"url": ...} once serving;
// SIGTERM stops it cleanly. Every process of a test uses the same clock epoch, so their sped-up
// clocks agree.

import type { Clock, Timer } from '../../src/clock/clock.js';
import { parseKindConfig } from '../../src/cluster/config.js';
import { planNodes } from '../../src/cluster/nodes.js';
import { startClusterRuntime } from '../../src/cluster/runtime.js';

interface ChildConfig {
  storeUrl: string;
  identity: string;
  workers: number;
  /** real ms since the epoch at which cluster time started, shared by all processes */
  epoch: number;
  speed: number;
}

/** cluster time = epoch + (real time - epoch) * speed, the same in every process */
class SharedClock implements Clock {
  constructor(
    private readonly epoch: number,
    private readonly speed: number,
  ) {}
  now(): number {
    return this.epoch + (Date.now() - this.epoch) * this.speed;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, Math.max(0, ms) / this.speed);
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const t = setInterval(fn, Math.max(1, ms / this.speed));
    return { cancel: () => clearInterval(t) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, Math.max(0, ms) / this.speed));
  }
}

const cfg = JSON.parse(process.argv[2]!) as ChildConfig;
const spec = parseKindConfig(undefined, { name: 'ha', workers: cfg.workers }).spec;
const log = (m: string) => process.stderr.write(`[${cfg.identity}] ${m}\n`);
const rt = await startClusterRuntime({
  cluster: spec.name,
  nodes: planNodes(spec),
  kubernetesVersion: spec.kubernetesVersion,
  podSubnet: spec.podSubnet,
  storeUrl: cfg.storeUrl,
  clock: new SharedClock(cfg.epoch, cfg.speed),
  host: '127.0.0.1',
  port: 0,
  leaderElection: { identity: cfg.identity },
  log,
});
process.stdout.write(`${JSON.stringify({ url: rt.url })}\n`);
// the test's worker went away (its end of stdin closed): do not outlive it
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.once('SIGTERM', () => {
  void rt.stop().finally(() => process.exit(0));
});
