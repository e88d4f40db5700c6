import { describe, it, expect } from 'vitest';
import type { Pod, ContainerStatus } from 'kubernetes-types/core/v1.js';
import { podSummary, podWideCells, podRowConditions } from './pod.js';

// Cases follow upstream's TestPrintPod / TestPrintPodWithRestartableInitContainer
// (pkg/printers/internalversion/printers_test.go).

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const S = 1000;
const D = 24 * 3600 * S;

const running = { running: {} };
const lastTerminated = (ms: number) => ({ terminated: { exitCode: 0, finishedAt: ago(ms) } });

function pod(opts: {
  containers?: number;
  init?: number;
  sidecars?: string[];
  phase?: string;
  reason?: string;
  statuses?: Partial<ContainerStatus>[];
  initStatuses?: Partial<ContainerStatus>[];
  conditions?: { type: string; status: string; reason?: string }[];
  deleting?: boolean;
}): Pod {
  const mk = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }));
  const init = mk(opts.init ?? 0, 'init').map((c) => (opts.sidecars?.includes(c.name) ? { ...c, restartPolicy: 'Always' } : c));
  return {
    metadata: { name: 'p', deletionTimestamp: opts.deleting ? ago(10 * S) : undefined },
    spec: { containers: mk(opts.containers ?? 1, 'c'), initContainers: init },
    status: {
      phase: opts.phase,
      reason: opts.reason,
      containerStatuses: opts.statuses as ContainerStatus[],
      initContainerStatuses: opts.initStatuses as ContainerStatus[],
      conditions: opts.conditions,
    },
  } as Pod;
}

type Case = [string, Pod, string, string, string];

const cases: Case[] = [
  ['names restarts and readiness', pod({ containers: 2, phase: 'podPhase', statuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }] }), '1/2', 'podPhase', '6'],
  ['container waiting reason overrides phase', pod({ containers: 2, phase: 'podPhase', statuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }] }), '1/2', 'ContainerWaitingReason', '6'],
  ['first container wins (statuses walked backwards)', pod({ containers: 2, phase: 'podPhase', statuses: [{ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }, { restartCount: 3, state: { terminated: { exitCode: 0, reason: 'ContainerTerminatedReason' } } }] }), '0/2', 'ContainerWaitingReason', '6'],
  ['ready is not enough for running', pod({ containers: 2, phase: 'podPhase', statuses: [{ ready: true, restartCount: 3, state: running }, { ready: true, restartCount: 3 }] }), '1/2', 'podPhase', '6'],
  ['status.reason overrides phase', pod({ containers: 2, phase: 'podPhase', reason: 'podReason', statuses: [{ ready: true, restartCount: 3, state: running }, { ready: true, restartCount: 3 }] }), '1/2', 'podReason', '6'],
  ['Completed + running, no Ready condition -> NotReady', pod({ containers: 2, phase: 'Running', statuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: running }] }), '1/2', 'NotReady', '6'],
  ['Completed + running with Ready condition -> Running', pod({ containers: 2, phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], statuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: running }] }), '1/2', 'Running', '6'],
  ['init container restarting', pod({ init: 1, phase: 'podPhase', initStatuses: [{ restartCount: 3, state: running, lastState: lastTerminated(10 * S) }], statuses: [{ restartCount: 0, state: { waiting: {} } }] }), '0/1', 'Init:0/1', '3 (10s ago)'],
  ['two init containers, first restarting', pod({ init: 2, phase: 'podPhase', initStatuses: [{ restartCount: 3, state: running, lastState: lastTerminated(10 * S) }, { state: { waiting: {} } }], statuses: [{ state: { waiting: {} } }] }), '0/1', 'Init:0/2', '3 (10s ago)'],
  ['first init done, second restarting', pod({ init: 2, phase: 'podPhase', initStatuses: [{ state: { terminated: { exitCode: 0 } } }, { restartCount: 3, state: running, lastState: lastTerminated(10 * S) }], statuses: [{ state: { waiting: {} } }] }), '0/1', 'Init:1/2', '3 (10s ago)'],
  ['init restarts add up, latest restart shown', pod({ init: 2, phase: 'podPhase', initStatuses: [{ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: lastTerminated(120 * S) }, { restartCount: 3, state: running, lastState: lastTerminated(10 * S) }], statuses: [{ state: { waiting: {} } }] }), '0/1', 'Init:1/2', '5 (10s ago)'],
  ['after init only container restarts count', pod({ init: 1, phase: 'Running', initStatuses: [{ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: lastTerminated(120 * S) }], statuses: [{ restartCount: 4, state: running, lastState: lastTerminated(20 * S) }] }), '0/1', 'Running', '4 (20s ago)'],
  ['restart 5d ago', pod({ phase: 'Running', statuses: [{ ready: true, restartCount: 3, state: running, lastState: lastTerminated(5 * D) }] }), '1/1', 'Running', '3 (5d ago)'],
  ['latest of two restarts', pod({ containers: 2, phase: 'Running', statuses: [{ ready: true, restartCount: 6, state: running, lastState: lastTerminated(5 * D) }, { ready: true, restartCount: 3, state: running, lastState: lastTerminated(20 * D) }] }), '2/2', 'Running', '9 (5d ago)'],
  ['SchedulingGated', pod({ containers: 2, phase: 'podPhase', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/2', 'SchedulingGated', '0'],
  ['Succeeded', pod({ phase: 'Succeeded', statuses: [{ restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }), '0/1', 'Completed', '0'],
  ['Failed', pod({ phase: 'Failed', statuses: [{ restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }] }), '0/1', 'Error', '0'],
  ['Succeeded and deleted stays Completed', pod({ deleting: true, phase: 'Succeeded', statuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }), '0/1', 'Completed', '0'],
  ['Running and deleted -> Terminating', pod({ deleting: true, phase: 'Running', statuses: [{ ready: true, state: running }] }), '1/1', 'Terminating', '0'],
  ['NodeLost and deleted -> Unknown', pod({ deleting: true, phase: 'Running', reason: 'NodeLost', statuses: [{ ready: true, state: running }] }), '1/1', 'Unknown', '0'],
  ['CrashLoopBackOff', pod({ phase: 'Running', statuses: [{ restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: lastTerminated(90 * S) }] }), '0/1', 'CrashLoopBackOff', '4 (90s ago)'],
  ['ContainerCreating', pod({ phase: 'Pending', statuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] }), '0/1', 'ContainerCreating', '0'],
  ['terminated without reason: ExitCode', pod({ phase: 'Running', statuses: [{ state: { terminated: { exitCode: 137 } } }] }), '0/1', 'ExitCode:137', '0'],
  ['terminated without reason: Signal', pod({ phase: 'Running', statuses: [{ state: { terminated: { exitCode: 0, signal: 9 } } }] }), '0/1', 'Signal:9', '0'],
  ['init waiting with a reason', pod({ init: 1, phase: 'Pending', initStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }], statuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] }), '0/1', 'Init:ImagePullBackOff', '0'],
  ['init waiting PodInitializing counts as i/n', pod({ init: 1, phase: 'Pending', initStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] }), '0/1', 'Init:0/1', '0'],
  ['init failed with reason', pod({ init: 1, phase: 'Pending', initStatuses: [{ state: { terminated: { exitCode: 1, reason: 'Error' } } }] }), '0/1', 'Init:Error', '0'],
  ['init failed without reason', pod({ init: 1, phase: 'Pending', initStatuses: [{ state: { terminated: { exitCode: 2 } } }] }), '0/1', 'Init:ExitCode:2', '0'],
  ['init killed by signal', pod({ init: 1, phase: 'Pending', initStatuses: [{ state: { terminated: { exitCode: 143, signal: 15 } } }] }), '0/1', 'Init:Signal:15', '0'],
  ['Pending with no statuses', pod({ phase: 'Pending' }), '0/1', 'Pending', '0'],
];

