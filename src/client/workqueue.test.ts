import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { WorkQueue, runWorkers } from './workqueue.js';

describe('WorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const q = new WorkQueue(new FakeClock());
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.len()).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('never hands a key being processed to another worker; re-adds it on done', async () => {
    const q = new WorkQueue(new FakeClock());
    q.add('a');
    const k = await q.get();
    expect(k).toBe('a');
    q.add('a'); // dirty while processing
    expect(q.len()).toBe(0);
    q.add('a');
    expect(q.len()).toBe(0);
    q.done('a');
    expect(q.len()).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('a waiting get() receives the next key', async () => {
    const q = new WorkQueue(new FakeClock());
    const p = q.get();
    q.add('x');
    expect(await p).toBe('x');
  });

  it('addAfter waits for clock time', () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    q.addAfter('a', 1000);
    clock.step(999);
    expect(q.len()).toBe(0);
    clock.step(1);
    expect(q.len()).toBe(1);
  });

  it('addRateLimited backs off 5ms doubling per item, capped at 1000s; forget resets', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      q.addRateLimited('a');
      let waited = 0;
      while (q.len() === 0) {
        clock.step(1);
        waited++;
        if (waited > 1_000_001) throw new Error('never added');
      }
      delays.push(waited);
      // drain
      q.done((await q.get())!);
    }
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays[18]).toBe(1_000_000); // 5*2^18 = 1,310,720 ms > cap
    expect(q.numRequeues('a')).toBe(20);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
  });

  it('get resolves undefined after shutdown and pending waiters are released', async () => {
    const q = new WorkQueue(new FakeClock());
    const p = q.get();
    q.shutdown();
    expect(await p).toBeUndefined();
    expect(await q.get()).toBeUndefined();
    q.add('a');
    expect(q.len()).toBe(0);
  });

  it('runWorkers requeues rate-limited on error and forgets on success', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue(clock);
    let calls = 0;
    const seen: string[] = [];
    const done = runWorkers(q, 2, async (k) => {
      calls++;
      seen.push(k);
      if (calls === 1) throw new Error('boom');
    });
    q.add('a');
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(1);
    expect(q.numRequeues('a')).toBe(1);
    clock.step(5);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    expect(q.numRequeues('a')).toBe(0);
    q.shutdown();
    await done;
    expect(seen).toEqual(['a', 'a']);
  });

  it('runWorkers never runs the same key concurrently', async () => {
    const q = new WorkQueue(new FakeClock());
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const done = runWorkers(q, 4, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      if (runs === 1) q.add('k'); // re-added while processing
      await new Promise((r) => setTimeout(r, 5));
      active--;
    });
    q.add('k');
    await new Promise((r) => setTimeout(r, 40));
    q.shutdown();
    await done;
    expect(maxActive).toBe(1);
    expect(runs).toBe(2);
  });
});
