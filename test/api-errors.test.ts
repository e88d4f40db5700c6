// Bad input is refused with upstream's error and changes nothing (issue: kindling core).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from './helpers/apiserver.js';
import { rawRequest } from './helpers/raw.js';
import { KubectlRunner, kubectls } from './helpers/kubectl.js';
import { R } from '../src/client/types.js';

const DS = (name: string, selectorApp: string, templateApp: string, extra = '') => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels:
      app: ${selectorApp}
  template:
    metadata:
      labels:
        app: ${templateApp}
    spec:
      containers:
      - name: agent
        image: busybox:1.36${extra}
`;

let t: TestApiServer;
beforeAll(async () => {
  t = await startTestApiServer();
});
afterAll(async () => {
  await t?.close();
});

async function dsCount(): Promise<number> {
  return (await t.server.client.list(R.daemonsets, 'default')).items.length;
}

describe('requests without a valid token', () => {
  it('get 401 Unauthorized, health endpoints excepted', async () => {
    const r = await rawRequest(t.server.url, { path: '/api/v1/namespaces', ca: t.caCert });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    const wrong = await rawRequest(t.server.url, { path: '/api/v1/namespaces', ca: t.caCert, token: 'nope' });
    expect(wrong.status).toBe(401);
    const health = await rawRequest(t.server.url, { path: '/readyz', ca: t.caCert });
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok');
  });
});

describe('malformed bodies', () => {
  it('malformed JSON is a 400 BadRequest and stores nothing', async () => {
    const before = await dsCount();
    const r = await rawRequest(t.server.url, {
      method: 'POST',
      path: '/apis/apps/v1/namespaces/default/daemonsets',
      ca: t.caCert,
      token: t.token,
      contentType: 'application/json',
      body: '{"apiVersion":"apps/v1","kind":"DaemonSet",',
    });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(await dsCount()).toBe(before);
  });

  it('malformed YAML is a 400 BadRequest', async () => {
    const r = await rawRequest(t.server.url, {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      ca: t.caCert,
      token: t.token,
      contentType: 'application/yaml',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: [name: x\n',
    });
    expect(r.status).toBe(400);
    expect(r.json().reason).toBe('BadRequest');
  });

  it('a body over the 3 MiB limit is 413 RequestEntityTooLarge', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024 + 10) } });
    const r = await rawRequest(t.server.url, {
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      ca: t.caCert,
      token: t.token,
      contentType: 'application/json',
      body: big,
    });
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
    await expect(t.server.client.get(R.configmaps, 'default', 'big')).rejects.toMatchObject({ code: 404 });
  });
});

describe.each(kubectls())('kubectl $version refuses bad input as upstream', (k) => {
  let kc: KubectlRunner;
  beforeAll(() => {
    kc = new KubectlRunner(k, t.kubeconfig);
  });

  it('a DaemonSet whose selector does not match its template labels (422 Invalid)', async () => {
    const f = kc.file('bad-selector.yaml', DS(`bad-${k.version.replace('.', '')}`, 'a', 'b'));
    const r = await kc.run(['apply', '-f', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `The DaemonSet "bad-${k.version.replace('.', '')}" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: \`selector\` does not match template \`labels\``,
    );
    await expect(t.server.client.get(R.daemonsets, 'default', `bad-${k.version.replace('.', '')}`)).rejects.toMatchObject({ code: 404 });
  });

  it('a missing namespace (404 NotFound)', async () => {
    const f = kc.file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n  namespace: nonexistent\n');
    const r = await kc.run(['create', '-f', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('namespaces "nonexistent" not found');
  });

  it('an existing object (409 AlreadyExists)', async () => {
    const r1 = await kc.run(['create', 'ns', `dup-${k.version.replace('.', '')}`]);
    expect(r1.code).toBe(0);
    expect(r1.stdout.trim()).toBe(`namespace/dup-${k.version.replace('.', '')} created`);
    const r2 = await kc.run(['create', 'ns', `dup-${k.version.replace('.', '')}`]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr.trim()).toBe(`Error from server (AlreadyExists): namespaces "dup-${k.version.replace('.', '')}" already exists`);
  });

  it('a stale resourceVersion on replace (409 Conflict)', async () => {
    const name = `cm-${k.version.replace('.', '')}`;
    await kc.ok(['create', 'configmap', name, '--from-literal=a=1']);
    const stale = JSON.parse(await kc.ok(['get', 'configmap', name, '-o', 'json']));
    await kc.ok(['patch', 'configmap', name, '--type=merge', '-p', '{"data":{"a":"2"}}']);
    stale.data.a = '3';
    const f = kc.file('stale.json', JSON.stringify(stale));
    const r = await kc.run(['replace', '-f', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
    const now = await t.server.client.get<any>(R.configmaps, 'default', name);
    expect(now.data.a).toBe('2');
  });
});

describe('unknown fields under fieldValidation=Strict', () => {
  it('kubectl 1.32 (Strict by default) gets upstream\'s strict decoding error', async () => {
    const k = kubectls().find((x) => x.version !== '1.20');
    const kc = new KubectlRunner(k ?? kubectls()[0], t.kubeconfig);
    const f = kc.file('unknown.yaml', DS('strict', 'x', 'x').replace('image: busybox:1.36', 'image: busybox:1.36\n        imagee: typo'));
    const args = ['create', '-f', f];
    // kubectl 1.20 never sends fieldValidation: ask the server directly in that case
    if (!k) {
      const r = await rawRequest(t.server.url, {
        method: 'POST',
        path: '/apis/apps/v1/namespaces/default/daemonsets?fieldValidation=Strict',
        ca: t.caCert,
        token: t.token,
        contentType: 'application/yaml',
        body: DS('strict', 'x', 'x').replace('image: busybox:1.36', 'image: busybox:1.36\n        imagee: typo'),
      });
      expect(r.status).toBe(400);
      expect(r.json().message).toBe('DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"');
      return;
    }
    const r = await kc.run(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].imagee"');
    await expect(t.server.client.get(R.daemonsets, 'default', 'strict')).rejects.toMatchObject({ code: 404 });
  });
});
