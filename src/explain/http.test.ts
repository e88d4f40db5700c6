// The explain API over the cluster's own HTTPS server: authentication, the documented shape,
// dry-run evaluation of a posted DaemonSet (defaulted and validated, never stored), errors as
// metav1.Status.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import https from 'node:https';
import { startCluster, type StartedCluster } from '../index.js';
import { R, type KubeObject } from '../client/types.js';
import { EXPLAIN_PREFIX } from './http.js';

let cluster: StartedCluster;
let token: string;
let ca: string;

const ds = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } },
  },
});

function call(method: string, path: string, body?: string, contentType = 'application/json', auth = true): Promise<{ status: number; body: any }> {
  const headers = { ...(auth ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { 'Content-Type': contentType } : {}) };
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, cluster.url), { method, headers, ca }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  cluster = await startCluster({ workers: 2 });
  token = /token: (\S+)/.exec(cluster.kubeconfig)![1];
  ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(cluster.kubeconfig)![1], 'base64').toString();
  await cluster.runtime.waitForNodesReady(20_000);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('explain API', () => {
  it('refuses requests without the cluster credentials', async () => {
    const r = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/x`, undefined, undefined, false);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });

  it('explains a stored DaemonSet, one node at a time on request', async () => {
    await cluster.client.create(R.daemonsets, 'default', ds('agent') as KubeObject);
    const r = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/agent`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ apiVersion: 'kindling/v1alpha1', kind: 'DaemonSetExplanation', daemonSet: { namespace: 'default', name: 'agent', stored: true, changed: false } });
    expect(r.body.totals).toEqual({ nodes: 3, willRun: 2, wontRun: 1 });
    expect(r.body.summary[0]).toMatchObject({ reason: 'WillRun', count: 2, message: '2 will run' });
    expect(r.body.summary[1]).toMatchObject({ reason: 'TaintNotTolerated', count: 1, message: '1 taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated', examples: ['kind-control-plane'] });
    const one = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/agent?node=kind-worker`);
    expect(one.body.nodes).toHaveLength(1);
    expect(one.body.nodes[0]).toMatchObject({ node: 'kind-worker', willRun: true, reasons: [] });
    const unknown = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/agent?node=nope`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('nodes "nope" not found');
  });

  it('404 for a DaemonSet that does not exist, 405 for other methods', async () => {
    const r = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/missing`);
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'daemonsets.apps "missing" not found' });
    expect((await call('DELETE', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/missing`)).status).toBe(405);
  });

  it('evaluates a posted DaemonSet (YAML too) without storing it', async () => {
    const yaml = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu-agent}
spec:
  selector: {matchLabels: {app: gpu}}
  template:
    metadata: {labels: {app: gpu}}
    spec:
      nodeSelector: {accelerator: nvidia}
      containers: [{name: c, image: busybox}]
`;
    const r = await call('POST', `${EXPLAIN_PREFIX}/daemonsets`, yaml, 'application/yaml');
    expect(r.status).toBe(200);
    expect(r.body.daemonSet).toMatchObject({ namespace: 'default', name: 'gpu-agent', stored: false });
    expect(r.body.summary.map((s: any) => s.message)).toEqual(['0 will run', '3 nodeSelector accelerator=nvidia: label missing']);
    await expect(cluster.client.get(R.daemonsets, 'default', 'gpu-agent')).rejects.toMatchObject({ code: 404 });
  });

  it('a changed template of a stored DaemonSet shows its pods as an old revision', async () => {
    for (let i = 0; i < 200; i++) {
      const now = await call('GET', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets/agent`);
      if (now.body.nodes.filter((n: any) => n.pods?.[0]?.bound).length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const changed = ds('agent', { terminationGracePeriodSeconds: 5 });
    const r = await call('POST', `${EXPLAIN_PREFIX}/namespaces/default/daemonsets`, JSON.stringify(changed));
    expect(r.status).toBe(200);
    expect(r.body.daemonSet).toMatchObject({ stored: true, changed: true });
    const withPods = r.body.nodes.filter((n: any) => n.pods);
    expect(withPods.map((n: any) => n.node)).toEqual(['kind-worker', 'kind-worker2']);
    for (const n of withPods) {
      expect(n.willRun).toBe(true);
      expect(n.reasons).toEqual([expect.objectContaining({ reason: 'OldRevision', blocking: false, strategy: 'RollingUpdate', pods: [n.pods[0].name] })]);
    }
    expect(r.body.summary.find((s: any) => s.reason === 'OldRevision')).toMatchObject({ count: 2, note: true, willRun: true });
  });

  it('refuses an invalid DaemonSet with upstream 422, and a namespace mismatch with 400', async () => {
    const bad = ds('bad');
    (bad.spec.template.metadata.labels as Record<string, string>).app = 'other';
    const r = await call('POST', `${EXPLAIN_PREFIX}/daemonsets`, JSON.stringify(bad));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Invalid' });
    expect(r.body.message).toContain('`selector` does not match template `labels`');
    const mismatch = await call('POST', `${EXPLAIN_PREFIX}/namespaces/kube-system/daemonsets`, JSON.stringify(ds('x')));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });
});
