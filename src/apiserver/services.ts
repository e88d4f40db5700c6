// Service ClusterIP and NodePort allocation (upstream pkg/registry/core/service/storage/alloc.go,
// ipallocator and portallocator): ClusterIPs come from the service CIDR (kind's 10.96.0.0/16),
// NodePorts from 30000-32767. A requested value is honoured or refused with upstream's message;
// dynamic values are picked at random from the upper part of the range first (upstream's
// offset strategy, which keeps the low part for fixed addresses such as 10.96.0.10).
//
// The allocators are rebuilt from the stored services on first use. Allocation marks values
// synchronously once loaded, so concurrent creates can never receive the same value; every
// allocation is a transaction that the registry commits once the write is stored (releases of
// values the update gave up happen then) or reverts when it fails.

import type { Store } from '../store/types.js';
import type { ResourceInfo } from '../api/resources.js';
import { resourceFor, storagePrefix } from '../api/resources.js';
import { fieldErrors, internalError, invalid, type FieldError } from '../api/errors.js';
import { NODE_PORT_RANGE } from '../api/validation/core.js';
import { decodeStored } from './watchhub.js';

type Obj = { metadata: { name?: string }; spec?: Record<string, any> };

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

/** a set of offsets [0, size) with upstream's random-scan-with-offset choice of the next free one */
export class BitmapAllocator {
  private readonly used = new Set<number>();
  constructor(
    readonly size: number,
    /** dynamic allocation tries [offset, size) first, then [0, offset) */
    readonly offset: number,
    private readonly random: () => number = Math.random,
  ) {}

  has(i: number): boolean {
    return this.used.has(i);
  }

  /** false when taken (the caller checks the range) */
  allocate(i: number): boolean {
    if (this.used.has(i)) return false;
    this.used.add(i);
    return true;
  }

  allocateNext(): number | undefined {
    const scan = (lo: number, hi: number): number | undefined => {
      const n = hi - lo;
      if (n <= 0) return undefined;
      const start = Math.floor(this.random() * n);
      for (let k = 0; k < n; k++) {
        const i = lo + ((start + k) % n);
        if (!this.used.has(i)) {
          this.used.add(i);
          return i;
        }
      }
      return undefined;
    };
    return scan(this.offset, this.size) ?? scan(0, this.offset);
  }

  release(i: number): void {
    this.used.delete(i);
  }

  count(): number {
    return this.used.size;
  }
}

/** upstream calculateRangeOffset: min(max(16, size/16), 256) for IPs */
function ipRangeOffset(size: number): number {
  return Math.min(Math.max(16, Math.floor(size / 16)), 256);
}

