// Ported from pkg/controller/job: backoff_utils_test.go (TestGetRemainingBackoffTime's table),
// indexed_job_utils_test.go (TestCalculateSucceededIndexes' formatting) and pod_failure_policy_test.go.
import { describe, expect, it } from 'vitest';
import { formatIndexes, matchPodFailurePolicy, parseIndexes, remainingBackoff } from './util.js';

const S = 1000;

describe('remainingBackoff', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it.each([
    ['no failures', 0, 0, 0],
    ['one failure just now: the default 10s', 1, 0, 10 * S],
    ['one failure 3s ago', 1, 3 * S, 7 * S],
    ['two failures: 20s', 2, 0, 20 * S],
    ['three failures 5s ago: 40s - 5s', 3, 5 * S, 35 * S],
    ['many failures: capped at 10 minutes', 20, 0, 600 * S],
    ['back-off already over', 2, 25 * S, 0],
  ])('%s', (_name, failures, ago, want) => {
    expect(remainingBackoff(failures, now - ago, now)).toBe(want);
  });
});

describe('completed indexes', () => {
  it('formats and parses the interval form', () => {
    expect(formatIndexes([])).toBe('');
    expect(formatIndexes([5, 0, 1, 2, 7, 8])).toBe('0-2,5,7-8');
    expect([...parseIndexes('0-2,5,7-8', 8)].sort((a, b) => a - b)).toEqual([0, 1, 2, 5, 7]);
  });
});

describe('matchPodFailurePolicy', () => {
  const job = (rules: unknown[]) => ({ spec: { podFailurePolicy: { rules } } }) as any;
  const pod = (code: number, conditions: unknown[] = []) =>
    ({ metadata: { namespace: 'default', name: 'p' }, status: { phase: 'Failed', conditions, containerStatuses: [{ name: 'main', state: { terminated: { exitCode: code } } }] } }) as any;
  it('matches exit codes In/NotIn and conditions, first rule wins', () => {
    const j = job([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [0, 42] } },
    ]);
    expect(matchPodFailurePolicy(j, pod(42))).toEqual({ action: 'FailJob', message: 'Container main for pod default/p failed with exit code 42 matching FailJob rule at index 1' });
    expect(matchPodFailurePolicy(j, pod(1))?.action).toBe('Count');
    expect(matchPodFailurePolicy(j, pod(42, [{ type: 'DisruptionTarget', status: 'True' }]))?.action).toBe('Ignore');
    expect(matchPodFailurePolicy(job([]), pod(1))).toBeUndefined();
  });
});
