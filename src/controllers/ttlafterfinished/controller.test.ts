// After pkg/controller/ttlafterfinished/ttlafterfinished_controller_test.go: a finished job
// expires ttlSecondsAfterFinished after its finishing condition and is deleted in the foreground.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { R } from '../../client/types.js';
import { TTLAfterFinishedController, expireAt } from './controller.js';
import type { JobT } from '../job/util.js';

const T = Date.parse('2026-01-01T10:00:00Z');
const job = (ttl: number | undefined, cond?: string): JobT =>
  ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default', uid: 'j-uid' },
    spec: { ttlSecondsAfterFinished: ttl, template: {} },
    status: cond ? { conditions: [{ type: cond, status: 'True', lastTransitionTime: '2026-01-01T10:00:00Z' }] } : {},
  }) as unknown as JobT;

describe('TTLAfterFinishedController', () => {
  it('expires only finished jobs with a TTL', () => {
    expect(expireAt(job(60, 'Complete'))).toBe(T + 60_000);
    expect(expireAt(job(0, 'Failed'))).toBe(T);
    expect(expireAt(job(60))).toBeUndefined();
    expect(expireAt(job(undefined, 'Complete'))).toBeUndefined();
  });

  it('deletes the job once the TTL has passed', async () => {
    const clock = new FakeClock(T + 30_000);
    const client = new FakeClient([{ res: R.jobs, obj: job(60, 'Complete') }], { clock });
    const ctrl = new TTLAfterFinishedController(client, clock);
    await ctrl.jobInformer.start();
    await ctrl.processJob('default/j');
    expect(client.actions().filter((a) => a.verb === 'delete')).toEqual([]);
    clock.step(30_000);
    await ctrl.processJob('default/j');
    const deletes = client.actions().filter((a) => a.verb === 'delete');
    expect(deletes.map((a) => `${a.resource} ${a.namespace}/${a.name}`)).toEqual(['jobs default/j']);
    ctrl.stop();
  });
});
