// A work queue with client-go's semantics (k8s.io/client-go/util/workqueue):
// - a key queued twice is processed once (dedup while waiting);
// - a key is never handed to two workers at once: added while processing, it is marked
//   dirty and queued again when done() is called;
// - addAfter uses the Clock; addRateLimited backs off per item exponentially
//   (5 ms doubling, capped at 1000 s: the per-item part of DefaultControllerRateLimiter).

import type { Clock, Timer } from '../clock/clock.js';

export interface WorkQueueOptions {
  /** first per-item delay for addRateLimited (ms); default 5 */
  baseDelayMs?: number;
  /** largest per-item delay (ms); default 1000 s */
  maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Set<Timer>();
  private waiters: ((k: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly clock: Clock,
    opts: WorkQueueOptions = {},
  ) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1000 * 1000;
  }

  add(key: K): void {
    if (this.shuttingDown) return;
    if (this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.push(key);
  }

  private push(key: K): void {
    const w = this.waiters.shift();
    if (w) {
      // hand the key straight to a waiting worker
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
    } else this.queue.push(key);
  }

  /** add the key after ms of clock time (immediately when ms <= 0) */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const t = this.clock.setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    this.timers.add(t);
  }

  /** the delay the next addRateLimited would use (and count it as a failure) */
  private when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const d = this.baseDelayMs * Math.pow(2, n);
    return Math.min(d, this.maxDelayMs);
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.when(key));
  }

  /** stop tracking the item's failures (call after a successful reconcile) */
  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  /** the next key to process; waits for one; undefined once shut down */
  get(): Promise<K | undefined> {
    if (this.queue.length > 0) {
      const key = this.queue.shift() as K;
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** mark the key processed; if it was added meanwhile, queue it again */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** number of keys waiting (not counting those being processed) */
  len(): number {
    return this.queue.length;
  }

  /** keys waiting, in order (for tests) */
  keys(): K[] {
    return [...this.queue];
  }
}

/**
 * Run n workers pulling from the queue until it shuts down. A reconcile error requeues the
 * key rate-limited; success forgets its failures. Resolves when every worker has stopped.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  reconcile: (key: K) => Promise<void>,
  onError?: (key: K, err: unknown) => void,
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await reconcile(key);
        queue.forget(key);
      } catch (err) {
        onError?.(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
      // let timers and I/O run between items: with an in-process client a whole
      // write -> watch -> reconcile cascade could otherwise run in microtasks alone
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
