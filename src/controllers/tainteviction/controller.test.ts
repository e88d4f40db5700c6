import { describe, it, expect, afterEach } from 'vitest';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../clock/clock.js';
import { FakeRecorder } from '../../client/events.js';
import { R, type KubeObject } from '../../client/types.js';
import { TaintEvictionController, matchingTolerations, minTolerationMs, toleratesTaint } from './controller.js';
import { PolicyFakeClient, settle } from '../garbagecollector/testing.js';

const NOT_READY: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
const UNREACHABLE: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

const node = (name: string, taints: Taint[] = []): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { taints } });
const pod = (name: string, nodeName: string, tolerations: Toleration[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { nodeName, tolerations },
  status: { phase: 'Running' },
});

let ctrl: TaintEvictionController | undefined;
afterEach(() => ctrl?.stop());

async function setup(nodes: KubeObject[], pods: KubeObject[]) {
  const clock = new FakeClock();
  const client = new PolicyFakeClient([], { clock });
  for (const n of nodes) client.seed(R.nodes, n);
  for (const p of pods) client.seed(R.pods, p);
  const recorder = new FakeRecorder();
  ctrl = new TaintEvictionController(client, clock, { recorder });
  await ctrl.start();
  await settle();
  await ctrl.flush();
  return { clock, client, recorder };
}

async function advance(clock: FakeClock, ms: number) {
  clock.step(ms);
  await settle();
  await ctrl!.flush();
}

const alive = (c: PolicyFakeClient, name: string) => c.peek(R.pods, 'default', name) !== undefined;

describe('TaintEvictionController', () => {
  it('evicts at once a pod that does not tolerate a NoExecute taint: event, DisruptionTarget, delete', async () => {
    const { client, recorder } = await setup([node('n1', [NOT_READY])], [pod('p', 'n1'), pod('q', 'n2')]);
    expect(alive(client, 'p')).toBe(false);
    expect(alive(client, 'q')).toBe(true);
    expect(recorder.events).toEqual(['Normal TaintManagerEviction Marking for deletion Pod default/p']);
    const status = client.actions().find((a) => a.verb === 'patch' && a.subresource === 'status');
    expect(status?.object).toMatchObject({
      status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }] },
    });
    expect(client.deletes.map((d) => d.name)).toEqual(['p']);
  });

  it('waits tolerationSeconds before evicting', async () => {
    const tol: Toleration = { key: NOT_READY.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 };
    const { clock, client } = await setup([node('n1', [NOT_READY])], [pod('p', 'n1', [tol])]);
    await advance(clock, 59_000);
    expect(alive(client, 'p')).toBe(true);
    await advance(clock, 1_000);
    expect(alive(client, 'p')).toBe(false);
  });

  it('never evicts a pod that tolerates the taint without tolerationSeconds', async () => {
    const tol: Toleration = { key: NOT_READY.key, operator: 'Exists', effect: 'NoExecute' };
    const { clock, client } = await setup([node('n1', [NOT_READY])], [pod('p', 'n1', [tol])]);
    await advance(clock, 3_600_000);
    expect(alive(client, 'p')).toBe(true);
  });

  it('cancels the eviction when the taint goes away, with an event', async () => {
    const tol: Toleration = { key: UNREACHABLE.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
    const { clock, client, recorder } = await setup([node('n1', [UNREACHABLE])], [pod('p', 'n1', [tol])]);
    await advance(clock, 100_000);
    await client.patch(R.nodes, undefined, 'n1', 'merge', { spec: { taints: null } });
    await advance(clock, 1_000_000);
    expect(alive(client, 'p')).toBe(true);
    expect(recorder.events).toEqual(['Normal TaintManagerEviction Cancelling deletion of Pod default/p']);
  });

  it('starts the timer when the taint appears', async () => {
    const tol: Toleration = { key: UNREACHABLE.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 };
    const { clock, client } = await setup([node('n1')], [pod('p', 'n1', [tol])]);
    await advance(clock, 100_000);
    await client.patch(R.nodes, undefined, 'n1', 'merge', { spec: { taints: [UNREACHABLE] } });
    await advance(clock, 29_000);
    expect(alive(client, 'p')).toBe(true);
    await advance(clock, 1_000);
    expect(alive(client, 'p')).toBe(false);
  });

  it('uses the first matching toleration: a user toleration with 60 s beats a later infinite one', async () => {
    const tols: Toleration[] = [
      { key: NOT_READY.key, operator: 'Equal', effect: 'NoExecute', tolerationSeconds: 60 },
      { key: NOT_READY.key, operator: 'Exists', effect: 'NoExecute' },
    ];
    const { clock, client } = await setup([node('n1', [NOT_READY])], [pod('p', 'n1', tols)]);
    await advance(clock, 60_000);
    expect(alive(client, 'p')).toBe(false);
  });

  it('waits the smallest tolerationSeconds over all taints; 0 means now', async () => {
    const tols: Toleration[] = [
      { key: NOT_READY.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 100 },
      { key: UNREACHABLE.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ];
    const zero: Toleration[] = [{ operator: 'Exists', tolerationSeconds: 0 }];
    const { clock, client } = await setup([node('n1', [NOT_READY, UNREACHABLE])], [pod('p', 'n1', tols), pod('z', 'n1', zero)]);
    expect(alive(client, 'z')).toBe(false);
    await advance(clock, 29_000);
    expect(alive(client, 'p')).toBe(true);
    await advance(clock, 1_000);
    expect(alive(client, 'p')).toBe(false);
  });

  it('ignores NoSchedule taints', async () => {
    const { clock, client } = await setup([node('n1', [{ key: 'x', effect: 'NoSchedule' }])], [pod('p', 'n1')]);
    await advance(clock, 1_000_000);
    expect(alive(client, 'p')).toBe(true);
  });
});

describe('toleration matching', () => {
  it.each<[Toleration, Taint, boolean]>([
    [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }, { key: 'k', value: 'v', effect: 'NoExecute' }, true],
    [{ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }, true],
    [{ key: 'k', operator: 'Equal', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }, false],
    [{ key: 'k', operator: 'Exists' }, { key: 'k', value: 'v', effect: 'NoExecute' }, true],
    [{ operator: 'Exists' }, { key: 'any', effect: 'NoExecute' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, { key: 'k', effect: 'NoExecute' }, false],
    [{ key: 'j', operator: 'Exists' }, { key: 'k', effect: 'NoExecute' }, false],
  ])('%j tolerates %j: %s', (t, taint, want) => {
    expect(toleratesTaint(t, taint)).toBe(want);
  });

  it('reports the first matching toleration per taint, or not all tolerated', () => {
    const a: Toleration = { key: 'a', operator: 'Exists', tolerationSeconds: 5 };
    const b: Toleration = { key: 'a', operator: 'Exists' };
    expect(matchingTolerations([{ key: 'a', effect: 'NoExecute' }], [a, b])).toEqual({ allTolerated: true, used: [a] });
    expect(matchingTolerations([{ key: 'a', effect: 'NoExecute' }, { key: 'c', effect: 'NoExecute' }], [a, b])).toEqual({ allTolerated: false, used: [] });
    expect(minTolerationMs([b])).toBe(-1);
    expect(minTolerationMs([a, b])).toBe(5_000);
    expect(minTolerationMs([])).toBe(0);
    expect(minTolerationMs([{ operator: 'Exists', tolerationSeconds: -3 }])).toBe(0);
  });
});
