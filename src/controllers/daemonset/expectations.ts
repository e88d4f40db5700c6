// ControllerExpectations (pkg/controller/controller_utils.go): how many creates and deletes a
// controller still waits to see through its informers before it trusts its cache again.
// A record older than 5 minutes counts as satisfied, so a lost watch event cannot wedge it.

import type { Clock } from '../../clock/clock.js';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly records = new Map<string, Record>();
  constructor(private readonly clock: Clock) {}

  get(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }

  /** no record, all observed, or expired */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  set(key: string, add: number, del: number): void {
    this.records.set(key, { add, del, timestamp: this.clock.now() });
  }

  lower(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.add -= add;
    r.del -= del;
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
