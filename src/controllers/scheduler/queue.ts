// The scheduling queue (upstream's PriorityQueue): activeQ ordered by priority then creation
// time; backoffQ for pods that failed recently (1 s doubling to 10 s per attempt); and the
// unschedulable pool, left until a cluster event moves it or 5 minutes pass.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';

export const POD_INITIAL_BACKOFF_MS = 1000;
export const POD_MAX_BACKOFF_MS = 10_000;
export const POD_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;

interface Entry {
  key: string;
  pod: Pod;
  attempts: number;
  /** clock time of the last failed attempt */
  lastFailure: number;
  /** clock time it entered the unschedulable pool */
  unschedulableSince: number;
  /** the scheduling cycle that popped it last */
  cycle: number;
}

const prio = (p: Pod) => p.spec?.priority ?? 0;
const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;

const createdCache = new WeakMap<Pod, number>();
function createdCached(p: Pod): number {
  let c = createdCache.get(p);
  if (c === undefined) createdCache.set(p, (c = created(p)));
  return c;
}

/** PrioritySort's Less: higher priority first, then earlier creation */
export function lessPod(a: Pod, b: Pod): boolean {
  const pa = prio(a);
  const pb = prio(b);
  return pa !== pb ? pa > pb : created(a) < created(b);
}

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly active = new Set<string>();
  private readonly backoff = new Set<string>();
  private readonly unschedulable = new Set<string>();
  private waiters: (() => void)[] = [];
  private closed = false;
  /** counts pops; a move request during a pod's cycle sends it to backoff, not to the pool */
  private schedulingCycle = 0;
  private moveRequestCycle = -1;

  constructor(private readonly clock: Clock) {}

  /** a new pending pod, or one that changed: straight to activeQ unless it is backing off */
  add(key: string, pod: Pod): void {
    const e = this.entries.get(key);
    if (e) {
      e.pod = pod;
      if (this.unschedulable.has(key)) this.activate(key);
      return;
    }
    this.entries.set(key, { key, pod, attempts: 0, lastFailure: 0, unschedulableSince: 0, cycle: 0 });
    this.active.add(key);
    this.wake();
  }

  /** keep the pod object current without moving it */
  update(key: string, pod: Pod): void {
    const e = this.entries.get(key);
    if (e) e.pod = pod;
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  backoffDuration(key: string): number {
    const n = this.entries.get(key)?.attempts ?? 0;
    if (n <= 0) return 0;
    return Math.min(POD_MAX_BACKOFF_MS, POD_INITIAL_BACKOFF_MS * 2 ** (n - 1));
  }

  /** after a failed attempt: wait for an event in the unschedulable pool (or backoff if asked) */
  failed(key: string, pod: Pod, opts: { backoff?: boolean } = {}): void {
    let e = this.entries.get(key);
    if (!e) {
      e = { key, pod, attempts: 0, lastFailure: 0, unschedulableSince: 0, cycle: 0 };
      this.entries.set(key, e);
    }
    e.pod = pod;
    e.attempts++;
    e.lastFailure = this.clock.now();
    this.active.delete(key);
    // a cluster event arrived while this pod was being scheduled: it may fit now
    if (opts.backoff || this.moveRequestCycle >= e.cycle) {
      this.backoff.add(key);
    } else {
      e.unschedulableSince = this.clock.now();
      this.unschedulable.add(key);
    }
  }

  /** a successful bind (or the pod is no longer ours) */
  done(key: string): void {
    this.delete(key);
  }

  private activate(key: string): void {
    this.unschedulable.delete(key);
    const e = this.entries.get(key);
    if (!e) return;
    if (this.clock.now() < e.lastFailure + this.backoffDuration(key)) {
      this.backoff.add(key);
    } else {
      this.backoff.delete(key);
      this.active.add(key);
      this.wake();
    }
  }

  /** a cluster event (node added/changed, pod deleted...): unschedulable pods may fit now */
  moveAllToActiveOrBackoff(): void {
    this.moveRequestCycle = this.schedulingCycle;
    for (const key of [...this.unschedulable]) this.activate(key);
  }

  /** called every second: move backed-off pods whose time has come, and old unschedulable ones */
  flush(): void {
    const now = this.clock.now();
    for (const key of [...this.backoff]) {
      const e = this.entries.get(key)!;
      if (now >= e.lastFailure + this.backoffDuration(key)) {
        this.backoff.delete(key);
        this.active.add(key);
      }
    }
    for (const key of [...this.unschedulable]) {
      const e = this.entries.get(key)!;
      if (now - e.unschedulableSince >= POD_MAX_IN_UNSCHEDULABLE_MS) this.activate(key);
    }
    if (this.active.size > 0) this.wake();
  }

  /** the most important active pod, or undefined when none */
  tryPop(): { key: string; pod: Pod } | undefined {
    let best: Entry | undefined;
    let bp = 0;
    let bc = 0;
    for (const key of this.active) {
      const e = this.entries.get(key)!;
      // sort keys cached per pod object: Date.parse per comparison is too slow for big queues
      const ep = prio(e.pod);
      const ec = createdCached(e.pod);
      if (!best || ep > bp || (ep === bp && ec < bc)) {
        best = e;
        bp = ep;
        bc = ec;
      }
    }
    if (!best) return undefined;
    this.active.delete(best.key);
    best.cycle = ++this.schedulingCycle;
    return { key: best.key, pod: best.pod };
  }

  /** wait for an active pod; undefined once closed */
  async pop(): Promise<{ key: string; pod: Pod } | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const p = this.tryPop();
      if (p) return p;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  stats(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }
}
