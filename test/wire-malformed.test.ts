// Malformed input and query parameters get upstream's code, reason and message, and change
// nothing (issue #15 part 3 and 5): each probe below is one the issue lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from './helpers/apiserver.js';
import { rawRequest, type RawResponse } from './helpers/raw.js';
import { R } from '../src/client/types.js';

let t: TestApiServer;
beforeAll(async () => {
  t = await startTestApiServer();
});
afterAll(async () => {
  await t?.close();
});

const CM = '/api/v1/namespaces/default/configmaps';

function req(path: string, opts: { method?: string; body?: string; contentType?: string } = {}): Promise<RawResponse> {
  return rawRequest(t.server.url, { path, ca: t.caCert, token: t.token, contentType: opts.body !== undefined ? (opts.contentType ?? 'application/json') : undefined, ...opts });
}

async function configMapNames(): Promise<string[]> {
  return (await t.server.client.list(R.configmaps, 'default')).items.map((c) => c.metadata.name ?? '');
}

describe('bodies', () => {
  it('JSON nested deeper than 10,000 levels is a 400 from the decoder, not a stack overflow', async () => {
    const deep = (n: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${'['.repeat(n)}${']'.repeat(n)}}`;
    const r = await req(CM, { method: 'POST', body: deep(100_000) });
    expect(r.status).toBe(400);
    expect(r.json()).toMatchObject({
      reason: 'BadRequest',
      message: `ConfigMap in version "v1" cannot be handled as a ConfigMap: couldn't get version/kind; json parse error: invalid character '[' exceeded max depth`,
    });
    const objects = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    expect((await req(CM, { method: 'POST', body: objects })).status).toBe(400);
    // at the limit the document is decoded (and the unknown field dropped, as a typed decode does)
    const ok = await req(CM, { method: 'POST', body: deep(9_990) });
    expect(ok.status).toBe(201);
    await req(`${CM}/deep`, { method: 'DELETE' });
    expect(await configMapNames()).not.toContain('deep');
  });

  it('a duplicate field under fieldValidation=Strict is a 400 strict decoding error and stores nothing', async () => {
    const r = await req(`${CM}?fieldValidation=Strict`, {
      method: 'POST',
      body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1"},"data":{"b":"2"}}',
    });
    expect(r.status).toBe(400);
    expect(r.json().message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data"');
    expect(await configMapNames()).not.toContain('dup');
  });
});

