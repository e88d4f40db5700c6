import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/memory.js';
import { FakeClock } from '../clock/clock.js';
import { R, type KubeObject } from '../client/types.js';
import { ApiError } from '../api/errors.js';
import { Registry } from './registry.js';
import { BitmapAllocator, IPAllocator, PortAllocator, ServiceAllocator, formatIPv4, parseIPv4 } from './services.js';

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

async function registry(): Promise<Registry> {
  const r = new Registry(new MemoryStore(), new FakeClock());
  await r.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return r;
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a failure');
}

describe('allocators', () => {
  it('parses and formats IPv4', () => {
    expect(formatIPv4(parseIPv4('10.96.0.10')!)).toBe('10.96.0.10');
    expect(parseIPv4('10.96.0.256')).toBeUndefined();
    expect(parseIPv4('010.1.1.1')).toBeUndefined();
  });

  it('bitmap: allocates upper block first, then lower, then reports full', () => {
    const b = new BitmapAllocator(6, 4, () => 0);
    expect([b.allocateNext(), b.allocateNext()]).toEqual([4, 5]);
    expect([b.allocateNext(), b.allocateNext(), b.allocateNext(), b.allocateNext()]).toEqual([0, 1, 2, 3]);
    expect(b.allocateNext()).toBeUndefined();
    b.release(2);
    expect(b.allocateNext()).toBe(2);
  });

  it('IP allocator: range, taken, release, dynamic IPs avoid the low block', () => {
    const a = new IPAllocator('10.96.0.0/16');
    expect(a.allocate('10.96.0.10')).toBeUndefined();
    expect(a.allocate('10.96.0.10')).toBe('provided IP is already allocated');
    expect(a.allocate('10.97.0.1')).toBe('the provided IP (10.97.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16');
    expect(a.allocate('10.96.0.0')).toMatch(/not in the valid range/);
    expect(a.allocate('10.96.255.255')).toMatch(/not in the valid range/);
    a.release('10.96.0.10');
    expect(a.allocate('10.96.0.10')).toBeUndefined();
    for (let i = 0; i < 200; i++) {
      const ip = a.allocateNext()!;
      const n = parseIPv4(ip)! - parseIPv4('10.96.0.1')!;
      expect(n).toBeGreaterThanOrEqual(256);
    }
  });

  it('port allocator: 30000-32767 with upstream messages', () => {
    const p = new PortAllocator();
    expect(p.allocate(30080)).toBeUndefined();
    expect(p.allocate(30080)).toBe('provided port is already allocated');
    expect(p.allocate(29999)).toBe('provided port is not in the valid range. The range of valid ports is 30000-32767');
    const n = p.allocateNext()!;
    expect(n).toBeGreaterThanOrEqual(30086);
    expect(n).toBeLessThanOrEqual(32767);
  });

  it('a small port range fills up and every port is handed out once', async () => {
    const a = new ServiceAllocator(undefined, { nodePortRange: { base: 30000, size: 20 } });
    const info = { group: '', kind: 'Service' } as any;
    const got: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => a.allocateCreate(info, { metadata: { name: `s${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as any).then(() => got.push(0))),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(20);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.message).toBe('Internal error occurred: failed to allocate a nodePort: range is full');
    expect(a.portAllocator.used()).toBe(20);
  });
});

describe('service allocation through the registry', () => {
  it('allocates a ClusterIP and fills ipFamilies, ipFamilyPolicy, clusterIPs', async () => {
    const r = await registry();
    const s = (await r.create(R.services, 'default', svc('web', {}))) as any;
    expect(s.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
    expect(s.spec.ipFamilies).toEqual(['IPv4']);
    expect(s.spec.ipFamilyPolicy).toBe('SingleStack');
    expect(s.spec.ports[0].nodePort).toBeUndefined();
  });

  it('honours a requested clusterIP and refuses a taken one with upstream message', async () => {
    const r = await registry();
    const a = (await r.create(R.services, 'default', svc('a', { clusterIP: '10.96.0.5' }))) as any;
    expect(a.spec.clusterIPs).toEqual(['10.96.0.5']);
    const err = await failure(r.create(R.services, 'default', svc('b', { clusterIP: '10.96.0.5' })));
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    );
    // after delete the IP is free again
    await r.delete(R.services, 'default', 'a');
    const b = (await r.create(R.services, 'default', svc('b', { clusterIP: '10.96.0.5' }))) as any;
    expect(b.spec.clusterIP).toBe('10.96.0.5');
  });

  it('headless services get no IP', async () => {
    const r = await registry();
    const s = (await r.create(R.services, 'default', svc('h', { clusterIP: 'None' }))) as any;
    expect(s.spec.clusterIPs).toEqual(['None']);
    expect(s.spec.ipFamilyPolicy).toBe('SingleStack');
    expect(r.services.ipAllocator.used()).toBe(0);
  });

  it('NodePort: requested port honoured, taken port refused, same port kept on update, released on type change', async () => {
    const r = await registry();
    const a = (await r.create(R.services, 'default', svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))) as any;
    expect(a.spec.ports[0].nodePort).toBe(30080);
    expect(a.spec.externalTrafficPolicy).toBe('Cluster');
    const err = await failure(r.create(R.services, 'default', svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
    expect(err.message).toBe('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    // the failed create gave back its ClusterIP
    expect(r.services.ipAllocator.used()).toBe(1);
    const b = (await r.create(R.services, 'default', svc('b', { type: 'NodePort' }))) as any;
    expect(b.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    // an update that omits nodePort and clusterIP keeps them
    const { clusterIP, clusterIPs, ...rest } = b.spec;
    void clusterIP, void clusterIPs;
    const upd = (await r.update(R.services, 'default', { ...b, spec: { ...rest, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] } })) as any;
    expect(upd.spec.ports[0].nodePort).toBe(b.spec.ports[0].nodePort);
    expect(upd.spec.clusterIP).toBe(b.spec.clusterIP);
    // NodePort -> ClusterIP: node port dropped and released, externalTrafficPolicy dropped
    const cip = (await r.patch(R.services, 'default', 'a', 'merge', { spec: { type: 'ClusterIP' } })) as any;
    expect(cip.spec.ports[0].nodePort).toBeUndefined();
    expect(cip.spec.externalTrafficPolicy).toBeUndefined();
    expect(r.services.portAllocator.has(30080)).toBe(false);
    const c = (await r.create(R.services, 'default', svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))) as any;
    expect(c.spec.ports[0].nodePort).toBe(30080);
    // ClusterIP -> NodePort allocates one
    const np = (await r.patch(R.services, 'default', 'a', 'merge', { spec: { type: 'NodePort' } })) as any;
    expect(np.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(r.services.portAllocator.used()).toBe(3);
  });

  it('dry-run allocates nothing; out-of-range is a validation error', async () => {
    const r = await registry();
    const s = (await r.create(R.services, 'default', svc('d', { type: 'NodePort' }), { dryRun: ['All'] })) as any;
    expect(s.spec.clusterIP).toMatch(/^10\.96\./);
    expect(r.services.ipAllocator.used()).toBe(0);
    expect(r.services.portAllocator.used()).toBe(0);
    const err = await failure(r.create(R.services, 'default', svc('e', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })));
    expect(err.message).toBe('Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  it('ExternalName services hold nothing; changing to ClusterIP allocates, back releases', async () => {
    const r = await registry();
    const s = (await r.create(R.services, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { type: 'ExternalName', externalName: 'example.com' } })) as any;
    expect(s.spec.clusterIP).toBeUndefined();
    const c = (await r.patch(R.services, 'default', 'x', 'merge', { spec: { type: 'ClusterIP', externalName: null, ports: [{ port: 80 }] } })) as any;
    expect(c.spec.clusterIP).toMatch(/^10\.96\./);
    expect(r.services.ipAllocator.has(c.spec.clusterIP)).toBe(true);
    const e = (await r.patch(R.services, 'default', 'x', 'merge', { spec: { type: 'ExternalName', externalName: 'example.com' } })) as any;
    expect(e.spec.clusterIP).toBeUndefined();
    expect(r.services.ipAllocator.used()).toBe(0);
  });

  it('concurrent creates never share an IP or a port, and a new registry rebuilds from the store', async () => {
    const store = new MemoryStore();
    const r = new Registry(store, new FakeClock());
    await r.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const created = (await Promise.all(Array.from({ length: 40 }, (_, i) => r.create(R.services, 'default', svc(`s${i}`, { type: 'NodePort' }))))) as any[];
    expect(new Set(created.map((s) => s.spec.clusterIP)).size).toBe(40);
    expect(new Set(created.map((s) => s.spec.ports[0].nodePort)).size).toBe(40);
    const r2 = new Registry(store, new FakeClock());
    const err = await failure(r2.create(R.services, 'default', svc('t', { type: 'NodePort', ports: [{ port: 80, nodePort: created[7].spec.ports[0].nodePort }] })));
    expect(err.message).toContain('provided port is already allocated');
    expect(r2.services.ipAllocator.used()).toBe(40);
  });
});
