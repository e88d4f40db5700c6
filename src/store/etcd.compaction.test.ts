// Automatic compaction of the etcd store (kube-apiserver's --etcd-compaction-interval) on a real
// etcd member, seen through the registry: history older than one interval answers 410.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdStore } from './etcd.js';
import { FakeClock } from '../clock/clock.js';
import { Registry } from '../apiserver/registry.js';
import { R, type KubeObject } from '../client/types.js';
import { ApiError } from '../api/errors.js';
import { startEtcd, type EtcdCluster } from '../../test/helpers/etcd.js';

const INTERVAL = 5 * 60_000;

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('etcd automatic compaction', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd(1);
  }, 60_000);
  afterAll(async () => {
    await etcd?.stop();
  }, 30_000);

  it('compacts to the revision seen one interval ago: older resource versions are 410 through the registry', async () => {
    const store = await EtcdStore.open(etcd.storeUrl());
    const clock = new FakeClock();
    const reg = new Registry(store, clock);
    const compactor = store.startCompactor(clock, INTERVAL);
    try {
      await reg.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KubeObject);
      const cm = await reg.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: '1' } } as KubeObject);
      const rv1 = cm.metadata!.resourceVersion!;
      await reg.update(R.configmaps, 'default', { ...cm, data: { v: '2' } } as KubeObject);

      // first interval: nothing is compacted yet (upstream does not compact on bootstrap)
      clock.step(INTERVAL);
      await compactor.settled();
      expect(await store.compactedRevision()).toBe(0);
      const old = await reg.list(R.configmaps, 'default', { resourceVersion: rv1, resourceVersionMatch: 'Exact' });
      expect(old.items.map((i) => (i as { data?: Record<string, string> }).data?.v)).toEqual(['1']);

      const newer = await reg.update(R.configmaps, 'default', { ...(await reg.get(R.configmaps, 'default', 'c')), data: { v: '3' } } as KubeObject);
      const rv3 = newer.metadata!.resourceVersion!;

      // second interval: compacted to the revision the first round saw, which is after rv1 and before rv3
      clock.step(INTERVAL);
      await compactor.settled();
      const compacted = await store.compactedRevision();
      expect(compacted).toBeGreaterThan(Number(rv1));
      expect(compacted).toBeLessThan(Number(rv3));

      const listErr = await rejection(reg.list(R.configmaps, 'default', { resourceVersion: rv1, resourceVersionMatch: 'Exact' }));
      expect(listErr).toBeInstanceOf(ApiError);
      expect([listErr.code, listErr.reason, listErr.message]).toEqual([410, 'Expired', `too old resource version: ${rv1} (${compacted})`]);

      const watchErr = await new Promise<Error | undefined>((resolve) => {
        reg.watch(R.configmaps, 'default', { resourceVersion: rv1 }, () => {}, resolve);
      });
      expect(watchErr).toBeInstanceOf(ApiError);
      expect([(watchErr as ApiError).code, watchErr!.message]).toEqual([410, `too old resource version: ${rv1} (${compacted})`]);

      // history after the compacted revision is still there
      const kept = await reg.list(R.configmaps, 'default', { resourceVersion: rv3, resourceVersionMatch: 'Exact' });
      expect(kept.items.map((i) => (i as { data?: Record<string, string> }).data?.v)).toEqual(['3']);
    } finally {
      compactor.stop();
      await reg.close();
      await store.close();
    }
  }, 60_000);

  it('two processes sharing the etcd: one compaction per interval, the other follows', async () => {
    const a = await EtcdStore.open(etcd.storeUrl());
    const b = await EtcdStore.open(etcd.storeUrl());
    const clock = new FakeClock();
    const logs: string[] = [];
    const ca = a.startCompactor(clock, INTERVAL, (m) => logs.push(`a ${m}`));
    const cb = b.startCompactor(clock, INTERVAL, (m) => logs.push(`b ${m}`));
    try {
      for (let i = 0; i < 3; i++) {
        await a.create(`/registry/test/k${i}`, 'v');
        clock.step(INTERVAL);
        await Promise.all([ca.settled(), cb.settled()]);
      }
      const rounds = logs.filter((l) => / etcd compacted to revision /.test(l));
      expect(logs.filter((l) => /failed/.test(l))).toEqual([]);
      // three intervals: the first compacts nothing, each later one compacts once, in one process
      expect(rounds).toHaveLength(2);
      expect(await b.compactedRevision()).toBe(Number(rounds[1]!.split(' ').pop()));
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