/** upstream calculateRangeOffset for ports: min(max(16, size/32), 128) */
function portRangeOffset(size: number): number {
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p, i) => p > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class IPAllocator {
  private readonly bitmap: BitmapAllocator;
  /** first allocatable address (network + 1) */
  private readonly base: number;
  constructor(
    readonly cidr: string,
    random?: () => number,
  ) {
    const [addr, bitsStr] = cidr.split('/');
    const bits = Number(bitsStr);
    const ip = parseIPv4(addr);
    if (ip === undefined || !(bits >= 1 && bits <= 30)) throw new Error(`invalid service CIDR ${cidr}`);
    const total = 2 ** (32 - bits);
    const network = ip - (ip % total);
    this.base = network + 1;
    const size = total - 2; // no network, no broadcast address
    this.bitmap = new BitmapAllocator(size, ipRangeOffset(size), random);
  }

  /** the error upstream's ipallocator gives, or undefined when ip is now allocated */
  allocate(ip: string): string | undefined {
    const n = parseIPv4(ip);
    const i = n === undefined ? -1 : n - this.base;
    if (i < 0 || i >= this.bitmap.size) return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`;
    return this.bitmap.allocate(i) ? undefined : 'provided IP is already allocated';
  }

  allocateNext(): string | undefined {
    const i = this.bitmap.allocateNext();
    return i === undefined ? undefined : formatIPv4(this.base + i);
  }

  release(ip: string): void {
    const n = parseIPv4(ip);
    if (n === undefined) return;
    const i = n - this.base;
    if (i >= 0 && i < this.bitmap.size) this.bitmap.release(i);
  }

  has(ip: string): boolean {
    const n = parseIPv4(ip);
    return n !== undefined && this.bitmap.has(n - this.base);
  }

  used(): number {
    return this.bitmap.count();
  }
}

export class PortAllocator {
  private readonly bitmap: BitmapAllocator;
  constructor(
    readonly base = NODE_PORT_RANGE.base,
    readonly size = NODE_PORT_RANGE.size,
    random?: () => number,
  ) {
    this.bitmap = new BitmapAllocator(size, portRangeOffset(size), random);
  }

  get range(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  allocate(port: number): string | undefined {
    const i = port - this.base;
    if (i < 0 || i >= this.size) return `provided port is not in the valid range. The range of valid ports is ${this.range}`;
    return this.bitmap.allocate(i) ? undefined : 'provided port is already allocated';
  }

  allocateNext(): number | undefined {
    const i = this.bitmap.allocateNext();
    return i === undefined ? undefined : this.base + i;
  }

  release(port: number): void {
    const i = port - this.base;
    if (i >= 0 && i < this.size) this.bitmap.release(i);
  }

  has(port: number): boolean {
    return this.bitmap.has(port - this.base);
  }

  used(): number {
    return this.bitmap.count();
  }
}

/** what one create or update allocated; commit after the write is stored, revert otherwise */
export interface AllocationTxn {
  commit(): void;
  revert(): void;
}

class Txn implements AllocationTxn {
  readonly ips: string[] = [];
  readonly ports: number[] = [];
  readonly releaseIPs: string[] = [];
  readonly releasePorts: number[] = [];
  private done = false;
  constructor(private readonly a: ServiceAllocator) {}
  commit(): void {
    if (this.done) return;
    this.done = true;
    for (const ip of this.releaseIPs) this.a.ipAllocator.release(ip);
    for (const p of this.releasePorts) this.a.portAllocator.release(p);
  }
  revert(): void {
    if (this.done) return;
    this.done = true;
    for (const ip of this.ips) this.a.ipAllocator.release(ip);
    for (const p of this.ports) this.a.portAllocator.release(p);
  }
}

const NOOP: AllocationTxn = { commit() {}, revert() {} };

const isService = (info: ResourceInfo) => info.group === '' && info.kind === 'Service';
const needsClusterIP = (svc: Obj) => svc.spec?.type !== 'ExternalName';
const needsNodePort = (svc: Obj) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
const needsHCNodePort = (svc: Obj) => svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
/** upstream shouldAllocateNodePorts */
const shouldAllocateNodePorts = (svc: Obj) =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);

const realIPs = (svc: Obj): string[] =>
  [...new Set<string>([...(svc.spec?.clusterIPs ?? []), ...(svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])])].filter((ip) => ip && ip !== 'None');
const nodePorts = (svc: Obj): number[] => [
  ...new Set<number>([...(svc.spec?.ports ?? []).map((p: any) => p.nodePort).filter((n: unknown) => typeof n === 'number' && n > 0), ...(svc.spec?.healthCheckNodePort ? [svc.spec.healthCheckNodePort] : [])]),
];

export interface ServiceAllocatorOptions {
  serviceCIDR?: string;
  nodePortRange?: { base: number; size: number };
  random?: () => number;
}

export class ServiceAllocator {
  readonly ipAllocator: IPAllocator;
  readonly portAllocator: PortAllocator;
  private loading?: Promise<void>;

  constructor(
    /** the stored services the allocators are rebuilt from on first use (undefined: start empty) */
    private readonly load?: () => Promise<Obj[]>,
    opts: ServiceAllocatorOptions = {},
  ) {
    this.ipAllocator = new IPAllocator(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR, opts.random);
    const range = opts.nodePortRange ?? NODE_PORT_RANGE;
    this.portAllocator = new PortAllocator(range.base, range.size, opts.random);
  }

  /** allocators backed by the services in a store */
  static forStore(store: Store, opts: ServiceAllocatorOptions = {}): ServiceAllocator {
    const info = resourceFor('', 'v1', 'services')!;
    return new ServiceAllocator(async () => {
      const out: Obj[] = [];
      let startAfter: string | undefined;
      let revision: number | undefined;
      for (;;) {
        const page = await store.list(storagePrefix(info), { startAfter, revision, limit: 500 });
        revision = page.revision;
        for (const kv of page.items) out.push(decodeStored(kv.value, kv.modRevision) as unknown as Obj);
        if (!page.more || !page.items.length) return out;
        startAfter = page.items[page.items.length - 1].key;
      }
    }, opts);
  }

  /** wait until the allocators hold every stored service's values */
  ready(): Promise<void> {
    if (!this.loading) {
      this.loading = (async () => {
        for (const svc of (await this.load?.()) ?? []) this.mark(svc);
      })();
      this.loading.catch(() => (this.loading = undefined));
    }
    return this.loading;
  }

  private mark(svc: Obj): void {
    if (needsClusterIP(svc)) for (const ip of realIPs(svc)) this.ipAllocator.allocate(ip);
    for (const p of nodePorts(svc)) this.portAllocator.allocate(p);
  }

  /**
   * PrepareForUpdate's part for services (patchAllocatedValues and dropTypeDependentFields):
   * values the update omits are kept, values a type change no longer needs are dropped
   */
  prepareUpdate(info: ResourceInfo, next: Obj, old: Obj): void {
    if (!isService(info)) return;
    const n = (next.spec ??= {});
    const o = old.spec ?? {};
    // patchAllocatedValues
    if (needsClusterIP(old) && needsClusterIP(next)) {
      if (!n.clusterIP && o.clusterIP) n.clusterIP = o.clusterIP;
      if (!n.clusterIPs?.length && o.clusterIPs?.length) n.clusterIPs = [...o.clusterIPs];
    }
    if (needsNodePort(old) && needsNodePort(next)) {
      const usedBy = (s: Record<string, any>) => new Set<number>((s.ports ?? []).map((p: any) => p.nodePort).filter(Boolean));
      const newUsed = usedBy(n);
      const used = new Set([...usedBy(o)].filter((x) => newUsed.has(x)));
      const byName = new Map<string, number>((o.ports ?? []).map((p: any) => [p.name ?? '', p.nodePort ?? 0]));
      for (const p of n.ports ?? []) {
        if (!p.nodePort) {
          const was = byName.get(p.name ?? '') ?? 0;
          if (was && !used.has(was)) p.nodePort = was;
        }
      }
    }
    if (needsHCNodePort(old) && needsHCNodePort(next) && !n.healthCheckNodePort && o.healthCheckNodePort) n.healthCheckNodePort = o.healthCheckNodePort;
    // NormalizeClusterIPs: a changed clusterIP with unchanged clusterIPs takes them along
    if (n.clusterIP && (!n.clusterIPs?.length || (n.clusterIP !== o.clusterIP && JSON.stringify(n.clusterIPs) === JSON.stringify(o.clusterIPs)))) {
      n.clusterIPs = [n.clusterIP];
    }
    // dropTypeDependentFields
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (needsClusterIP(old) && !needsClusterIP(next)) {
      if (same(n.clusterIP, o.clusterIP) && same(n.clusterIPs, o.clusterIPs)) {
        delete n.clusterIP;
        delete n.clusterIPs;
      }
      if (same(n.ipFamilies, o.ipFamilies)) delete n.ipFamilies;
      if (same(n.ipFamilyPolicy, o.ipFamilyPolicy)) delete n.ipFamilyPolicy;
    }
    const portsOf = (s: Record<string, any>) => (s.ports ?? []).map((p: any) => p.nodePort ?? 0);
    if (needsNodePort(old) && !needsNodePort(next) && same(portsOf(n), portsOf(o))) {
      for (const p of n.ports ?? []) delete p.nodePort;
    }
    if (needsHCNodePort(old) && !needsHCNodePort(next) && same(n.healthCheckNodePort, o.healthCheckNodePort)) delete n.healthCheckNodePort;
    if (o.type === 'LoadBalancer' && n.type !== 'LoadBalancer') {
      if (n.allocateLoadBalancerNodePorts != null && n.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete n.allocateLoadBalancerNodePorts;
      if (same(n.loadBalancerClass, o.loadBalancerClass)) delete n.loadBalancerClass;
    }
    const external = (s: Record<string, any>) => s.type === 'NodePort' || s.type === 'LoadBalancer' || (s.externalIPs?.length ?? 0) > 0;
    if (external(o) && !external(n) && same(n.externalTrafficPolicy, o.externalTrafficPolicy)) delete n.externalTrafficPolicy;
  }

  /** allocate what a new service needs (after validation); mutates svc */
  async allocateCreate(info: ResourceInfo, svc: Obj): Promise<AllocationTxn> {
    if (!isService(info)) return NOOP;
    await this.ready();
    const txn = new Txn(this);
    try {
      svc.spec ??= {};
      if (needsClusterIP(svc)) this.allocClusterIP(svc, txn);
      if (needsNodePort(svc)) this.initNodePorts(svc, txn);
      if (needsHCNodePort(svc)) this.allocHealthCheckNodePort(svc, txn);
    } catch (e) {
      txn.revert();
      throw e;
    }
    return txn;
  }

  /** allocate and release what an update changes (after validation); mutates next */
  async allocateUpdate(info: ResourceInfo, next: Obj, old: Obj): Promise<AllocationTxn> {
    if (!isService(info)) return NOOP;
    await this.ready();
    const txn = new Txn(this);
    try {
      // cluster IPs
      if (!needsClusterIP(old) && needsClusterIP(next)) this.allocClusterIP(next, txn);
      else if (needsClusterIP(old) && !needsClusterIP(next)) txn.releaseIPs.push(...realIPs(old));
      // node ports
      const oldPorts = nodePorts({ metadata: {}, spec: { ports: old.spec?.ports } });
      if (needsNodePort(next)) this.updateNodePorts(next, oldPorts, txn);
      else if (needsNodePort(old)) txn.releasePorts.push(...oldPorts);
      // health check node port
      const oldHC: number = old.spec?.healthCheckNodePort ?? 0;
      const newHC: number = next.spec?.healthCheckNodePort ?? 0;
      if (needsHCNodePort(next)) {
        if (!needsHCNodePort(old) || !oldHC) this.allocHealthCheckNodePort(next, txn);
        else if (newHC !== oldHC) {
          // upstream forbids changing it in validation; keep the old one
          next.spec!.healthCheckNodePort = oldHC;
        }
      } else if (needsHCNodePort(old) && oldHC) {
        txn.releasePorts.push(oldHC);
        delete next.spec!.healthCheckNodePort;
      }
    } catch (e) {
      txn.revert();
      throw e;
    }
    return txn;
  }

  /** give back what a deleted service held */
  async release(info: ResourceInfo, svc: Obj): Promise<void> {
    if (!isService(info)) return;
    await this.ready();
    if (needsClusterIP(svc)) for (const ip of realIPs(svc)) this.ipAllocator.release(ip);
    for (const p of nodePorts(svc)) this.portAllocator.release(p);
  }

  private allocClusterIP(svc: Obj, txn: Txn): void {
    const spec = svc.spec!;
    const name = svc.metadata.name ?? '';
    if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
    if (spec.clusterIP === 'None') {
      // headless: nothing to allocate; without a selector upstream asks for both families
      spec.clusterIPs = ['None'];
      if (!spec.ipFamilyPolicy && !Object.keys(spec.selector ?? {}).length) spec.ipFamilyPolicy = 'RequireDualStack';
      return;
    }
    if (spec.clusterIP) {
      spec.clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP];
      if (parseIPv4(spec.clusterIP) === undefined) {
        throw invalid('Service', '', name, [fieldErrors.invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')]);
      }
      const err = this.ipAllocator.allocate(spec.clusterIP);
      if (err) throw invalid('Service', '', name, [fieldErrors.invalid('spec.clusterIPs', spec.clusterIPs, `failed to allocate IP ${spec.clusterIP}: ${err}`)]);
      txn.ips.push(spec.clusterIP);
      return;
    }
    const ip = this.ipAllocator.allocateNext();
    if (!ip) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
    txn.ips.push(ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private allocPort(port: number, field: string, name: string, txn: Txn): void {
    const err = this.portAllocator.allocate(port);
    if (err) throw invalid('Service', '', name, [fieldErrors.invalid(field, port, err) as FieldError]);
    txn.ports.push(port);
  }

  private nextPort(txn: Txn): number {
    const p = this.portAllocator.allocateNext();
    if (p === undefined) throw internalError(new Error('failed to allocate a nodePort: range is full'));
    txn.ports.push(p);
    return p;
  }

  /** upstream initNodePorts: one node port per service port number (shared across protocols) */
  private initNodePorts(svc: Obj, txn: Txn): void {
    const ports: any[] = svc.spec!.ports ?? [];
    const name = svc.metadata.name ?? '';
    const byPort = new Map<number, number>();
    ports.forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
      const allocated = byPort.get(sp.port) ?? 0;
      if (!allocated) {
        const requested = ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort ?? 0;
        if (requested) {
          this.allocPort(requested, `spec.ports[${i}].nodePort`, name, txn);
          sp.nodePort = requested;
        } else sp.nodePort = this.nextPort(txn);
        byPort.set(sp.port, sp.nodePort);
      } else if (sp.nodePort !== allocated) {
        if (!sp.nodePort) sp.nodePort = allocated;
        else this.allocPort(sp.nodePort, `spec.ports[${i}].nodePort`, name, txn);
      }
    });
  }

  /** upstream updateNodePorts: keep old values, allocate new requests and missing ones, release the rest */
  private updateNodePorts(svc: Obj, oldPorts: number[], txn: Txn): void {
    const ports: any[] = svc.spec!.ports ?? [];
    const name = svc.metadata.name ?? '';
    const done = new Set<number>();
    ports.forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
      if (sp.nodePort) {
        if (!oldPorts.includes(sp.nodePort) && !done.has(sp.nodePort)) {
          this.allocPort(sp.nodePort, `spec.ports[${i}].nodePort`, name, txn);
          done.add(sp.nodePort);
        }
      } else sp.nodePort = this.nextPort(txn);
    });
    const now = new Set(ports.map((p) => p.nodePort).filter(Boolean));
    for (const p of oldPorts) if (!now.has(p)) txn.releasePorts.push(p);
  }

  private allocHealthCheckNodePort(svc: Obj, txn: Txn): void {
    const spec = svc.spec!;
    if (spec.healthCheckNodePort) {
      const err = this.portAllocator.allocate(spec.healthCheckNodePort);
      if (err) throw internalError(new Error(`failed to allocate requested HealthCheck NodePort ${spec.healthCheckNodePort}: ${err}`));
      txn.ports.push(spec.healthCheckNodePort);
    } else spec.healthCheckNodePort = this.nextPort(txn);
  }
}
