import { describe, it, expect } from 'vitest';
import { formatLabels, formatLabelSelector, selectorString } from './selectors.js';

describe('formatLabels', () => {
  it('sorts pairs and says <none> when empty', () => {
    expect(formatLabels({ b: '2', a: '1' })).toBe('a=1,b=2');
    expect(formatLabels({})).toBe('<none>');
    expect(formatLabels(undefined)).toBe('<none>');
  });
});

describe('formatLabelSelector', () => {
  it('renders matchLabels and expressions sorted by key, values sorted', () => {
    expect(
      formatLabelSelector({
        matchLabels: { app: 'x' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['b', 'a'] },
          { key: 'env', operator: 'NotIn', values: ['prod'] },
          { key: 'zz', operator: 'DoesNotExist' },
          { key: 'gpu', operator: 'Exists' },
        ],
      }),
    ).toBe('app=x,env notin (prod),gpu,tier in (a,b),!zz');
  });
  it('is <none> for nil or empty selectors and <error> for bad operators', () => {
    expect(formatLabelSelector(undefined)).toBe('<none>');
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] })).toBe('<error>');
    expect(selectorString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] })).toBeUndefined();
  });
});
