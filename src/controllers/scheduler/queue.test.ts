import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './testutil.js';

describe('SchedulingQueue', () => {
  it('pops by priority, then creation time', () => {
    const q = new SchedulingQueue(new FakeClock());
    q.add('a', makePod('a', { priority: 1 }));
    q.add('b', makePod('b', { priority: 5 }));
    q.add('c', makePod('c', { priority: 5 }));
    expect([q.tryPop()?.key, q.tryPop()?.key, q.tryPop()?.key, q.tryPop()]).toEqual(['b', 'c', 'a', undefined]);
  });
  it('backoff doubles from 1 s to at most 10 s', () => {
    const q = new SchedulingQueue(new FakeClock());
    const p = makePod('p');
    q.add('p', p);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      q.tryPop();
      q.failed('p', p, { backoff: true });
      seen.push(q.backoffDuration('p'));
    }
    expect(seen).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });
  it('a backed-off pod becomes active only when its backoff has passed', () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    const p = makePod('p');
    q.add('p', p);
    q.tryPop();
    q.failed('p', p, { backoff: true });
    q.tryPop();
    q.failed('p', p, { backoff: true }); // 2 s
    clock.step(1999);
    q.flush();
    expect(q.tryPop()).toBeUndefined();
    clock.step(1);
    q.flush();
    expect(q.tryPop()?.key).toBe('p');
  });
  it('unschedulable pods wait for a cluster event, or 5 minutes', () => {
    const clock = new FakeClock();
    const q = new SchedulingQueue(clock);
    const p = makePod('p');
    q.add('p', p);
    q.tryPop();
    q.failed('p', p);
    clock.step(299_000);
    q.flush();
    expect(q.stats()).toEqual({ active: 0, backoff: 0, unschedulable: 1 });
    q.moveAllToActiveOrBackoff();
    expect(q.tryPop()?.key).toBe('p');
    q.failed('p', p);
    clock.step(300_000);
    q.flush();
    expect(q.tryPop()?.key).toBe('p');
  });
  it('an event during the pod\'s own cycle sends it to backoff instead of the pool', () => {
    const q = new SchedulingQueue(new FakeClock());
    const p = makePod('p');
    q.add('p', p);
    q.tryPop();
    q.moveAllToActiveOrBackoff();
    q.failed('p', p);
    expect(q.stats()).toEqual({ active: 0, backoff: 1, unschedulable: 0 });
  });
});