describe('podSummary (upstream printPod cases)', () => {
  for (const [title, p, ready, status, restarts] of cases) {
    it(title, () => {
      expect(podSummary(p, NOW)).toEqual({ ready, status, restarts });
    });
  }
});

describe('restartable init containers (sidecars)', () => {
  it('count in READY/total once started, and the pod runs', () => {
    const p = pod({
      init: 2,
      sidecars: ['init0'],
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initStatuses: [
        { name: 'init0', ready: true, started: true, restartCount: 3, state: running, lastState: lastTerminated(10 * S) },
        { name: 'init1', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      ],
      statuses: [{ ready: true, state: running }],
    });
    expect(podSummary(p, NOW)).toEqual({ ready: '2/2', status: 'Running', restarts: '3 (10s ago)' });
  });
  it('a sidecar not yet started blocks initialization', () => {
    const p = pod({
      init: 2,
      sidecars: ['init0'],
      phase: 'Pending',
      initStatuses: [
        { name: 'init0', ready: false, started: false, state: running },
        { name: 'init1', state: { waiting: {} } },
      ],
      statuses: [{ state: { waiting: { reason: 'PodInitializing' } } }],
    });
    expect(podSummary(p, NOW)).toEqual({ ready: '0/2', status: 'Init:0/2', restarts: '0' });
  });
  it('uses only sidecar restarts once initialized', () => {
    const p = pod({
      init: 2,
      sidecars: ['init0'],
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initStatuses: [
        { name: 'init0', ready: true, started: true, restartCount: 1, state: running, lastState: lastTerminated(5 * D) },
        { name: 'init1', restartCount: 7, state: { terminated: { exitCode: 0, reason: 'Completed' } }, lastState: lastTerminated(10 * S) },
      ],
      statuses: [{ ready: true, restartCount: 2, state: running, lastState: lastTerminated(3 * D) }],
    });
    expect(podSummary(p, NOW)).toEqual({ ready: '2/2', status: 'Running', restarts: '3 (3d ago)' });
  });
});

describe('pod wide cells and row conditions', () => {
  it('shows <none> for unset IP, node, nominated node and gates', () => {
    expect(podWideCells(pod({ phase: 'Pending' }))).toEqual(['<none>', '<none>', '<none>', '<none>']);
  });
  it('shows the first pod IP, the node and readiness gates as true/total', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] });
    p.spec!.nodeName = 'worker-1';
    p.spec!.readinessGates = [{ conditionType: 'a' }, { conditionType: 'b' }, { conditionType: 'c' }];
    p.status!.podIPs = [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }];
    p.status!.nominatedNodeName = 'worker-2';
    expect(podWideCells(p)).toEqual(['10.244.1.5', 'worker-1', 'worker-2', '1/3']);
  });
  it('marks Succeeded and Failed rows Completed', () => {
    expect(podRowConditions(pod({ phase: 'Succeeded' }))).toEqual([
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    expect(podRowConditions(pod({ phase: 'Failed' }))?.[0].reason).toBe('Failed');
    expect(podRowConditions(pod({ phase: 'Running' }))).toBeUndefined();
  });
});
