import { describe, expect, it } from 'vitest';
import { FakeClient } from '../client/fake.js';
import { R } from '../client/types.js';
import { MetricsApi, formatCPU, formatMemory, type UsageSource } from './metrics.js';

describe('metrics quantities', () => {
  it('CPU in canonical nanocores, memory in canonical binary SI', () => {
    expect(formatCPU(1.234567)).toBe('1234567n');
    expect(formatCPU(50)).toBe('50m');
    expect(formatCPU(2000)).toBe('2');
    expect(formatCPU(0.5)).toBe('500u');
    expect(formatMemory(12345 * 1024)).toBe('12345Ki');
    expect(formatMemory(5 * 1024 * 1024)).toBe('5Mi');
    expect(formatMemory(1000)).toBe('1000');
  });
});

describe('MetricsApi', () => {
  const usage: UsageSource = {
    nodeUsage: (n) => (n === 'n1' ? { cpu: 52, memory: 410 * 1024 * 1024 + 3 * 1024 } : undefined),
    podUsage: (ns, n) => (n === 'a' ? { cpu: 1, memory: 5 * 1024 * 1024, containers: [{ name: 'c', cpu: 1, memory: 5 * 1024 * 1024 }] } : n === 'b' ? { cpu: 0, memory: 0, containers: [] } : undefined),
  };
  const client = new FakeClient();
  client.seed(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'x' } } });
  client.seed(R.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });
  for (const [name, app] of [['a', 'web'], ['b', 'web'], ['c', 'db']]) client.seed(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app } } });
  const api = new MetricsApi({ client, usage, now: () => Date.parse('2026-01-01T00:00:37Z') });

  it('lists nodes with usage from the source; nodes without usage are left out', async () => {
    const list = (await api.listNodes()) as any;
    expect(list).toEqual({
      kind: 'NodeMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [
        {
          kind: 'NodeMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: { name: 'n1', creationTimestamp: '2026-01-01T00:00:37Z', labels: { zone: 'x' } },
          timestamp: '2026-01-01T00:00:30Z',
          window: '15s',
          usage: { cpu: '52m', memory: '419843Ki' },
        },
      ],
    });
    await expect(api.getNode('n2')).rejects.toThrow('nodemetrics.metrics.k8s.io "n2" not found');
  });

  it('lists pods by label selector; pods without running containers have no metrics', async () => {
    const list = (await api.listPods('default', { labelSelector: 'app=web' })) as any;
    expect(list.items.map((m: any) => [m.metadata.name, m.containers])).toEqual([['a', [{ name: 'c', usage: { cpu: '1m', memory: '5Mi' } }]]]);
    await expect(api.getPod('default', 'b')).rejects.toThrow('podmetrics.metrics.k8s.io "default/b" not found');
    await expect(api.getPod('default', 'zz')).rejects.toThrow('pod "zz" not found');
  });
});
