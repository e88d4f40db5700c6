// Published CustomResourceDefinitions (cert-manager's Certificate, the Prometheus operator's
// ServiceMonitor and PrometheusRule; test/data/crds/README.md has their sources) apply unchanged
// with both kubectls, and their objects are served as a 1.32 apiserver serves them: printer
// columns, schema defaults and validation messages, explain, client-side validation (1.20).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApiServer, type TestApiServer } from './helpers/apiserver.js';
import { KubectlRunner, kubectls, parseTable } from './helpers/kubectl.js';

const data = (f: string) => fileURLToPath(new URL(`./data/crds/${f}`, import.meta.url));
const CRDS = ['cert-manager.io_certificates.yaml', 'monitoring.coreos.com_servicemonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml'];

const CERTIFICATE = (name: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${name}
spec:
  secretName: ${name}-tls
  dnsNames: [example.com, www.example.com]
  issuerRef:
    name: letsencrypt
    kind: ClusterIssuer
`;

const SERVICE_MONITOR = (name: string, endpoint: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: ${name}
  labels: {team: frontend}
spec:
  selector:
    matchLabels: {app: web}
  endpoints:
  - ${endpoint}
`;

const PROMETHEUS_RULE = (name: string) => `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: ${name}
spec:
  groups:
  - name: example
    rules:
    - alert: HighRequestLatency
      expr: job:request_latency_seconds:mean5m{job="myjob"} > 0.5
      for: 10m
      labels: {severity: page}
    - record: job:up:sum
      expr: 1
`;

let api: TestApiServer;
beforeAll(async () => {
  api = await startTestApiServer();
});
afterAll(async () => {
  await api?.close();
});

describe.each(kubectls())('kubectl $version with published CRDs', (k) => {
  let kc: KubectlRunner;
  const v = k.version.replace('.', '');
  beforeAll(async () => {
    kc = new KubectlRunner(k, api.kubeconfig);
    for (const f of CRDS) await kc.ok(['apply', '-f', data(f)]);
    await kc.ok(['wait', '--for=condition=Established', '--timeout=10s', 'crd/certificates.cert-manager.io', 'crd/servicemonitors.monitoring.coreos.com', 'crd/prometheusrules.monitoring.coreos.com']);
  });

  it('Certificate: created with client-side validation on, printed with its columns', async () => {
    await kc.ok(['apply', '-f', kc.file('cert.yaml', CERTIFICATE(`site-${v}`))]);
    const rows = parseTable(await kc.ok(['get', 'certs']));
    expect(rows[0]).toEqual(['NAME', 'READY', 'SECRET', 'AGE']);
    // no Ready condition yet: the server sends a null cell, kubectl prints nothing there
    expect(rows.find((r) => r[0] === `site-${v}`)!.slice(0, 2)).toEqual([`site-${v}`, `site-${v}-tls`]);
    const wide = parseTable(await kc.ok(['get', 'certificate', `site-${v}`, '-o', 'wide']));
    expect(wide[0]).toEqual(['NAME', 'READY', 'SECRET', 'ISSUER', 'STATUS', 'EXPIRATION', 'AGE']);
    expect(wide[1].slice(0, 3)).toEqual([`site-${v}`, `site-${v}-tls`, 'letsencrypt']);
    // the cert-manager category (one kind in it: kubectl prints it without the type prefix)
    expect(parseTable(await kc.ok(['get', 'cert-manager'])).map((r) => r[0])).toContain(`site-${v}`);
    expect(await kc.ok(['explain', 'certificate.spec.issuerRef'])).toContain('group');
  });

  it('Certificate: a missing required field is refused with its path', async () => {
    const bad = kc.file('bad-cert.yaml', CERTIFICATE(`nosecret-${v}`).replace(/ {2}secretName: .*\n/, ''));
    const server = await kc.run(['create', '--validate=false', '-f', bad]);
    expect(server.stderr).toContain(`The Certificate "nosecret-${v}" is invalid: spec.secretName: Required value`);
    if (k.version === '1.20') {
      // kubectl 1.20 validates against /openapi/v2 first, where the CRD's schema is published
      const client = await kc.run(['create', '-f', bad]);
      expect(client.stderr).toContain('missing required field "secretName" in io.cert-manager.v1.Certificate.spec');
    }
  });

  it('ServiceMonitor: enum and pattern violations with their list paths', async () => {
    await kc.ok(['apply', '-f', kc.file('sm.yaml', SERVICE_MONITOR(`web-${v}`, '{port: web, interval: 30s, scheme: https}'))]);
    const sm = JSON.parse(await kc.ok(['get', 'servicemonitor', `web-${v}`, '-o', 'json']));
    expect(sm.spec.endpoints).toEqual([{ port: 'web', interval: '30s', scheme: 'https' }]);
    const bad = await kc.run(['create', '--validate=false', '-f', kc.file('bad-sm.yaml', SERVICE_MONITOR(`bad-${v}`, '{port: web, interval: 30 seconds, scheme: ftp}'))]);
    expect(bad.stderr).toContain(`The ServiceMonitor "bad-${v}" is invalid`);
    expect(bad.stderr).toContain('spec.endpoints[0].scheme: Unsupported value: "ftp": supported values: "http", "https", "HTTP", "HTTPS"');
    expect(bad.stderr).toContain('spec.endpoints[0].interval: Invalid value: "30 seconds": spec.endpoints[0].interval in body should match');
    expect((await kc.ok(['get', 'servicemonitors', '-l', 'team=frontend', '-o', 'name'])).split('\n')).toContain(`servicemonitor.monitoring.coreos.com/web-${v}`);
  });

  it('PrometheusRule: int-or-string expressions and durations', async () => {
    await kc.ok(['apply', '-f', kc.file('rule.yaml', PROMETHEUS_RULE(`rules-${v}`))]);
    const rule = JSON.parse(await kc.ok(['get', 'prometheusrule', `rules-${v}`, '-o', 'json']));
    expect(rule.spec.groups[0].rules.map((r: { expr: unknown }) => r.expr)).toEqual(['job:request_latency_seconds:mean5m{job="myjob"} > 0.5', 1]);
    const bad = await kc.run(['create', '--validate=false', '-f', kc.file('bad-rule.yaml', PROMETHEUS_RULE(`badrule-${v}`).replace('expr: 1', 'expr: true'))]);
    expect(bad.stderr).toContain('spec.groups[0].rules[1].expr: Invalid value: "boolean": spec.groups[0].rules[1].expr in body must be of type integer,string: "boolean"');
  });
});
