import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/clock.js';
import { FakeClient } from '../../client/fake.js';
import { R, type KubeObject } from '../../client/types.js';
import { settle } from '../garbagecollector/testing.js';
import { EndpointsController, EndpointSliceController, computeSubsets, findPort } from './index.js';

const svc = (name: string, spec: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', ...(labels ? { labels } : {}) },
  spec: { type: 'ClusterIP', clusterIP: '10.96.1.2', selector: { app: 'nginx' }, ports: [{ port: 8010, targetPort: 80, protocol: 'TCP' }], ...spec },
});

const pod = (name: string, ip: string, node: string, opts: { ready?: boolean; labels?: Record<string, string>; ports?: unknown[]; deleting?: boolean; phase?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    labels: opts.labels ?? { app: 'nginx' },
    creationTimestamp: '2026-01-01T00:00:05Z',
    ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
  },
  spec: { nodeName: node, containers: [{ name: 'nginx', image: 'nginx', ports: opts.ports ?? [] }] },
  status: {
    phase: opts.phase ?? 'Running',
    podIP: ip,
    podIPs: ip ? [{ ip }] : [],
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:09Z' }],
  },
});

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

async function run(objs: { res: any; obj: KubeObject }[]) {
  const clock = new FakeClock();
  const client = new FakeClient(objs, { clock });
  const ep = new EndpointsController(client, clock);
  const es = new EndpointSliceController(client, clock);
  stops.push(() => ep.stop(), () => es.stop());
  await ep.start();
  await es.start();
  await settle();
  return client;
}

