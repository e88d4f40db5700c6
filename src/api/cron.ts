// CronJob schedules as kube-apiserver and kube-controller-manager read them: robfig/cron v3's
// ParseStandard grammar (5 fields or a descriptor, optional TZ=/CRON_TZ= prefix) with its error
// messages, checked here; the next activation times come from cron-parser (time zones and
// daylight-saving arithmetic through luxon).

import { CronExpressionParser } from 'cron-parser';

export interface CronSchedule {
  /** the first activation strictly after `afterMs` (epoch ms), or undefined if there is none */
  next(afterMs: number): number | undefined;
  /** the time zone given inside the schedule (TZ=...), if any */
  timeZone?: string;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class CronError extends Error {}

/** mustParseInt: Go's strconv.Atoi wording */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new CronError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

/** getRange: one comma-separated element of a field */
function checkRange(expr: string, b: Bounds): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
  } else {
    start = parseIntOrName(lowAndHigh[0], b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], b.names);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (lowAndHigh.length === 1) end = b.max; // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
}

/** Go's time.ParseDuration for @every: a sequence of <number><unit> */
function parseGoDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  if (s === '0') return 0;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new CronError(`failed to parse duration @every ${s}: time: invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (!s.length) throw new CronError(`failed to parse duration @every ${s}: time: invalid duration ""`);
  return total;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function expressionSchedule(expr: string, tz: string | undefined): CronSchedule {
  return {
    timeZone: tz,
    next(afterMs: number) {
      // robfig: the next time strictly after `after`, starting from the next whole second
      try {
        return CronExpressionParser.parse(expr, { currentDate: new Date(afterMs), tz: tz ?? 'UTC' }).next().getTime();
      } catch {
        return undefined;
      }
    },
  };
}

/** cron.ParseStandard: a schedule, or robfig's error message */
export function parseCronSchedule(spec: string, defaultTimeZone?: string): { schedule: CronSchedule } | { error: string } {
  try {
    let rest = spec;
    let tz = defaultTimeZone;
    if (rest.length === 0) throw new CronError('empty spec string');
    if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
      const i = rest.indexOf(' ');
      const eq = rest.indexOf('=');
      const name = rest.slice(eq + 1, i < 0 ? undefined : i);
      if (!validTimeZone(name)) throw new CronError(`provided bad location ${name}: unknown time zone ${name}`);
      tz = name;
      rest = i < 0 ? '' : rest.slice(i).trim();
    }
    if (rest.startsWith('@')) {
      if (rest.startsWith('@every ')) {
        const ms = parseGoDuration(rest.slice('@every '.length));
        // ConstantDelaySchedule: at least one second, whole seconds
        const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
        return { schedule: { timeZone: tz, next: (after) => Math.floor(after / 1000) * 1000 + delay } };
      }
      const expr = DESCRIPTORS[rest];
      if (!expr) throw new CronError(`unrecognized descriptor: ${rest}`);
      return { schedule: expressionSchedule(expr, tz) };
    }
    const fields = rest.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
    fields.forEach((f, i) => {
      for (const part of f.split(',')) checkRange(part, FIELDS[i]);
    });
    return { schedule: expressionSchedule(fields.map((f) => f.replace(/\?/g, '*')).join(' '), tz) };
  } catch (err) {
    if (err instanceof CronError) return { error: err.message };
    return { error: err instanceof Error ? err.message : String(err) };
  }
}
