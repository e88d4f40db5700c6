import { describe, it, expect } from 'vitest';
import { humanDuration, translateTimestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (apimachinery duration_test cases)', () => {
  const cases: [number, string][] = [
    [1 * S, '1s'],
    [70 * S, '70s'],
    [119 * S, '119s'],
    [120 * S, '2m'],
    [190 * S, '3m10s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [70 * M, '70m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [3 * H + 30 * M, '3h30m'],
    [7 * H + 59 * M, '7h59m'],
    [8 * H + 59 * M, '8h'],
    [47 * H, '47h'],
    [48 * H, '2d'],
    [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * D, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [365 * 2 * D, '2y'],
    [(365 * 8 * 24 + 2) * H, '8y'],
    [0, '0s'],
    [-1 * S, '0s'],
    [-1999, '0s'],
    [-2 * S, '<invalid>'],
  ];
  for (const [d, want] of cases) {
    it(`${d}ms -> ${want}`, () => expect(humanDuration(d)).toBe(want));
  }
});

describe('translateTimestampSince', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it('formats the age of a timestamp', () => {
    expect(translateTimestampSince('2024-05-01T11:59:08Z', now)).toBe('52s');
    expect(translateTimestampSince('2024-04-30T12:00:00Z', now)).toBe('24h');
  });
  it('is <unknown> for unset or zero timestamps', () => {
    expect(translateTimestampSince(undefined, now)).toBe('<unknown>');
    expect(translateTimestampSince(null, now)).toBe('<unknown>');
    expect(translateTimestampSince('', now)).toBe('<unknown>');
    expect(translateTimestampSince('0001-01-01T00:00:00Z', now)).toBe('<unknown>');
  });
  it('is <invalid> for timestamps in the future', () => {
    expect(translateTimestampSince('2024-05-01T12:00:05Z', now)).toBe('<invalid>');
  });
  it('accepts MicroTime with fractions', () => {
    expect(translateTimestampSince('2024-05-01T11:55:00.123456Z', now)).toBe('4m59s');
  });
});
