import { describe, expect, it } from 'vitest';
import type { Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { ProbeWorker, type InContainer, type ProbeKind, type ProbeResult } from './probes.js';

const target: InContainer = { pid: 1, uid: 0, gid: 0, env: {}, podIP: '10.244.0.2', container: { name: 'app' } };
const flush = () => new Promise((r) => setImmediate(r));

/** a worker over scripted results; returns what it reported, with the clock time in seconds */
function worker(kind: ProbeKind, probe: Probe, results: ProbeResult[], enabled = () => true) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const runs: number[] = [];
  const reports: string[] = [];
  let i = 0;
  const w = new ProbeWorker(kind, probe, clock, t0, () => target, enabled, (r) => reports.push(`${(clock.now() - t0) / 1000}s ${r.result}${r.set ? ' set' : ''}`), async () => {
    runs.push((clock.now() - t0) / 1000);
    return { result: results[i++] ?? 'success', output: '' };
  });
  w.start();
  const advance = async (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      await flush();
      clock.step(1000);
    }
    await flush();
  };
  return { w, runs, reports, advance };
}

describe('ProbeWorker (kubelet prober worker semantics)', () => {
  it('probes every periodSeconds from the start, skipping until initialDelaySeconds', async () => {
    const x = worker('readiness', { periodSeconds: 2, initialDelaySeconds: 3 }, []);
    await x.advance(9);
    expect(x.runs).toEqual([4, 6, 8]);
  });

  it('readiness: failureThreshold consecutive failures set Failure, successThreshold consecutive successes set Success', async () => {
    const x = worker('readiness', { periodSeconds: 1, failureThreshold: 2, successThreshold: 2 }, ['failure', 'failure', 'success', 'failure', 'success', 'success']);
    await x.advance(5);
    expect(x.reports).toEqual(['0s failure', '1s failure set', '2s success', '3s failure', '4s success', '5s success set']);
  });

  it('liveness: a failure that reaches the threshold is set once, then the worker holds', async () => {
    const x = worker('liveness', { periodSeconds: 1 }, ['failure', 'failure', 'failure', 'failure']);
    await x.advance(6);
    // default failureThreshold 3
    expect(x.reports).toEqual(['0s failure', '1s failure', '2s failure set']);
    expect(x.w.onHold).toBe(true);
  });

  it('does not probe while disabled (readiness and liveness wait for the startup probe)', async () => {
    let started = false;
    const x = worker('liveness', { periodSeconds: 1 }, [], () => started);
    await x.advance(3);
    expect(x.runs).toEqual([]);
    started = true;
    await x.advance(2);
    expect(x.runs).toEqual([4, 5]);
  });
});
