// Client-side rate limiting as client-go does it (flowcontrol.NewTokenBucketRateLimiter): a
// bucket of `burst` tokens, refilled at `qps` per second; every request takes one token and
// waits (in arrival order) when the bucket is empty. kube-controller-manager gives each
// controller's client --kube-api-qps=20 and --kube-api-burst=30; kube-scheduler 50/100.
// Time comes from the Clock, so a sped-up RealClock or a FakeClock drives the waits.

import type { Clock } from '../clock/clock.js';
import type { ApiClient, ClientWatch } from './types.js';

/** kube-controller-manager's defaults (--kube-api-qps, --kube-api-burst) */
export const CONTROLLER_MANAGER_LIMITS = { qps: 20, burst: 30 } as const;
/** kube-scheduler's defaults (clientConnection.qps, clientConnection.burst) */
export const SCHEDULER_LIMITS = { qps: 50, burst: 100 } as const;

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: (() => void)[] = [];
  private timer: { cancel(): void } | undefined;
  /** requests that had to wait, and the total time they waited (clock ms) */
  readonly stats = { requests: 0, throttled: 0, waitedMs: 0 };

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(qps > 0)) throw new Error(`qps must be > 0, got ${qps}`);
    if (!(burst >= 1)) throw new Error(`burst must be >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
      this.last = now;
    }
  }

  /** take a token now if one is free (and nobody is waiting) */
  tryAccept(): boolean {
    this.refill(this.clock.now());
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.stats.requests++;
      return true;
    }
    return false;
  }

  /** resolves when the request may go */
  wait(): Promise<void> {
    if (this.tryAccept()) return Promise.resolve();
    const start = this.clock.now();
    this.stats.throttled++;
    return new Promise<void>((resolve) => {
      this.queue.push(() => {
        this.stats.requests++;
        this.stats.waitedMs += this.clock.now() - start;
        resolve();
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.refill(this.clock.now());
    const ms = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.qps);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.refill(this.clock.now());
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()!();
      }
      this.schedule();
    }, ms);
  }

  /** drop waiting requests' timer (they never resolve); for shutdown */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}

/**
 * An ApiClient whose every request (reads, writes and the start of a watch, as in client-go)
 * first takes a token from the bucket.
 */
export function rateLimitedClient(inner: ApiClient, limiter: TokenBucket): ApiClient {
  return {
    get: (res, ns, name, sub) => limiter.wait().then(() => inner.get(res, ns, name, sub)),
    list: (res, ns, opts) => limiter.wait().then(() => inner.list(res, ns, opts)),
    create: (res, ns, obj, opts, sub) => limiter.wait().then(() => inner.create(res, ns, obj, opts, sub)),
    update: (res, ns, obj, opts, sub) => limiter.wait().then(() => inner.update(res, ns, obj, opts, sub)),
    patch: (res, ns, name, type, patch, opts, sub) => limiter.wait().then(() => inner.patch(res, ns, name, type, patch, opts, sub)),
    delete: (res, ns, name, opts) => limiter.wait().then(() => inner.delete(res, ns, name, opts)),
    deleteCollection: (res, ns, opts) => limiter.wait().then(() => inner.deleteCollection(res, ns, opts)),
    watch(res, ns, opts, onEvent, onClose): ClientWatch {
      let stopped = false;
      let w: ClientWatch | undefined;
      if (limiter.tryAccept()) w = inner.watch(res, ns, opts, onEvent, onClose);
      else
        void limiter.wait().then(() => {
          if (!stopped) w = inner.watch(res, ns, opts, onEvent, onClose);
        });
      return {
        stop() {
          stopped = true;
          w?.stop();
        },
      };
    },
  };
}