describe('query parameters', () => {
  it('limit=abc and timeoutSeconds=abc are 400 with strconv.ParseInt\'s message', async () => {
    const limit = await req(`${CM}?limit=abc`);
    expect(limit.status).toBe(400);
    expect(limit.json()).toMatchObject({ reason: 'BadRequest', message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    const timeout = await req(`${CM}?watch=1&timeoutSeconds=abc`);
    expect(timeout.status).toBe(400);
    expect(timeout.json().message).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
  });

  it('a resourceVersion the store has not reached is 504 Too large resource version (NotOlderThan)', async () => {
    const r = await req(`${CM}?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`);
    expect(r.status).toBe(504);
    const s = r.json();
    expect(s.reason).toBe('Timeout');
    expect(s.message).toMatch(/^Timeout: Too large resource version: 999999999, current: \d+$/);
    expect(s.details).toEqual({ causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
  });

  it('booleans are converted as the parameter codec does: watch=True and watch= are watches, watch=FALSE and watch=0 are lists', async () => {
    await t.server.client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } });
    const watches = ['True', 'TRUE', 't', '1', 'true', 'yes', ''];
    const answers = await Promise.all(watches.map((v) => req(`${CM}?watch=${v}&timeoutSeconds=1`)));
    answers.forEach((r, i) => {
      expect(r.status, watches[i]).toBe(200);
      expect(r.body.split('\n')[0], watches[i]).toMatch(/^\{"type":"ADDED","object":\{"apiVersion":"v1","kind":"ConfigMap"/);
    });
    for (const v of ['False', 'FALSE', 'false', '0']) {
      const r = await req(`${CM}?watch=${v}`);
      expect(r.json().kind, v).toBe('ConfigMapList');
    }
  });

  it('invalid patch, create and delete options are 422 Invalid on meta.k8s.io options', async () => {
    await t.server.client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'opts' } });
    const force = await req(`${CM}/opts?force=true`, { method: 'PATCH', body: '{}', contentType: 'application/merge-patch+json' });
    expect(force.status).toBe(422);
    expect(force.json()).toMatchObject({
      reason: 'Invalid',
      message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueForbidden', field: 'force' }] },
    });
    const apply = await req(`${CM}/opts`, { method: 'PATCH', body: '{}', contentType: 'application/apply-patch+yaml' });
    expect(apply.status).toBe(422);
    expect(apply.json().message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const fv = await req(`${CM}?fieldValidation=Loud`, { method: 'POST', body: '{"metadata":{"name":"fv"}}' });
    expect(fv.status).toBe(422);
    expect(fv.json().message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loud": supported values: "", "Ignore", "Strict", "Warn"');
    const policy = await req(`${CM}/opts?propagationPolicy=Bogus`, { method: 'DELETE' });
    expect(policy.status).toBe(422);
    expect(policy.json().message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"');
    const both = await req(`${CM}/opts?propagationPolicy=Orphan&orphanDependents=false`, { method: 'DELETE' });
    expect(both.status).toBe(422);
    expect(both.json().message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
    expect(await configMapNames()).toContain('opts');
    expect(await configMapNames()).not.toContain('fv');
  });
});

describe('paths', () => {
  it('an unknown resource under a namespace, or an unserved subresource, is the generic 404', async () => {
    for (const path of ['/api/v1/namespaces/default/foos', '/api/v1/namespaces/default/pods/x/foo', '/api/v1/namespaces/default/configmaps/x/status']) {
      const r = await req(path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n');
    }
  });

  it('metav1.Status bodies are laid out as Go encodes them: field order, trailing newline', async () => {
    const r = await req(`${CM}/nope`);
    expect(r.body).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n');
  });
});

describe('unknown fields in every write path (Warn by default, Strict refuses, Ignore is silent)', () => {
  const DS = '/apis/apps/v1/namespaces/default/daemonsets';
  const ds = (name: string, extra = '') =>
    `{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"${name}"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"${extra}}]}}}}`;
  const warnings = (r: RawResponse) => String(r.headers.warning ?? '');
  const stored = async (name: string) => (await req(`${DS}/${name}`)).json();

  it('create and update prune them and warn; Strict refuses; Ignore says nothing', async () => {
    const created = await req(DS, { method: 'POST', body: ds('unk', ',"imagee":"x"') });
    expect(created.status).toBe(201);
    expect(warnings(created)).toBe('299 - "unknown field \\"spec.template.spec.containers[0].imagee\\""');
    expect((await stored('unk')).spec.template.spec.containers[0]).not.toHaveProperty('imagee');
    const strict = await req(`${DS}?fieldValidation=Strict`, { method: 'POST', body: ds('unk2', ',"imagee":"x"') });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"');
    expect((await req(`${DS}/unk2`)).status).toBe(404);
    const ignore = await req(`${DS}?fieldValidation=Ignore`, { method: 'POST', body: ds('unk3', ',"imagee":"x"') });
    expect(ignore.status).toBe(201);
    expect(ignore.headers.warning).toBeUndefined();
    const current = await stored('unk');
    current.spec.foo = 'bar';
    const updated = await req(`${DS}/unk`, { method: 'PUT', body: JSON.stringify(current) });
    expect(updated.status).toBe(200);
    expect(warnings(updated)).toBe('299 - "unknown field \\"spec.foo\\""');
    expect((await stored('unk')).spec).not.toHaveProperty('foo');
  });

  it('strategic merge, merge and JSON patches prune them and warn; Strict refuses and stores nothing', async () => {
    await req(DS, { method: 'POST', body: ds('patched') });
    const before = (await stored('patched')).metadata.resourceVersion;
    const smp = await req(`${DS}/patched`, { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: '{"spec":{"foo":"bar"},"updateStrategy":{"type":"OnDelete"}}' });
    expect(smp.status).toBe(200);
    expect(warnings(smp)).toBe('299 - "unknown field \\"spec.foo\\"", 299 - "unknown field \\"updateStrategy\\""');
    const after = await stored('patched');
    expect(after.spec).not.toHaveProperty('foo');
    expect(after).not.toHaveProperty('updateStrategy');
    expect(after.metadata.resourceVersion).toBe(before); // nothing but unknown fields: no change
    const merge = await req(`${DS}/patched`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: '{"spec":{"bar":1}}' });
    expect(warnings(merge)).toBe('299 - "unknown field \\"spec.bar\\""');
    const json = await req(`${DS}/patched`, { method: 'PATCH', contentType: 'application/json-patch+json', body: '[{"op":"add","path":"/spec/baz","value":1}]' });
    expect(warnings(json)).toBe('299 - "unknown field \\"spec.baz\\""');
    const strict = await req(`${DS}/patched?fieldValidation=Strict`, { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: '{"spec":{"foo":"bar","minReadySeconds":5}}' });
    expect(strict.status).toBe(400);
    expect(strict.json().message).toBe('DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.foo"');
    expect((await stored('patched')).spec.minReadySeconds ?? 0).toBe(0);
    const dup = await req(`${DS}/patched`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: '{"spec":{"minReadySeconds":1,"minReadySeconds":2}}' });
    expect(warnings(dup)).toBe('299 - "duplicate field \\"spec.minReadySeconds\\""');
  });
});
