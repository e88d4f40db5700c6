// Schedules as robfig/cron v3's ParseStandard reads them (its parser_test.go cases for the
// standard grammar and its error messages) and their next activation times.
import { describe, expect, it } from 'vitest';
import { parseCronSchedule } from './cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (spec: string, from: string, tz?: string) => {
  const r = parseCronSchedule(spec, tz);
  if ('error' in r) throw new Error(r.error);
  const t = r.schedule.next(at(from));
  return t === undefined ? undefined : new Date(t).toISOString();
};
const error = (spec: string) => {
  const r = parseCronSchedule(spec);
  return 'error' in r ? r.error : undefined;
};

describe('parseCronSchedule', () => {
  it('refuses what ParseStandard refuses, with its messages', () => {
    expect(error('')).toBe('empty spec string');
    expect(error('bad')).toBe('expected exactly 5 fields, found 1: [bad]');
    expect(error('* * * * * *')).toBe('expected exactly 5 fields, found 6: [* * * * * *]');
    expect(error('61 * * * *')).toBe('end of range (61) above maximum (59): 61');
    expect(error('* * 0 * *')).toBe('beginning of range (0) below minimum (1): 0');
    expect(error('5-3 * * * *')).toBe('beginning of range (5) beyond end of range (3): 5-3');
    expect(error('a * * * *')).toBe('failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax');
    expect(error('1-2-3 * * * *')).toBe('too many hyphens: 1-2-3');
    expect(error('*/0 * * * *')).toBe('step of range should be a positive number: */0');
    expect(error('* * * * 7')).toBe('end of range (7) above maximum (6): 7');
    expect(error('@minutely')).toBe('unrecognized descriptor: @minutely');
    expect(error('TZ=Nowhere/Foo * * * * *')).toBe('provided bad location Nowhere/Foo: unknown time zone Nowhere/Foo');
  });

  it('accepts descriptors, names, steps and lists', () => {
    for (const ok of ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually', '@every 1h30m', '0 0 * JAN-MAR mon,wed', '*/15 9-17 ? * 1-5', '0 0 31 2 *']) {
      expect(error(ok)).toBeUndefined();
    }
  });

  it('computes the next activation strictly after a time, in UTC or the given zone', () => {
    expect(next('*/5 * * * *', '2024-05-01T12:00:00Z')).toBe('2024-05-01T12:05:00.000Z');
    expect(next('*/5 * * * *', '2024-05-01T12:03:20Z')).toBe('2024-05-01T12:05:00.000Z');
    expect(next('@hourly', '2024-05-01T12:00:00Z')).toBe('2024-05-01T13:00:00.000Z');
    expect(next('0 9 * * *', '2024-05-01T12:00:00Z', 'Europe/Berlin')).toBe('2024-05-02T07:00:00.000Z');
    expect(next('CRON_TZ=America/New_York 0 9 * * *', '2024-05-01T12:00:00Z')).toBe('2024-05-01T13:00:00.000Z');
    // day of month and day of week both restricted: either matches (vixie cron, robfig's dayMatches)
    expect(next('0 0 1 * 1', '2024-05-01T12:00:00Z')).toBe('2024-05-06T00:00:00.000Z');
    expect(next('@every 90s', '2024-05-01T12:00:00.500Z')).toBe('2024-05-01T12:01:30.000Z');
    // a date that never comes
    expect(next('0 0 31 2 *', '2024-05-01T12:00:00Z')).toBeUndefined();
  });
});
