// Services, endpoints and `kubectl top` with kubectl 1.20 and a current kubectl: the nginx
// DaemonSet and NodePort/LoadBalancer services of seed 004 (courselabs' labs/daemonsets), the
// allocation errors upstream gives, and the metrics.k8s.io API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCluster } from '../src/index.js';
import { KubectlRunner, kubectls, parseTable, eventually } from './helpers/kubectl.js';
import { startFourNodeCluster } from './helpers/cluster.js';

const MANIFESTS = (ns: string, nodePort: number) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: nginx
  namespace: ${ns}
  labels:
    kubernetes.courselabs.co: daemonsets
spec:
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
        - image: nginx:1.18-alpine
          name: nginx
          ports:
            - containerPort: 80
              name: http
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-np
  namespace: ${ns}
  labels:
    kubernetes.courselabs.co: daemonsets
spec:
  ports:
    - port: 8010
      targetPort: 80
      nodePort: ${nodePort}
  selector:
    app: nginx
  type: NodePort
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-lb
  namespace: ${ns}
  labels:
    kubernetes.courselabs.co: daemonsets
spec:
  ports:
    - port: 8010
      targetPort: http
  selector:
    app: nginx
  type: LoadBalancer
`;

let cluster: StartedCluster;
beforeAll(async () => {
  cluster = await startFourNodeCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describe.each(kubectls())('kubectl $version: services, endpoints, top', (k) => {
  let kc: KubectlRunner;
  const v = k.version.replace('.', '');
  const ns = `svc-${v}`;
  const nodePort = k.version === '1.20' ? 30010 : 30020;
  let podIPs: string[] = [];

  beforeAll(async () => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
    await kc.ok(['create', 'namespace', ns]);
    await kc.ok(['apply', '-f', '-'], { stdin: MANIFESTS(ns, nodePort) });
    // three workers (the control plane is tainted), each pod Running and Ready
    const rows = await eventually(async () => {
      const r = parseTable(await kc.ok(['get', 'po', '-l', 'app=nginx', '-o', 'wide', '-n', ns])).slice(1);
      return r.length === 3 && r.every((x) => x[1] === '1/1' && x[2] === 'Running') && r;
    }, 30_000);
    podIPs = rows.map((r) => r[5]).sort();
  });

  it('get svc: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S)', async () => {
    const rows = parseTable(await kc.ok(['get', 'svc', '-n', ns]));
    expect(rows[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    const lb = byName.get('nginx-lb')!;
    expect(lb[1]).toBe('LoadBalancer');
    expect(lb[2]).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(lb[3]).toBe('<pending>');
    expect(lb[4]).toMatch(/^8010:(3[0-2]\d{3})\/TCP$/);
    const np = byName.get('nginx-np')!;
    expect(np.slice(1, 5)).toEqual(['NodePort', np[2], '<none>', `8010:${nodePort}/TCP`]);
    expect(np[2]).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(np[2]).not.toBe(lb[2]);
    const wide = parseTable(await kc.ok(['get', 'svc', 'nginx-np', '-o', 'wide', '-n', ns]));
    expect(wide[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    expect(wide[1][6]).toBe('app=nginx');
    // the cluster's own services keep their fixed addresses
    const sys = parseTable(await kc.ok(['get', 'svc', '-A']));
    expect(sys.find((r) => r[1] === 'kubernetes')?.slice(2, 6)).toEqual(['ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
    expect(sys.find((r) => r[1] === 'kube-dns')?.slice(2, 6)).toEqual(['ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP']);
  });

  it('create service: a taken nodePort or clusterIP is refused as upstream does', async () => {
    const dupPort = await kc.run(['create', 'service', 'nodeport', 'dup', '--tcp=80:80', `--node-port=${nodePort}`, '-n', ns]);
    expect(dupPort.code).toBe(1);
    // kubectl create service prefixes the server's message
    expect(dupPort.stderr.trim()).toBe(`error: failed to create NodePort service: Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: ${nodePort}: provided port is already allocated`);
    const dupIP = await kc.run(['create', 'service', 'clusterip', 'dns2', '--tcp=53:53', '--clusterip=10.96.0.10', '-n', ns]);
    expect(dupIP.code).toBe(1);
    expect(dupIP.stderr.trim()).toBe(
      'error: failed to create ClusterIP service: Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    // a free one, then released on delete and reusable
    const port = nodePort + 1;
    expect(await kc.ok(['create', 'service', 'nodeport', 'extra', '--tcp=80:80', `--node-port=${port}`, '-n', ns])).toBe('service/extra created\n');
    const extra = parseTable(await kc.ok(['get', 'svc', 'extra', '-n', ns]));
    expect(extra[1][4]).toBe(`80:${port}/TCP`);
    await kc.ok(['delete', 'svc', 'extra', '-n', ns]);
    await kc.ok(['create', 'service', 'nodeport', 'extra2', '--tcp=80:80', `--node-port=${port}`, '-n', ns]);
    const headless = await kc.ok(['create', 'service', 'clusterip', 'hl', '--clusterip=None', '-n', ns]);
    expect(headless).toBe('service/hl created\n');
    expect(parseTable(await kc.ok(['get', 'svc', 'hl', '-n', ns]))[1].slice(1, 5)).toEqual(['ClusterIP', 'None', '<none>', '<none>']);
  });

  it('get endpoints nginx-np lists the pod IPs', async () => {
    // upstream's printer lists up to three addresses, then "+ N more..." (the three workers fit)
    const all = podIPs.map((ip) => `${ip}:80`).join(',');
    const rows = await eventually(async () => {
      const r = parseTable(await kc.ok(['get', 'endpoints', 'nginx-np', '-n', ns]));
      return r[1]?.[1] === all && r;
    }, 20_000);
    expect(rows[0]).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    const lb = parseTable(await kc.ok(['get', 'ep', 'nginx-lb', '-n', ns]));
    expect(lb[1][1]).toBe(all); // named target port "http" resolved to 80
    const slices = parseTable(await kc.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx-np', '-n', ns]));
    expect(slices[0]).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    expect(slices[1][0]).toMatch(/^nginx-np-[a-z0-9]{5}$/);
    expect(slices[1].slice(1, 4)).toEqual(['IPv4', '80', `${podIPs[0]},${podIPs[1]},${podIPs[2]}`]);
  });

  it('describe svc', async () => {
    const out = await kc.ok(['describe', 'svc', 'nginx-np', '-n', ns]);
    const ip = parseTable(await kc.ok(['get', 'svc', 'nginx-np', '-n', ns]))[1][2];
    const lines = out.split('\n').map((l) => l.replace(/\s+$/, ''));
    const expected = [
      'Name:                     nginx-np',
      `Namespace:                ${ns}`,
      'Labels:                   kubernetes.courselabs.co=daemonsets',
      'Selector:                 app=nginx',
      'Type:                     NodePort',
      ...(k.version === '1.20' ? [] : ['IP Family Policy:         SingleStack', 'IP Families:              IPv4']),
      `IP:                       ${ip}`,
      ...(k.version === '1.20' ? [] : [`IPs:                      ${ip}`]),
      'Port:                     <unset>  8010/TCP',
      'TargetPort:               80/TCP',
      `NodePort:                 <unset>  ${nodePort}/TCP`,
      `Endpoints:                ${podIPs.map((p) => `${p}:80`).join(',')}`,
      'Session Affinity:         None',
      'External Traffic Policy:  Cluster',
      'Events:                   <none>',
    ];
    for (const l of expected) expect(lines).toContain(l);
    // in upstream order
    const idx = expected.map((l) => lines.indexOf(l));
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('top nodes', async () => {
    const raw = JSON.parse(await kc.ok(['get', '--raw', '/apis/metrics.k8s.io/v1beta1/nodes']));
    expect(raw.kind).toBe('NodeMetricsList');
    expect(raw.items).toHaveLength(4);
    for (const m of raw.items) {
      expect(m.window).toBe('15s');
      expect(m.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(m.usage.cpu).toMatch(/^\d+(n|u|m)?$/);
      expect(m.usage.memory).toMatch(/^\d+(Ki|Mi|Gi)?$/);
    }
    const rows = parseTable(await kc.ok(['top', 'nodes']));
    expect(rows[0]).toEqual(k.version === '1.20' ? ['NAME', 'CPU(cores)', 'CPU%', 'MEMORY(bytes)', 'MEMORY%'] : ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual(raw.items.map((m: any) => m.metadata.name).sort());
    for (const r of rows.slice(1)) expect(r.slice(1)).toEqual([expect.stringMatching(/^\d+m$/), expect.stringMatching(/^\d+%$/), expect.stringMatching(/^\d+Mi$/), expect.stringMatching(/^\d+%$/)]);
    const missing = await kc.run(['top', 'node', 'no-such-node']);
    expect(missing.code).toBe(1);
  });

  it('top pods -l and --containers', async () => {
    const raw = JSON.parse(await kc.ok(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods?labelSelector=app%3Dnginx`]));
    expect(raw.kind).toBe('PodMetricsList');
    expect(raw.items).toHaveLength(3);
    const rows = parseTable(await kc.ok(['top', 'pods', '-l', 'app=nginx', '-n', ns]));
    expect(rows[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    const toMi = (q: string) => {
      const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q)!;
      const bytes = Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 } as Record<string, number>)[m[2] ?? ''] || Number(m[1]);
      return `${Math.floor(bytes / 1024 ** 2)}Mi`;
    };
    const toMilli = (q: string) => {
      const m = /^(\d+)(n|u|m)?$/.exec(q)!;
      const div = { n: 1e6, u: 1e3, m: 1 }[m[2] as 'n' | 'u' | 'm'] ?? 1e-3;
      return `${Math.floor(Number(m[1]) / div)}m`;
    };
    const expected = raw.items.map((m: any) => [m.metadata.name, toMilli(m.containers[0].usage.cpu), toMi(m.containers[0].usage.memory)]).sort();
    expect(rows.slice(1).sort()).toEqual(expected);
    const c = parseTable(await kc.ok(['top', 'pods', '-l', 'app=nginx', '--containers', '-n', ns]));
    expect(c[0]).toEqual(['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(c.slice(1).map((r) => r[1])).toEqual(['nginx', 'nginx', 'nginx']);
    const none = await kc.run(['top', 'pods', '-l', 'app=nothing', '-n', ns]);
    expect(none.stderr).toContain(`No resources found in ${ns} namespace.`);
  });
});
