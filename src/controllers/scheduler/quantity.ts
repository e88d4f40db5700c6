// Kubernetes resource quantities ("100m", "1Gi", "2", "1e3") as plain numbers. The scheduler
// and the simulated kubelet only need values to compare and add, so a float is enough.

const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** the value of a quantity in base units (cores for cpu, bytes for memory); NaN if malformed */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) return NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ''];
}

/** cpu in millicores, rounded up as resource.Quantity.MilliValue() does */
export function milliCPU(q: string | number | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(Math.round(v * 1e6) / 1e3) : 0;
}

/** an integer-valued quantity (bytes, counts), rounded up like Quantity.Value() */
export function intValue(q: string | number | undefined): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.ceil(v - 1e-9) : 0;
}

/** format millicores the way kubectl top does ("250m") */
export function formatMilliCPU(m: number): string {
  return `${Math.round(m)}m`;
}

/** format bytes as Mi, the way kubectl top does ("20Mi") */
export function formatMemoryMi(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)}Mi`;
}
