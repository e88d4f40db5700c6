// One clock for the whole cluster. Every timer in kindling (controllers' delays, kubelet
// stages, lease renewals, node-monitor grace periods) reads and schedules through a Clock,
// so a simulation can run faster than real time (speed > 1) or be stepped by hand in tests.

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** current time in milliseconds since the epoch (simulated time) */
  now(): number;
  /** run fn after ms of clock time */
  setTimeout(fn: () => void, ms: number): Timer;
  /** run fn every ms of clock time */
  setInterval(fn: () => void, ms: number): Timer;
  /** resolve after ms of clock time */
  sleep(ms: number): Promise<void>;
}

/** Real time, optionally scaled: speed 10 makes 10 s of cluster time pass in 1 s. */
export class RealClock implements Clock {
  private readonly startReal = Date.now();
  constructor(private readonly speed = 1) {
    if (!(speed > 0)) throw new Error(`clock speed must be > 0, got ${speed}`);
  }
  now(): number {
    if (this.speed === 1) return Date.now();
    return this.startReal + (Date.now() - this.startReal) * this.speed;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const t = setTimeout(fn, Math.max(0, ms / this.speed));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const t = setInterval(fn, Math.max(1, ms / this.speed));
    t.unref?.();
    return { cancel: () => clearInterval(t) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.speed)));
  }
}

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

/** A clock that only moves when step() is called; for deterministic unit tests. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }
  setInterval(fn: () => void, ms: number): Timer {
    const p: Pending = { at: this.t + Math.max(1, ms), seq: this.seq++, fn, every: Math.max(1, ms), cancelled: false };
    this.pending.push(p);
    return { cancel: () => (p.cancelled = true) };
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
  /** advance time by ms, firing due timers in time order */
  step(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const due = this.pending.filter((p) => p.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.t = due.at;
      if (due.every) due.at += due.every;
      else due.cancelled = true;
      due.fn();
    }
    this.t = target;
  }
  /** timers still waiting */
  pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
