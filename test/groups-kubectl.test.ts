// The remaining built-in groups of a kind 1.32 cluster with kubectl 1.20 and a current kubectl:
// discovery lists them, `kubectl create` makes them (protobuf bodies from kubectl 1.32), they
// print with upstream's columns and defaults, and explain reads their schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { KubectlRunner, kubectls, parseTable } from './helpers/kubectl.js';

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startCluster();
  await cluster.runtime.waitForNodesReady(30_000);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const GROUPS = [
  'apiregistration.k8s.io/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'storage.k8s.io/v1',
];

describe.each(kubectls())('built-in groups with kubectl $version', (k) => {
  let kc: KubectlRunner;
  const ns = `groups-${k.version.replace('.', '')}`;
  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'namespace', ns]);
  });

  it('api-versions and api-resources list every group a kind cluster serves', async () => {
    const versions = (await kc.ok(['api-versions'])).trim().split('\n');
    for (const gv of GROUPS) expect(versions).toContain(gv);
    const names = parseTable(await kc.ok(['api-resources', '-o', 'wide'])).map((r) => r[0]);
    for (const r of ['persistentvolumes', 'persistentvolumeclaims', 'resourcequotas', 'limitranges', 'podtemplates', 'ingresses', 'networkpolicies', 'storageclasses', 'csidrivers', 'runtimeclasses', 'horizontalpodautoscalers', 'flowschemas', 'certificatesigningrequests', 'apiservices', 'poddisruptionbudgets']) {
      expect(names).toContain(r);
    }
  });

  it('kubectl create ingress and quota; the columns and defaults are upstream', async () => {
    expect(await kc.ok(['create', 'ingress', 'web', '-n', ns, '--rule=foo.com/bar=svc1:8080,tls=my-cert'])).toBe('ingress.networking.k8s.io/web created\n');
    const ing = parseTable(await kc.ok(['get', 'ingress', '-n', ns]));
    expect(ing[0]).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    // ADDRESS is empty until an ingress controller reports one
    expect(ing[1].slice(0, 4)).toEqual(['web', '<none>', 'foo.com', '80, 443']);
    expect(JSON.parse(await kc.ok(['get', 'ingress', 'web', '-n', ns, '-o', 'json'])).status).toEqual({ loadBalancer: {} });
    expect(await kc.ok(['create', 'quota', 'q', '-n', ns, '--hard=pods=2,cpu=1'])).toBe('resourcequota/q created\n');
    expect(parseTable(await kc.ok(['get', 'quota', '-n', ns]))[0]).toEqual(['NAME', 'AGE', 'REQUEST', 'LIMIT']);
  });

  it('apply -f objects of the storage, node, autoscaling and networking groups', async () => {
    const manifest = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-${k.version.replace('.', '')}
provisioner: example.com/fast
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: gvisor-${k.version.replace('.', '')}
handler: runsc
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: ${ns}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny
  namespace: ${ns}
spec:
  podSelector: {matchLabels: {app: web}}
`;
    const out = await kc.ok(['apply', '-f', '-'], { stdin: manifest });
    expect(out.trim().split('\n').map((l) => l.replace(/ (created|configured)$/, ''))).toEqual([
      `storageclass.storage.k8s.io/fast-${k.version.replace('.', '')}`,
      `runtimeclass.node.k8s.io/gvisor-${k.version.replace('.', '')}`,
      'horizontalpodautoscaler.autoscaling/web',
      'networkpolicy.networking.k8s.io/deny',
    ]);
    const sc = parseTable(await kc.ok(['get', 'sc', `fast-${k.version.replace('.', '')}`]));
    expect(sc[1].slice(0, 5)).toEqual([`fast-${k.version.replace('.', '')}`, 'example.com/fast', 'Delete', 'Immediate', 'false']);
    const hpa = JSON.parse(await kc.ok(['get', 'hpa', 'web', '-n', ns, '-o', 'json']));
    expect(hpa.spec.minReplicas).toBe(1);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(parseTable(await kc.ok(['get', 'hpa', '-n', ns]))[1].slice(0, 6)).toEqual(['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', '5', '0']);
    expect(JSON.parse(await kc.ok(['get', 'netpol', 'deny', '-n', ns, '-o', 'json'])).spec.policyTypes).toEqual(['Ingress']);
  });

  it('explain reads the new groups from the OpenAPI document', async () => {
    expect(await kc.ok(['explain', 'ingress.spec.rules.host'])).toContain('host');
    expect(await kc.ok(['explain', 'pdb.spec.minAvailable'])).toContain('minAvailable');
  });
});
