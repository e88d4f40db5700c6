// End to end: real kubectl (Debian's 1.20 and the preinstalled 1.32) runs `explain` and a
// validating `create --dry-run=client` against the documents served from a throwaway server.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, openapiV2Protobuf } from './gnostic.js';
import { loadSwagger, type JsonObject } from './swagger.js';
import { openapiV3Document, openapiV3Index } from './v3.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const KUBECTL_120 = join(REPO, '.cache/kubectl-1.20/usr/bin/kubectl');
const KUBECTL_132 = '/usr/bin/kubectl';

/** Debian's kubectl 1.20 into .cache/kubectl-1.20 (what scripts/get-kubectl.sh also does) */
function ensureKubectl120(): void {
  if (existsSync(KUBECTL_120)) return;
  const dir = mkdtempSync(join(tmpdir(), 'kindling-kubectl-'));
  const download = () => execFileSync('apt-get', ['download', 'kubernetes-client'], { cwd: dir, stdio: 'pipe' });
  try {
    download();
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'pipe' });
    download();
  }
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download kubernetes-client left no .deb');
  mkdirSync(join(REPO, '.cache/kubectl-1.20'), { recursive: true });
  execFileSync('dpkg', ['-x', join(dir, deb), join(REPO, '.cache/kubectl-1.20')]);
}

const requests: string[] = [];

function json(res: http.ServerResponse, body: unknown): void {
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

// just enough discovery for kubectl to map "daemonset" to apps/v1 DaemonSet
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(`${req.method} ${url.pathname}${url.search.replace(/[?&]timeout=[^&]*/, '')}`);
  const p = url.pathname;
  if (p === '/version') return json(res, { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' });
  if (p === '/api') return json(res, { kind: 'APIVersions', apiVersion: 'v1', versions: ['v1'], serverAddressByClientCIDRs: [] });
  if (p === '/apis') {
    const gv = { groupVersion: 'apps/v1', version: 'v1' };
    return json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }] });
  }
  const resource = (name: string, kind: string, shortNames: string[]) => ({
    name,
    singularName: kind.toLowerCase(),
    namespaced: true,
    kind,
    verbs: ['create', 'get', 'list', 'patch'],
    shortNames,
  });
  if (p === '/api/v1') {
    return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1', resources: [resource('pods', 'Pod', ['po'])] });
  }
  if (p === '/apis/apps/v1') {
    const resources = [resource('daemonsets', 'DaemonSet', ['ds'])];
    return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources });
  }
  if (p === '/openapi/v2') {
    res.setHeader('Content-Type', OPENAPI_V2_PROTOBUF_CONTENT_TYPE);
    return res.end(openapiV2Protobuf());
  }
  if (p === '/openapi/v3') return json(res, openapiV3Index());
  const v3 = p.startsWith('/openapi/v3/') ? openapiV3Document(p.slice('/openapi/v3/'.length)) : undefined;
  if (v3) {
    res.setHeader('Content-Type', 'application/json');
    return res.end(v3);
  }
  res.statusCode = 404;
  res.end('404 page not found');
});

let kubeconfig = '';
let manifest = '';

beforeAll(async () => {
  ensureKubectl120();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'kindling-explain-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- cluster: {server: "http://127.0.0.1:${port}"}`,
      '  name: c',
      'contexts:',
      '- context: {cluster: c, user: u}',
      '  name: c',
      'current-context: c',
      'users:',
      '- name: u',
      '  user: {}',
      '',
    ].join('\n'),
  );
  manifest = join(dir, 'ds.yaml');
  writeFileSync(
    manifest,
    'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x, namespace: default}\nspec:\n' +
      '  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n' +
      '    spec:\n      containers:\n      - name: c\n        imagee: nginx\n',
  );
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** run kubectl with a fresh HOME (no discovery or openapi cache); resolves with exit code and output */
function kubectl(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  const home = mkdtempSync(join(tmpdir(), 'kindling-home-'));
  return new Promise((resolve) => {
    execFile(
      bin,
      ['--kubeconfig', kubeconfig, ...args],
      { env: { PATH: process.env.PATH, HOME: home }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: stdout + stderr });
      },
    );
  });
}

const squash = (s: string) => s.replace(/\s+/g, ' ');

/** descriptions from the swagger that explain daemonset.spec.updateStrategy must show */
function expectedDescriptions(): string[] {
  const defs = loadSwagger().definitions;
  const props = (name: string) => defs[name]!.properties as { [k: string]: JsonObject };
  const strategy = props('io.k8s.api.apps.v1.DaemonSetUpdateStrategy');
  return [
    String(props('io.k8s.api.apps.v1.DaemonSetSpec').updateStrategy!.description),
    String(strategy.rollingUpdate!.description),
    String(strategy.type!.description),
  ];
}

describe('kubectl 1.20 against /openapi/v2 (protobuf)', () => {
  it('explains daemonset.spec.updateStrategy with the swagger descriptions', async () => {
    requests.length = 0;
    const { code, out } = await kubectl(KUBECTL_120, ['explain', 'daemonset.spec.updateStrategy']);
    expect(out).toContain('KIND:     DaemonSet');
    expect(out).toContain('RESOURCE: updateStrategy <Object>');
    for (const d of expectedDescriptions()) expect(squash(out)).toContain(squash(d));
    expect(out).toMatch(/rollingUpdate\t<Object>/);
    expect(code).toBe(0);
    expect(requests).toContain('GET /openapi/v2');
  });

  it('validates a manifest on the client with the served schemas', async () => {
    const { code, out } = await kubectl(KUBECTL_120, ['create', '--dry-run=client', '-f', manifest]);
    expect(out).toContain(
      'error validating data: ValidationError(DaemonSet.spec.template.spec.containers[0]): unknown field "imagee" in io.k8s.api.core.v1.Container',
    );
    expect(code).not.toBe(0);
  });
});

describe.runIf(existsSync(KUBECTL_132))('kubectl 1.32 against /openapi/v3', () => {
  it('explains daemonset.spec.updateStrategy from the apps/v1 document', async () => {
    requests.length = 0;
    const { code, out } = await kubectl(KUBECTL_132, ['explain', 'daemonset.spec.updateStrategy']);
    expect(out).toMatch(/GROUP:\s+apps\nKIND:\s+DaemonSet\nVERSION:\s+v1/);
    expect(out).toContain('FIELD: updateStrategy <DaemonSetUpdateStrategy>');
    expect(out).toContain('rollingUpdate\t<RollingUpdateDaemonSet>');
    for (const d of expectedDescriptions()) expect(squash(out)).toContain(squash(d));
    expect(code).toBe(0);
    expect(requests.some((r) => /^GET \/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/.test(r))).toBe(true);
  });

  it('trusts the server (fieldValidation listed on PATCH) and skips client-side validation', async () => {
    requests.length = 0;
    const { code, out } = await kubectl(KUBECTL_132, ['create', '--dry-run=client', '-f', manifest]);
    expect(out).toContain('daemonset.apps/x created (dry run)');
    expect(code).toBe(0);
    expect(requests).not.toContain('GET /openapi/v2');
  });
});
