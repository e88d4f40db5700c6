import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import https from 'node:https';
import { startCluster, type StartedCluster } from '../index.js';
import { parse } from 'yaml';
import { parseConditionArg, kubeletConditionReason } from './control.js';
import { daemonSetAvailable } from './daemon.js';
import { R } from '../client/types.js';

function request(c: StartedCluster, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const kc = parse(c.kubeconfig);
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, c.url),
      { method, ca, headers: { Authorization: `Bearer ${token ?? kc.users[0].user.token}`, 'Content-Type': typeof body === 'string' ? 'application/yaml' : 'application/json' } },
      (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: b ? JSON.parse(b) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('control channel /kindling/v1', () => {
  let c: StartedCluster;
  beforeAll(async () => {
    c = await startCluster({ name: 'ctl', workers: 1 });
    await c.runtime.waitForNodesReady(20_000);
  }, 30_000);
  afterAll(async () => c?.stop());

  it('needs the cluster token', async () => {
    const r = await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/stop', undefined, 'wrong');
    expect(r.status).toBe(401);
    expect(c.runtime.nodeNames()).toContain('ctl-worker');
  });

  it('sets a condition with kubelet\'s reason, and 404s an unknown node', async () => {
    const ok = await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/conditions', { type: 'DiskPressure', status: 'True' });
    expect(ok.status).toBe(200);
    const node = await c.client.get<any>(R.nodes, undefined, 'ctl-worker');
    const cond = node.status.conditions.find((x: any) => x.type === 'DiskPressure');
    expect([cond.status, cond.reason, cond.message]).toEqual(['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure']);

    const missing = await request(c, 'POST', '/kindling/v1/nodes/nope/stop');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'nodes "nope" not found', code: 404 });

    const bad = await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/conditions', { type: 'Ready', status: 'Maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('condition status: supported values: "True", "False", "Unknown"');
    expect((await request(c, 'GET', '/kindling/v1/nodes/ctl-worker/stop')).status).toBe(405);
  });

  it('replaces the lifecycle rules (YAML body), refuses invalid ones', async () => {
    const put = await request(c, 'PUT', '/kindling/v1/rules', 'rules:\n- name: slow\n  match: {image: "*slow*"}\n  start: {delayMs: 500}\n');
    expect(put.status).toBe(200);
    expect((await request(c, 'GET', '/kindling/v1/rules')).body).toEqual([{ name: 'slow', match: { image: '*slow*' }, start: { delayMs: 500 } }]);
    const bad = await request(c, 'PUT', '/kindling/v1/rules', { rules: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('invalid lifecycle rules: lifecycle rules: expected a list of rules (or {rules: [...]})');
  });

  it('stops and starts a node\'s kubelet: a stopped kubelet posts nothing', async () => {
    const pid = async () => (await c.client.get<any>(R.nodes, undefined, 'ctl-worker')).status.conditions.find((x: any) => x.type === 'PIDPressure').status;
    expect((await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/stop')).status).toBe(200);
    expect((await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/conditions', { type: 'PIDPressure', status: 'True' })).status).toBe(200);
    expect(await pid()).toBe('False');
    expect((await request(c, 'POST', '/kindling/v1/nodes/ctl-worker/start')).status).toBe(200);
    for (let i = 0; i < 50 && (await pid()) !== 'True'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await pid()).toBe('True');
  });
});

describe('helpers', () => {
  it('parses TYPE=STATUS', () => {
    expect(parseConditionArg('MemoryPressure=True')).toEqual({ type: 'MemoryPressure', status: 'True' });
    expect(() => parseConditionArg('Ready=true')).toThrow('invalid condition "Ready=true"');
    expect(() => parseConditionArg('=True')).toThrow();
  });

  it('knows kubelet\'s reasons for unhealthy conditions only', () => {
    expect(kubeletConditionReason('PIDPressure', 'True')).toEqual({ reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' });
    expect(kubeletConditionReason('Ready', 'False')?.reason).toBe('KubeletNotReady');
    expect(kubeletConditionReason('Ready', 'True')).toBeUndefined();
  });

  it('a DaemonSet is available when every desired pod is updated and available', () => {
    const ds = (status: object, generation = 1) => ({ metadata: { generation }, status: { observedGeneration: 1, ...status } }) as any;
    expect(daemonSetAvailable(ds({ desiredNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 3 }))).toBe(true);
    expect(daemonSetAvailable(ds({ desiredNumberScheduled: 3, numberAvailable: 2, updatedNumberScheduled: 3 }))).toBe(false);
    expect(daemonSetAvailable(ds({ desiredNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 2 }))).toBe(false);
    expect(daemonSetAvailable(ds({ desiredNumberScheduled: 0, numberAvailable: 0, updatedNumberScheduled: 0 }))).toBe(false);
    expect(daemonSetAvailable(ds({ desiredNumberScheduled: 3, numberAvailable: 3, updatedNumberScheduled: 3 }, 2))).toBe(false);
    expect(daemonSetAvailable(undefined)).toBe(false);
  });
});
