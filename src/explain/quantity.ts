// Amounts as people read them in explain's messages: bytes in binary units (512Mi, 1.5Gi),
// cpu in millicores or cores (250m, 2), counts with thousands separators, and ranges (100–400Mi).

export type ResourceName = 'cpu' | 'memory' | 'ephemeral-storage' | 'pods';

const BINARY: [string, number][] = [
  ['Ti', 1024 ** 4],
  ['Gi', 1024 ** 3],
  ['Mi', 1024 ** 2],
  ['Ki', 1024],
];

const trim = (n: number) => String(Math.round(n * 10) / 10);

/** the unit a byte amount is best shown in */
function byteUnit(bytes: number): [string, number] {
  return BINARY.find(([, f]) => Math.abs(bytes) >= f) ?? ['', 1];
}

export function formatBytes(bytes: number): string {
  const [u, f] = byteUnit(bytes);
  return `${trim(bytes / f)}${u}`;
}

export function formatMilliCPU(m: number): string {
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** an amount of a resource in its base unit (millicores for cpu, bytes, pods) */
export function formatAmount(resource: ResourceName, v: number): string {
  if (resource === 'cpu') return formatMilliCPU(v);
  if (resource === 'pods') return formatCount(v);
  return formatBytes(v);
}

/** "100–400Mi", or one amount when the ends are equal */
export function formatRange(resource: ResourceName, lo: number, hi: number): string {
  if (lo === hi) return formatAmount(resource, lo);
  if (resource === 'memory' || resource === 'ephemeral-storage') {
    const [u, f] = byteUnit(Math.max(Math.abs(lo), Math.abs(hi)));
    const [ul] = byteUnit(lo);
    if (ul === u) return `${trim(lo / f)}–${trim(hi / f)}${u}`;
  }
  if (resource === 'cpu' && lo % 1000 !== 0 && hi % 1000 !== 0) return `${lo}–${hi}m`;
  return `${formatAmount(resource, lo)}–${formatAmount(resource, hi)}`;
}
