import { describe, expect, it } from 'vitest';
import { findUntoleratedTaint, toleratesTaint } from './taints.js';

describe('toleratesTaint (component-helpers TestTolerationToleratesTaint cases)', () => {
  const taint = { key: 'foo', value: 'bar', effect: 'NoSchedule' };
  it.each([
    ['empty operator means Equal', { key: 'foo', operator: '', value: 'bar', effect: 'NoSchedule' }, true],
    ['Equal with the same value', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, true],
    ['Equal with another value', { key: 'foo', operator: 'Equal', value: 'baz', effect: 'NoSchedule' }, false],
    ['Exists ignores the value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, true],
    ['empty key with Exists tolerates every key', { operator: 'Exists' }, true],
    ['empty effect matches every effect', { key: 'foo', operator: 'Exists' }, true],
    ['another effect', { key: 'foo', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key', { key: 'other', operator: 'Exists', effect: 'NoSchedule' }, false],
    ['unknown operator', { key: 'foo', operator: 'Lt', value: 'bar' }, false],
  ])('%s', (_name, tol, want) => {
    expect(toleratesTaint(tol as any, taint)).toBe(want);
  });

  it('findUntoleratedTaint returns the first untolerated taint passing the filter', () => {
    const taints = [
      { key: 'a', effect: 'PreferNoSchedule' },
      { key: 'b', effect: 'NoSchedule' },
      { key: 'c', effect: 'NoExecute' },
    ];
    const noPrefer = (t: { effect: string }) => t.effect !== 'PreferNoSchedule';
    expect(findUntoleratedTaint(taints, [], noPrefer)?.key).toBe('b');
    expect(findUntoleratedTaint(taints, [{ key: 'b', operator: 'Exists' }], noPrefer)?.key).toBe('c');
    expect(findUntoleratedTaint(taints, [{ operator: 'Exists' }], noPrefer)).toBeUndefined();
  });
});
