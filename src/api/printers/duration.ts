// Ages as kubectl shows them: apimachinery's duration.HumanDuration and the printers'
// translateTimestampSince. Pure functions of (timestamp, now) so a fake clock drives them.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(d / unit): truncation toward zero */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

/** HumanDuration: ~2-3 significant figures; up to 1 s in the future counts as "now" */
export function humanDuration(ms: number): string {
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${whole(hours, 24)}d` : `${whole(hours, 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${whole(hours, 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = whole(hours, 24);
    const dy = days % 365;
    return dy === 0 ? `${whole(days, 365)}y` : `${whole(days, 365)}y${dy}d`;
  }
  return `${whole(hours, 24 * 365)}y`;
}

/** parse an RFC 3339 timestamp (Time or MicroTime); undefined for empty or Go's zero time */
export function parseTimestamp(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return undefined;
  // Go's zero time.Time (0001-01-01T00:00:00Z) means "not set"
  if (ts.startsWith('0001-01-01T00:00:00')) return undefined;
  return t;
}

/** the age of a timestamp at `now` (ms since epoch); "<unknown>" when unset */
export function translateTimestampSince(ts: string | null | undefined, now: number): string {
  const t = parseTimestamp(ts);
  if (t === undefined) return '<unknown>';
  return humanDuration(now - t);
}
