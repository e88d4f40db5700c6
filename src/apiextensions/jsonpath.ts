// The JSONPath subset printer columns and the scale subresource use (k8s.io/client-go/util/jsonpath
// with missing keys allowed): `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.type=="Ready")].status`,
// and backslash-escaped dots in keys (`.metadata.labels.app\.kubernetes\.io/name`).

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; op: string; value: unknown } };

const cache = new Map<string, Step[]>();

function parseFilterValue(raw: string): unknown {
  const t = raw.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  return t;
}

function parse(path: string): Step[] {
  let steps = cache.get(path);
  if (steps) return steps;
  steps = [];
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  let i = 0;
  while (i < p.length) {
    if (p[i] === '.') {
      i++;
      let key = '';
      while (i < p.length && p[i] !== '.' && p[i] !== '[') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        key += p[i++];
      }
      if (key) steps.push({ key });
    } else if (p[i] === '[') {
      const end = p.indexOf(']', i);
      const inner = p.slice(i + 1, end < 0 ? p.length : end);
      i = end < 0 ? p.length : end + 1;
      const filter = /^\?\(\s*@((?:\.[^.=!<>\s]+)+)\s*(==|!=)\s*(.+?)\s*\)$/.exec(inner);
      if (inner === '*') steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (filter) steps.push({ filter: { path: filter[1].split('.').filter(Boolean), op: filter[2], value: parseFilterValue(filter[3]) } });
      else steps.push({ key: inner.replace(/^['"]|['"]$/g, '') });
    } else {
      i++;
    }
  }
  cache.set(path, steps);
  return steps;
}

function get(v: unknown, key: string): unknown {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
}

/** every value the path selects (missing keys select nothing) */
export function evaluateJsonPath(path: string, obj: unknown): unknown[] {
  let current: unknown[] = [obj];
  for (const step of parse(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('key' in step) {
        const x = get(v, step.key);
        if (x !== undefined) next.push(x);
      } else if ('index' in step) {
        if (Array.isArray(v)) {
          const x = v[step.index < 0 ? v.length + step.index : step.index];
          if (x !== undefined) next.push(x);
        }
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        const { path: fp, op, value } = step.filter;
        for (const item of v) {
          const actual = fp.reduce<unknown>((acc, k) => get(acc, k), item);
          if (actual === undefined) continue;
          if ((actual === value) === (op === '==')) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

/** the one value a simple path (`.spec.replicas`) names, or undefined */
export function getPath(obj: unknown, path: string): unknown {
  return evaluateJsonPath(path, obj)[0];
}

/** set the value a simple dotted path names, creating objects on the way */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = parse(path).map((s) => ('key' in s ? s.key : undefined));
  if (!keys.length || keys.some((k) => k === undefined)) return;
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    const nextObj = o[k!];
    if (!nextObj || typeof nextObj !== 'object' || Array.isArray(nextObj)) o[k!] = {};
    o = o[k!] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}
