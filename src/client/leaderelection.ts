// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics
// (k8s.io/client-go/tools/leaderelection):
//   - a candidate tries to acquire every retryPeriod (jittered by JitterFactor 1.2) until it can;
//     the lease can be taken once holderIdentity is empty or the record has not changed for
//     leaseDuration (measured on this process's clock since it last saw the record change);
//   - the leader renews every retryPeriod; a renewal round that does not succeed within
//     renewDeadline ends leadership at once (onStoppedLeading), even if a request is still in flight;
//   - acquireTime and leaseTransitions carry over while the same holder renews; a new holder
//     sets acquireTime and increments leaseTransitions;
//   - releaseOnCancel: stop() as leader empties holderIdentity so another can take over at once.
// Every timer goes through the Clock.

import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import type { Clock, Timer } from '../clock/clock.js';
import { R, type ApiClient, type KubeObject } from './types.js';

export const LEASE_DURATION_MS = 15_000;
export const RENEW_DEADLINE_MS = 10_000;
export const RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor for the acquire loop */
export const JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  /** this process became the leader: start working */
  onStartedLeading(): void | Promise<void>;
  /** this process is no longer the leader: stop working now */
  onStoppedLeading(): void | Promise<void>;
  /** the observed leader changed (also called for this process) */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: ApiClient;
  clock: Clock;
  /** the Lease: kube-system/<name> by default */
  namespace?: string;
  name: string;
  /** this candidate's identity (client-go: hostname + "_" + a UUID) */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  /** for the acquire loop's jitter; Math.random by default */
  random?: () => number;
  log?: (msg: string) => void;
}

/** RFC 3339 with microseconds, as metav1.MicroTime marshals */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

type LeaseObject = Lease & KubeObject;

function code(e: unknown): number | undefined {
  return (e as { code?: number }).code;
}

export class LeaderElector {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly random: () => number;
  private readonly log: (msg: string) => void;

  private observedRaw = '';
  private observedRecord: LeaseSpec = {};
  private observedTime = 0;
  private reportedLeader = '';