describe('EndpointsController', () => {
  it('lists ready and not-ready pods with resolved ports, sorted by IP', async () => {
    const client = await run([
      { res: R.services, obj: svc('nginx-np', {}, { 'kubernetes.courselabs.co': 'daemonsets' }) },
      { res: R.pods, obj: pod('b', '10.244.2.3', 'worker2') },
      { res: R.pods, obj: pod('a', '10.244.1.3', 'worker') },
      { res: R.pods, obj: pod('c', '10.244.3.3', 'worker3', { ready: false }) },
      { res: R.pods, obj: pod('other', '10.244.1.9', 'worker', { labels: { app: 'x' } }) },
      { res: R.pods, obj: pod('pending', '', 'worker') },
    ]);
    const ep = client.peek<any>(R.endpoints, 'default', 'nginx-np')!;
    expect(ep.metadata.labels).toEqual({ 'kubernetes.courselabs.co': 'daemonsets' });
    expect(ep.metadata.annotations).toEqual({ 'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:09Z' });
    expect(ep.subsets).toEqual([
      {
        addresses: [
          { ip: '10.244.1.3', nodeName: 'worker', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
          { ip: '10.244.2.3', nodeName: 'worker2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [{ ip: '10.244.3.3', nodeName: 'worker3', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
  });

  it('follows pod changes and deletes the endpoints with the service; leaves selectorless services alone', async () => {
    const manual = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [{ ip: '172.18.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] };
    const client = await run([
      { res: R.services, obj: svc('web') },
      { res: R.services, obj: svc('kubernetes', { selector: undefined, ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] }) },
      { res: R.endpoints, obj: manual as KubeObject },
    ]);
    expect(client.peek<any>(R.endpoints, 'default', 'web')!.subsets).toBeUndefined();
    await client.create(R.pods, 'default', pod('a', '10.244.1.3', 'worker'));
    await settle();
    expect(client.peek<any>(R.endpoints, 'default', 'web')!.subsets[0].addresses.map((a: any) => a.ip)).toEqual(['10.244.1.3']);
    // relabel: leaves the service
    await client.patch(R.pods, 'default', 'a', 'merge', { metadata: { labels: { app: 'other' } } });
    await settle();
    expect(client.peek<any>(R.endpoints, 'default', 'web')!.subsets).toBeUndefined();
    await client.delete(R.services, 'default', 'web');
    await settle();
    expect(client.peek(R.endpoints, 'default', 'web')).toBeUndefined();
    expect(client.peek<any>(R.endpoints, 'default', 'kubernetes')!.subsets).toEqual(manual.subsets);
  });

  it('named target ports resolve per pod; pods without the port are left out; terminating and finished pods are left out', () => {
    const s = svc('named', { ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9000, targetPort: 9100, protocol: 'TCP' }] }) as any;
    const p1 = pod('a', '10.244.1.3', 'n1', { ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }) as any;
    const p2 = pod('b', '10.244.2.3', 'n2') as any;
    const p3 = pod('c', '10.244.3.3', 'n3', { deleting: true }) as any;
    const p4 = pod('d', '10.244.4.3', 'n4', { phase: 'Succeeded' }) as any;
    expect(findPort(p1, s.spec.ports[0])).toBe(8080);
    expect(findPort(p2, s.spec.ports[0])).toBeUndefined();
    // upstream RepackSubsets: one subset per set of addresses offering the same ports
    const a = { ip: '10.244.1.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } };
    const b = { ip: '10.244.2.3', nodeName: 'n2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } };
    expect(computeSubsets(s, [p1, p2, p3, p4])).toEqual([
      { addresses: [a], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
      { addresses: [a, b], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
    ]);
  });

  it('headless services are labelled; publishNotReadyAddresses makes unready pods ready', () => {
    const s = svc('h', { clusterIP: 'None', publishNotReadyAddresses: true }) as any;
    const subsets = computeSubsets(s, [pod('a', '10.244.1.3', 'n1', { ready: false }) as any]);
    expect(subsets[0].addresses?.map((a) => a.ip)).toEqual(['10.244.1.3']);
    expect(subsets[0].notReadyAddresses).toBeUndefined();
  });
});

describe('EndpointSliceController', () => {
  it('creates a managed slice with conditions, nodeName, targetRef and ports', async () => {
    const client = await run([
      { res: R.services, obj: svc('nginx-np', { ports: [{ port: 8010, targetPort: 80, protocol: 'TCP' }] }, { app: 'nginx' }) },
      { res: R.pods, obj: pod('b', '10.244.2.3', 'worker2') },
      { res: R.pods, obj: pod('a', '10.244.1.3', 'worker', { ready: false }) },
      { res: R.pods, obj: pod('c', '10.244.3.3', 'worker3', { deleting: true }) },
    ]);
    const slices = client.all<any>(R.endpointslices);
    expect(slices).toHaveLength(1);
    const s = slices[0];
    expect(s.metadata.name).toMatch(/^nginx-np-[a-z0-9]{5}$/);
    expect(s.metadata.labels).toEqual({
      app: 'nginx',
      'kubernetes.io/service-name': 'nginx-np',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'nginx-np', uid: 'uid-svc-nginx-np', controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
    expect(s.endpoints).toEqual([
      { addresses: ['10.244.1.3'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'worker', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } },
      { addresses: ['10.244.2.3'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'worker2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } },
      { addresses: ['10.244.3.3'], conditions: { ready: false, serving: true, terminating: true }, nodeName: 'worker3', targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' } },
    ]);
  });

  it('keeps one placeholder slice when nothing matches, and updates it in place as pods come', async () => {
    const client = await run([{ res: R.services, obj: svc('web') }]);
    const [placeholder] = client.all<any>(R.endpointslices);
    expect(placeholder.endpoints).toEqual([]);
    expect(placeholder.ports).toEqual([]);
    await client.create(R.pods, 'default', pod('a', '10.244.1.3', 'worker'));
    await client.create(R.pods, 'default', pod('b', '10.244.1.4', 'worker'));
    await settle();
    const slices = client.all<any>(R.endpointslices);
    expect(slices.map((s) => s.metadata.name)).toEqual([placeholder.metadata.name]);
    expect(slices[0].endpoints.map((e: any) => e.addresses[0])).toEqual(['10.244.1.3', '10.244.1.4']);
    expect(slices[0].ports).toEqual([{ name: '', port: 80, protocol: 'TCP' }]);
  });

  it('splits more than 100 endpoints over slices', async () => {
    const pods = Array.from({ length: 130 }, (_, i) => ({ res: R.pods, obj: pod(`p${i}`, `10.244.${1 + Math.floor(i / 200)}.${i + 2}`, 'worker') }));
    const client = await run([{ res: R.services, obj: svc('big') }, ...pods]);
    const sizes = client.all<any>(R.endpointslices).map((s) => s.endpoints.length).sort((a, b) => a - b);
    expect(sizes).toEqual([30, 100]);
  });
});
