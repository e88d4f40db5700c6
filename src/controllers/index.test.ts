import { describe, it, expect } from 'vitest';
import { FakeClock } from '../clock/clock.js';
import { FakeClient } from '../client/fake.js';
import { R, type KubeObject } from '../client/types.js';
import { newDaemonSet, newNode } from './daemonset/testutil.js';
import { startControllers } from './index.js';

const settle = async () => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};
const podCreates = (c: FakeClient) => c.actions().filter((a) => a.verb === 'create' && a.resource === 'pods').length;

describe('startControllers', () => {
  it('with controllerQps, each controller waits for tokens of its own bucket (burst 30, then qps per second of cluster time)', async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    for (let i = 0; i < 60; i++) await client.create(R.nodes, undefined, newNode(`node-${i}`) as KubeObject);
    await client.create(R.daemonsets, 'default', newDaemonSet('foo') as KubeObject);
    const set = await startControllers(client, clock, {}, undefined, { controllerQps: 5 });
    try {
      await settle();
      // 30 tokens: the revision, the pod creates and their events share them
      const atStart = podCreates(client);
      expect(atStart).toBeGreaterThan(0);
      expect(atStart).toBeLessThan(30);
      for (let s = 0; s < 60 && podCreates(client) < 60; s++) {
        clock.step(1000);
        await settle();
      }
      expect(podCreates(client)).toBe(60);
    } finally {
      await set.stop();
    }
  });

  it('without limits, the DaemonSet controller creates every pod at once', async () => {
    const client = new FakeClient();
    const clock = new FakeClock();
    for (let i = 0; i < 60; i++) await client.create(R.nodes, undefined, newNode(`node-${i}`) as KubeObject);
    await client.create(R.daemonsets, 'default', newDaemonSet('foo') as KubeObject);
    const set = await startControllers(client, clock);
    try {
      await settle();
      expect(podCreates(client)).toBe(60);
    } finally {
      await set.stop();
    }
  });
});
