// End to end on a cluster whose nodes run containers as real, sandboxed processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { eventually, KubectlRunner, kubectls, parseTable } from './helpers/kubectl.js';

let cluster: StartedCluster;
let k: KubectlRunner;

beforeAll(async () => {
  cluster = await startCluster({ name: 'proc', workers: 1, runtime: 'process' });
  k = new KubectlRunner(kubectls()[0], cluster.kubeconfigPath);
}, 60_000);
afterAll(async () => cluster?.stop());

// seed 004: an init container writes the page into an emptyDir the app container serves
const seed004 = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: nginx}
spec:
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      tolerations: [{operator: Exists}]
      terminationGracePeriodSeconds: 1
      initContainers:
      - name: init
        image: busybox
        command: ['sh', '-c', 'echo "<h1>hello from $(hostname)</h1>" > /work/index.html']
        volumeMounts: [{name: html, mountPath: /work}]
      containers:
      - name: nginx
        image: nginx
        command: ['sh', '-c', 'cat /usr/share/nginx/html/index.html; exec sleep 3600']
        volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]
      volumes: [{name: html, emptyDir: {}}]
`;

describe('process runtime', () => {
  it("an init container's page reaches the app container through an emptyDir; kubectl logs -l shows real output", async () => {
    const ap = await k.run(['apply', '-f', '-'], { stdin: seed004 });
    expect(ap.stderr).toBe('');
    expect(ap.stdout).toBe('daemonset.apps/nginx created\n');
    const pods = await eventually(async () => {
      const r = await k.run(['get', 'pods', '-l', 'app=nginx', '--no-headers']);
      const rows = parseTable(r.stdout);
      return rows.length === 2 && rows.every((row) => row[1] === '1/1' && row[2] === 'Running') ? rows.map((row) => row[0]) : undefined;
    }, 30_000);
    const logs = await eventually(async () => {
      const r = await k.run(['logs', '-l', 'app=nginx']);
      return r.stdout.split('\n').filter(Boolean).length === 2 ? r.stdout : undefined;
    });
    expect(logs.split('\n').filter(Boolean).sort()).toEqual(pods.map((p) => `<h1>hello from ${p}</h1>`).sort());
  }, 60_000);

  it('a bad command leaves the pod in CrashLoopBackOff with restarts counting', async () => {
    const ap = await k.run(['run', 'bad', '--image=busybox', '--command', '--', 'sh', '-c', 'echo failing; exit 3']);
    expect(ap.stdout).toBe('pod/bad created\n');
    const row = await eventually(async () => {
      const r = parseTable((await k.run(['get', 'pod', 'bad', '--no-headers'])).stdout)[0];
      return r && r[2] === 'CrashLoopBackOff' && Number(r[3].split(' ')[0]) >= 1 ? r : undefined;
    }, 30_000);
    expect(row[1]).toBe('0/1');
    const st = JSON.parse((await k.run(['get', 'pod', 'bad', '-o', 'json'])).stdout).status.containerStatuses[0];
    expect(st.lastState.terminated.exitCode).toBe(3);
    expect(st.lastState.terminated.reason).toBe('Error');
    expect(st.state.waiting.message).toMatch(/^back-off \d+s restarting failed container=bad pod=bad_default\(/);
    expect((await k.run(['logs', 'bad', '--previous'])).stdout).toBe('failing\n');
  }, 60_000);

  it('runAsNonRoot without a user is refused with CreateContainerConfigError', async () => {
    const pod = `
apiVersion: v1
kind: Pod
metadata: {name: nonroot}
spec:
  securityContext: {runAsNonRoot: true}
  containers: [{name: app, image: busybox, command: ['true']}]
`;
    await k.run(['apply', '-f', '-'], { stdin: pod });
    const st = await eventually(async () => {
      const r = JSON.parse((await k.run(['get', 'pod', 'nonroot', '-o', 'json'])).stdout);
      return r.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? r : undefined;
    });
    expect(st.status.containerStatuses[0].state.waiting.message).toBe(
      `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${st.metadata.uid})", container: app)`,
    );
  }, 60_000);
});