  private state: 'idle' | 'acquiring' | 'leading' | 'done' = 'idle';
  private timer?: Timer;
  private deadline?: Timer;
  /** bumped whenever a pending attempt's result must be ignored */
  private generation = 0;
  private stopping?: Promise<void>;
  private startedLeading?: Promise<void>;

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.namespace = cfg.namespace ?? 'kube-system';
    this.name = cfg.name;
    this.identity = cfg.identity;
    this.leaseDurationMs = cfg.leaseDurationMs ?? LEASE_DURATION_MS;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? RENEW_DEADLINE_MS;
    this.retryPeriodMs = cfg.retryPeriodMs ?? RETRY_PERIOD_MS;
    this.random = cfg.random ?? Math.random;
    this.log = cfg.log ?? (() => {});
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
  }

  /** start campaigning (returns at once) */
  run(): void {
    if (this.state !== 'idle') return;
    this.state = 'acquiring';
    void this.acquireAttempt();
  }

  isLeader(): boolean {
    return this.state === 'leading';
  }

  /** the holder this process last observed ('' when none) */
  getLeader(): string {
    return this.observedRecord.holderIdentity ?? '';
  }

  /** stop campaigning or leading; a leader calls onStoppedLeading (and releases the lease with releaseOnCancel) */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const wasLeading = this.state === 'leading';
    this.halt();
    this.stopping = (async () => {
      if (wasLeading) {
        await this.startedLeading?.catch(() => {});
        if (this.cfg.releaseOnCancel) await this.release().catch((e) => this.log(`leaderelection: release failed: ${e}`));
        await this.cfg.callbacks.onStoppedLeading();
      }
    })();
    return this.stopping;
  }

  private halt(): void {
    this.state = 'done';
    this.generation++;
    this.timer?.cancel();
    this.deadline?.cancel();
  }

  // ---- acquire

  private async acquireAttempt(): Promise<void> {
    const gen = this.generation;
    const ok = await this.tryAcquireOrRenew().catch((e) => {
      this.log(`leaderelection: error retrieving resource lock ${this.namespace}/${this.name}: ${(e as Error).message}`);
      return false;
    });
    if (gen !== this.generation || this.state !== 'acquiring') return;
    if (ok) {
      this.log(`leaderelection: successfully acquired lease ${this.namespace}/${this.name}`);
      this.state = 'leading';
      this.startedLeading = Promise.resolve()
        .then(() => this.cfg.callbacks.onStartedLeading())
        .catch((e) => this.log(`leaderelection: onStartedLeading failed: ${(e as Error).stack ?? e}`));
      this.renewRound();
      return;
    }
    // wait.JitterUntil(retryPeriod, 1.2, sliding): period + rand * 1.2 * period after the attempt
    const wait = this.retryPeriodMs + this.random() * JITTER_FACTOR * this.retryPeriodMs;
    this.timer = this.cfg.clock.setTimeout(() => void this.acquireAttempt(), wait);
  }

  // ---- renew

  /** one round of wait.PollImmediateUntil(retryPeriod, tryAcquireOrRenew, renewDeadline) */
  private renewRound(): void {
    if (this.state !== 'leading') return;
    this.deadline?.cancel();
    this.deadline = this.cfg.clock.setTimeout(() => this.lose('failed to renew lease within the renew deadline'), this.renewDeadlineMs);
    void this.renewAttempt();
  }

  private async renewAttempt(): Promise<void> {
    const gen = this.generation;
    const ok = await this.tryAcquireOrRenew().catch((e) => {
      this.log(`leaderelection: error renewing lease ${this.namespace}/${this.name}: ${(e as Error).message}`);
      return false;
    });
    if (gen !== this.generation || this.state !== 'leading') return;
    if (ok) {
      this.deadline?.cancel();
      this.deadline = undefined;
      // wait.Until(round, retryPeriod): the next round a retry period after this one ended
      this.timer = this.cfg.clock.setTimeout(() => this.renewRound(), this.retryPeriodMs);
      return;
    }
    this.timer = this.cfg.clock.setTimeout(() => void this.renewAttempt(), this.retryPeriodMs);
  }

  private lose(why: string): void {
    if (this.state !== 'leading') return;
    this.log(`leaderelection: ${why}; leaderelection lost for ${this.namespace}/${this.name}`);
    this.halt();
    this.stopping = (async () => {
      await this.startedLeading?.catch(() => {});
      await this.cfg.callbacks.onStoppedLeading();
    })();
  }

  // ---- the lock

  private leaseValid(now: number): boolean {
    const seconds = this.observedRecord.leaseDurationSeconds ?? 0;
    return this.observedTime + seconds * 1000 > now;
  }

  private observe(spec: LeaseSpec, now: number): void {
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) {
      this.observedRaw = raw;
      this.observedRecord = spec;
      this.observedTime = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder) this.cfg.callbacks.onNewLeader?.(holder);
    }
  }

  /** client-go's tryAcquireOrRenew: true when this process holds the lease after the call */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, clock } = this.cfg;
    const now = clock.now();
    const record: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };

    let existing: LeaseObject;
    try {
      existing = await client.get<LeaseObject>(R.leases, this.namespace, this.name);
    } catch (e) {
      if (code(e) !== 404) throw e;
      try {
        const created = await client.create<LeaseObject>(R.leases, this.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.name, namespace: this.namespace },
          spec: record,
        } as LeaseObject);
        this.observe(created.spec ?? record, clock.now());
        return true;
      } catch (ce) {
        if (code(ce) === 409) return false;
        throw ce;
      }
    }

    const old = existing.spec ?? {};
    this.observe(old, clock.now());
    const iAmHolder = (this.observedRecord.holderIdentity ?? '') === this.identity;
    if ((old.holderIdentity ?? '') !== '' && this.leaseValid(now) && !iAmHolder) return false;

    if (iAmHolder) {
      record.acquireTime = old.acquireTime;
      record.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      record.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    try {
      const updated = await client.update<LeaseObject>(R.leases, this.namespace, { ...existing, spec: record });
      this.observe(updated.spec ?? record, clock.now());
      return true;
    } catch (e) {
      if (code(e) === 409) return false;
      throw e;
    }
  }

  /** client-go's release: empty holder, lease of 1 s, so the next candidate need not wait */
  private async release(): Promise<void> {
    const { client, clock } = this.cfg;
    const existing = await client.get<LeaseObject>(R.leases, this.namespace, this.name);
    if ((existing.spec?.holderIdentity ?? '') !== this.identity) return;
    const now = microTime(clock.now());
    await client.update<LeaseObject>(R.leases, this.namespace, {
      ...existing,
      spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: existing.spec?.leaseTransitions ?? 0 },
    });
  }
}

export interface Campaign {
  /** true while this process leads */
  isLeader(): boolean;
  /** stop campaigning; a leader stops leading (onStoppedLeading) and releases the lease when configured */
  stop(): Promise<void>;
}

/**
 * campaign for as long as the process runs: after losing the lease (onStoppedLeading has
 * finished), campaign again. kube-controller-manager exits instead; a kindling process keeps
 * serving its API and may lead again later.
 */
export function campaign(cfg: LeaderElectionConfig): Campaign {
  let stopped = false;
  let current: LeaderElector;
  const start = () => {
    current = new LeaderElector({
      ...cfg,
      callbacks: {
        ...cfg.callbacks,
        onStoppedLeading: async () => {
          await cfg.callbacks.onStoppedLeading();
          if (!stopped) start();
        },
      },
    });
    current.run();
  };
  start();
  return {
    isLeader: () => current.isLeader(),
    async stop() {
      stopped = true;
      await current.stop();
    },
  };
}
