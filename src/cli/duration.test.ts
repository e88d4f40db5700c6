import { describe, it, expect } from 'vitest';
import { parseDuration, formatDuration } from './duration.js';

describe('durations like Go', () => {
  it('parses', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('5')).toThrow('time: invalid duration "5"');
    expect(() => parseDuration('5x')).toThrow('time: invalid duration "5x"');
  });
  it('formats', () => {
    expect(formatDuration(300_000)).toBe('5m0s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(15_000)).toBe('15s');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
  });
});
