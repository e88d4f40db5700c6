// Many future wake-ups (one per pod at most) behind a single clock timer: a min-heap of
// (time, key); re-scheduling a key replaces its earlier entry (lazily).

import type { Clock, Timer } from '../clock/clock.js';

export class Wakeups {
  private heap: { at: number; key: string }[] = [];
  private readonly due = new Map<string, number>();
  private timer: Timer | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly fire: (keys: string[]) => void,
  ) {}

  /** wake key at time at (Infinity = never); the latest call wins */
  set(key: string, at: number): void {
    if (!Number.isFinite(at)) {
      this.due.delete(key);
      return;
    }
    if (this.due.get(key) === at) return;
    this.due.set(key, at);
    this.push({ at, key });
    this.arm();
  }

  clear(key: string): void {
    this.due.delete(key);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap = [];
    this.due.clear();
  }

  private arm(): void {
    while (this.heap.length && this.due.get(this.heap[0].key) !== this.heap[0].at) this.pop();
    const next = this.heap[0]?.at ?? Infinity;
    if (next >= this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timerAt = next;
    if (!Number.isFinite(next)) return;
    this.timer = this.clock.setTimeout(() => this.run(), Math.max(0, next - this.clock.now()));
  }

  private run(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    const keys: string[] = [];
    while (this.heap.length && this.heap[0].at <= now) {
      const e = this.pop()!;
      if (this.due.get(e.key) === e.at) {
        this.due.delete(e.key);
        keys.push(e.key);
      }
    }
    if (keys.length) this.fire(keys);
    this.arm();
  }

  private push(e: { at: number; key: string }): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): { at: number; key: string } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}
