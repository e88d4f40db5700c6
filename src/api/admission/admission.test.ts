import { describe, it, expect } from 'vitest';
import { admitPriority, admitPriorityOnUpdate, admitPriorityClass, checkPriorityClassDelete, admitDefaultTolerationSeconds } from './index.js';
import { ApiError } from '../errors.js';

const classes: Record<string, { value: number; preemptionPolicy?: string }> = {
  high: { value: 1000, preemptionPolicy: 'PreemptLowerPriority' },
  polite: { value: 10, preemptionPolicy: 'Never' },
};
const lookup = (name: string) => classes[name];

function pod(spec: Record<string, unknown> = {}, name = 'x'): any {
  return { metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } };
}

function thrown(fn: () => void): ApiError {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected an error');
}

describe('admitPriority', () => {
  it('no class and no default: priority 0, PreemptLowerPriority', () => {
    const p = pod();
    admitPriority(p, lookup);
    expect(p.spec.priority).toBe(0);
    expect(p.spec.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(p.spec.priorityClassName).toBeUndefined();
  });

  it('global default class', () => {
    const p = pod();
    admitPriority(p, lookup, { name: 'high', value: 1000, preemptionPolicy: 'PreemptLowerPriority' });
    expect(p.spec).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it.each([
    ['high', 1000, 'PreemptLowerPriority'],
    ['polite', 10, 'Never'],
    ['system-node-critical', 2000001000, 'PreemptLowerPriority'],
    ['system-cluster-critical', 2000000000, 'PreemptLowerPriority'],
  ])('class %s -> %d', (name, value, policy) => {
    const p = pod({ priorityClassName: name });
    admitPriority(p, lookup);
    expect(p.spec.priority).toBe(value);
    expect(p.spec.preemptionPolicy).toBe(policy);
  });

  it('a matching user priority is fine', () => {
    const p = pod({ priorityClassName: 'high', priority: 1000 });
    admitPriority(p, lookup);
    expect(p.spec.priority).toBe(1000);
  });

  it('unknown class: 403 as upstream', () => {
    const err = thrown(() => admitPriority(pod({ priorityClassName: 'foo' }), lookup));
    expect(err.code).toBe(403);
    expect(err.reason).toBe('Forbidden');
    expect(err.message).toBe('pods "x" is forbidden: no PriorityClass with name foo was found');
  });

  it('names a generateName pod by its prefix', () => {
    const p = { metadata: { generateName: 'ds-' }, spec: { priorityClassName: 'foo' } };
    expect(thrown(() => admitPriority(p, lookup)).message).toBe('pods "ds-" is forbidden: no PriorityClass with name foo was found');
  });

  it('user priority that disagrees with the class', () => {
    const err = thrown(() => admitPriority(pod({ priority: 5 }), lookup));
    expect(err.code).toBe(403);
    expect(err.message).toBe(
      'pods "x" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
    );
  });

  it('preemptionPolicy that disagrees with the class', () => {
    const err = thrown(() => admitPriority(pod({ priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' }), lookup));
    expect(err.message).toBe(
      'pods "x" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name',
    );
  });

  it('update carries priority over', () => {
    const p = pod();
    admitPriorityOnUpdate(p, pod({ priority: 7, preemptionPolicy: 'Never' }));
    expect(p.spec).toMatchObject({ priority: 7, preemptionPolicy: 'Never' });
  });
});

describe('PriorityClass admission', () => {
  it('only one global default', () => {
    expect(admitPriorityClass({ metadata: { name: 'b' }, globalDefault: true }, 'a')?.message).toBe(
      'priorityclasses.scheduling.k8s.io "b" is forbidden: PriorityClass a is already marked as default. Only one default can exist',
    );
    expect(admitPriorityClass({ metadata: { name: 'a' }, globalDefault: true }, 'a')).toBeUndefined();
    expect(admitPriorityClass({ metadata: { name: 'b' } }, 'a')).toBeUndefined();
  });
  it('built-ins cannot be deleted', () => {
    expect(checkPriorityClassDelete('system-node-critical')?.code).toBe(403);
    expect(checkPriorityClassDelete('high')).toBeUndefined();
  });
});

describe('admitDefaultTolerationSeconds', () => {
  const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

  it('adds both when absent, after the user tolerations', () => {
    const user = { key: 'a', operator: 'Equal', value: 'b', effect: 'NoSchedule' };
    const p = pod({ tolerations: [user] });
    admitDefaultTolerationSeconds(p);
    expect(p.spec.tolerations).toEqual([user, notReady, unreachable]);
  });

  it('keeps an existing not-ready toleration and adds only unreachable', () => {
    const mine = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' };
    const p = pod({ tolerations: [mine] });
    admitDefaultTolerationSeconds(p);
    expect(p.spec.tolerations).toEqual([mine, unreachable]);
  });

  it('a NoSchedule toleration of the same key does not count', () => {
    const mine = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' };
    const p = pod({ tolerations: [mine] });
    admitDefaultTolerationSeconds(p);
    expect(p.spec.tolerations).toEqual([mine, notReady, unreachable]);
  });

  it('tolerate-everything adds nothing', () => {
    const p = pod({ tolerations: [{ operator: 'Exists' }] });
    admitDefaultTolerationSeconds(p);
    expect(p.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });
});
