import { describe, expect, it } from 'vitest';
import { FakeClock, RealClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in time order when stepped', () => {
    const c = new FakeClock(0);
    const fired: string[] = [];
    c.setTimeout(() => fired.push('b'), 20);
    c.setTimeout(() => fired.push('a'), 10);
    const t = c.setTimeout(() => fired.push('never'), 15);
    t.cancel();
    c.step(5);
    expect(fired).toEqual([]);
    c.step(20);
    expect(fired).toEqual(['a', 'b']);
    expect(c.now()).toBe(25);
  });
  it('repeats intervals', () => {
    const c = new FakeClock(0);
    let n = 0;
    c.setInterval(() => n++, 10);
    c.step(35);
    expect(n).toBe(3);
  });
});

describe('RealClock', () => {
  it('runs faster than real time when sped up', async () => {
    const c = new RealClock(100);
    const t0 = c.now();
    await c.sleep(1000); // 10 ms of real time
    expect(c.now() - t0).toBeGreaterThanOrEqual(900);
  });
});
