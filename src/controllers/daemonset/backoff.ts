// client-go's flowcontrol.Backoff as the DaemonSet controller uses it for failed pods:
// per key, the delay starts at 1 s and doubles to 15 min; an entry untouched for 2×max is
// forgotten (gc()).

import type { Clock } from '../../clock/clock.js';

interface Entry {
  backoff: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  constructor(
    readonly clock: Clock,
    private readonly initialMs = 1000,
    private readonly maxMs = 15 * 60 * 1000,
  ) {}

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }

  /** the current delay of the key (0 if unknown) */
  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** start or double the key's delay, from now */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
    else {
      e.backoff = Math.min(e.backoff * 2, this.maxMs);
      e.lastUpdate = now;
    }
  }

  /** true while less than the current delay has passed since the last next() */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** forget entries not updated for 2×max */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }

  size(): number {
    return this.entries.size;
  }
}
