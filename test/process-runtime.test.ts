// End to end on a cluster whose nodes run containers as real, sandboxed processes.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { IDLE_NOTE } from '../src/nodes/process/runtime.js';
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

// ---- kubectl exec, with kubectl 1.20 (SPDY) and the current one (WebSocket) ----

const twoPodsOneNode = (node: string) =>
  ['a', 'b']
    .map(
      (n) => `
apiVersion: v1
kind: Pod
metadata: {name: hp-${n}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ['sleep', '3600']
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes: [{name: shared, hostPath: {path: /var/kindling-e2e, type: DirectoryOrCreate}}]
`,
    )
    .join('---\n');

const running = (name: string) =>
  eventually(async () => {
    const r = JSON.parse((await k.run(['get', 'pod', name, '-o', 'json'])).stdout || '{}');
    return r.status?.phase === 'Running' && r.status.containerStatuses?.every((c: { state: { running?: unknown } }) => c.state.running) ? r : undefined;
  }, 30_000);

describe.each(kubectls())('process runtime: kubectl $version exec', (kv) => {
  let kx: KubectlRunner;
  beforeAll(() => {
    kx = new KubectlRunner(kv, cluster.kubeconfigPath);
  });

  it("exec daemonset/nginx -- cat prints the page the init container wrote (seed 004)", async () => {
    const pods = JSON.parse((await kx.run(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).stdout).items.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect(pods).toHaveLength(2);
    const r = await kx.run(['exec', 'daemonset/nginx', '--', 'cat', '/usr/share/nginx/html/index.html']);
    // kubectl 1.32 names the container it chose when the pod has several (init containers count)
    expect(r.stderr).toBe(kv.version === '1.20' ? '' : 'Defaulted container "nginx" out of: nginx, init (init)\n');
    expect(r.code).toBe(0);
    const m = /^<h1>hello from (nginx-[a-z0-9]{5})<\/h1>\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(pods).toContain(m![1]);
  }, 30_000);

  it("exec POD -- sh -c 'exit 3': rc 3 and upstream's message", async () => {
    const pod = JSON.parse((await kx.run(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).stdout).items[0].metadata.name;
    const r = await kx.run(['exec', pod, '-c', 'nginx', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\ncommand terminated with exit code 3\n');
    expect(r.code).toBe(3);
  }, 30_000);

  it('exec -i POD -- cat echoes stdin', async () => {
    const pod = JSON.parse((await kx.run(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).stdout).items[0].metadata.name;
    const input = 'hello\nfrom stdin\n' + 'x'.repeat(100_000) + '\n';
    const r = await kx.run(['exec', '-i', pod, '-c', 'nginx', '--', 'cat'], { stdin: input });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(input);
  }, 30_000);

  it("a write to /etc inside leaves the host's /etc untouched", async () => {
    const pod = JSON.parse((await kx.run(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).stdout).items[0].metadata.name;
    const marker = `/etc/kindling-e2e-${process.pid}-${kv.version}`;
    const hostname = readFileSync('/etc/hostname', 'utf8');
    const r = await kx.run(['exec', pod, '-c', 'nginx', '--', 'sh', '-c', `echo inside > ${marker} && cat ${marker} && echo changed > /etc/hostname && cat /etc/hostname && id -u`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('inside\nchanged\n0\n');
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync('/etc/hostname', 'utf8')).toBe(hostname);
    // and the container keeps its own copy
    expect((await kx.run(['exec', pod, '-c', 'nginx', '--', 'cat', marker])).stdout).toBe('inside\n');
  }, 30_000);

  it("two pods on one node see each other's files through a hostPath; a pod on the other node does not", async () => {
    const [n0, n1] = cluster.nodes;
    if (kv.version === kubectls()[0].version) {
      await k.run(['apply', '-f', '-'], { stdin: twoPodsOneNode(n0) });
      await k.run(['apply', '-f', '-'], { stdin: twoPodsOneNode(n1).replace(/hp-a/, 'hp-other').split('---\n')[0] });
    }
    for (const p of ['hp-a', 'hp-b', 'hp-other']) await running(p);
    const word = `from-a-${kv.version}`;
    expect((await kx.run(['exec', 'hp-a', '--', 'sh', '-c', `echo ${word} > /shared/f-${kv.version}`])).code).toBe(0);
    expect((await kx.run(['exec', 'hp-b', '--', 'cat', `/shared/f-${kv.version}`])).stdout).toBe(`${word}\n`);
    const other = await kx.run(['exec', 'hp-other', '--', 'cat', `/shared/f-${kv.version}`]);
    expect(other.stderr).toBe(`cat: /shared/f-${kv.version}: No such file or directory\ncommand terminated with exit code 1\n`);
    expect(other.code).toBe(1);
  }, 60_000);
});

// ---- probes, hooks and the idle placeholder ----

interface Ev {
  reason: string;
  message: string;
  type: string;
  count: number;
  involvedObject: { name: string };
  source: { component: string; host?: string };
}
const events = async (pod: string): Promise<Ev[]> =>
  (JSON.parse((await k.run(['get', 'events', '-o', 'json'])).stdout).items as Ev[]).filter((e) => e.involvedObject.name === pod);
const status = async (pod: string) => JSON.parse((await k.run(['get', 'pod', pod, '-o', 'json'])).stdout).status;
const apply = async (yaml: string) => {
  const r = await k.run(['apply', '-f', '-'], { stdin: yaml });
  expect(r.stderr).toBe('');
};

describe('process runtime: probes and lifecycle hooks', () => {
  it('exec readiness probe: Ready follows it (successThreshold 2, failureThreshold 2), failures are Unhealthy events', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: ready-exec}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ['sleep', '3600']
    readinessProbe: {exec: {command: ['cat', '/tmp/ready']}, periodSeconds: 1, successThreshold: 2, failureThreshold: 2}
`);
    await running('ready-exec');
    const unready = await eventually(async () => {
      const ev = (await events('ready-exec')).find((e) => e.reason === 'Unhealthy');
      return ev;
    });
    const nodeName = JSON.parse((await k.run(['get', 'pod', 'ready-exec', '-o', 'json'])).stdout).spec.nodeName;
    expect(unready).toMatchObject({ type: 'Warning', message: 'Readiness probe failed: cat: /tmp/ready: No such file or directory\n', source: { component: 'kubelet', host: nodeName } });
    const st = await status('ready-exec');
    expect(st.containerStatuses[0].ready).toBe(false);
    expect(st.containerStatuses[0].started).toBe(true);
    expect(st.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' });
    await k.run(['exec', 'ready-exec', '--', 'touch', '/tmp/ready']);
    await eventually(async () => ((await status('ready-exec')).containerStatuses[0].ready ? true : undefined), 15_000);
    expect(parseTable((await k.run(['get', 'pod', 'ready-exec', '--no-headers'])).stdout)[0].slice(1, 4)).toEqual(['1/1', 'Running', '0']);
    await k.run(['exec', 'ready-exec', '--', 'rm', '/tmp/ready']);
    await eventually(async () => ((await status('ready-exec')).containerStatuses[0].ready ? undefined : true), 15_000);
    expect((await status('ready-exec')).containerStatuses[0].restartCount).toBe(0);
  }, 60_000);

  it('exec liveness probe: failureThreshold failures restart the container (Unhealthy and Killing events, exit 137 after the grace period)', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: live-exec}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ['sh', '-c', 'touch /tmp/alive; exec sleep 3600']
    livenessProbe: {exec: {command: ['cat', '/tmp/alive']}, periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 1}
`);
    await running('live-exec');
    await k.run(['exec', 'live-exec', '--', 'rm', '/tmp/alive']);
    const st = await eventually(async () => {
      const s = await status('live-exec');
      return s.containerStatuses[0].restartCount >= 1 && s.containerStatuses[0].state.running ? s : undefined;
    }, 30_000);
    // sleep is PID 1 and ignores SIGTERM: SIGKILL after terminationGracePeriodSeconds
    // (initialDelaySeconds: the new instance's first probe must not race its own `touch` on a
    // loaded machine, which would add a third Unhealthy event)
    expect(st.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    const ev = await events('live-exec');
    expect(ev.find((e) => e.reason === 'Unhealthy')).toMatchObject({ type: 'Warning', message: 'Liveness probe failed: cat: /tmp/alive: No such file or directory\n', count: 2 });
    expect(ev.find((e) => e.reason === 'Killing')).toMatchObject({ type: 'Normal', message: 'Container app failed liveness probe, will be restarted' });
    // the new instance has a fresh filesystem and its command made /tmp/alive again: it stays
    expect((await k.run(['exec', 'live-exec', '--', 'cat', '/tmp/alive'])).code).toBe(0);
  }, 60_000);

  it('startup probe: not started and not ready until it succeeds; then httpGet readiness and tcpSocket liveness on the loopback', async () => {
    const server =
      'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "$!"; ' +
      'while (my $c = $s->accept) { my $l = <$c>; while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ } my $ok = -e "/tmp/healthy" && $l =~ m{^GET /healthz HTTP/1.1}; ' +
      'print $c ($ok ? "HTTP/1.1 200 OK" : "HTTP/1.1 503 Service Unavailable") . "\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n"; close $c }';
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: probes-net}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ['sh', '-c', 'touch /tmp/starting; exec perl -e "$0"', ${JSON.stringify(server)}]
    ports: [{name: http, containerPort: 8080}]
    startupProbe: {exec: {command: ['cat', '/tmp/started']}, periodSeconds: 1, failureThreshold: 60}
    readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
    livenessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1, failureThreshold: 1}
  - name: closed
    image: busybox
    command: ['sleep', '3600']
    readinessProbe: {tcpSocket: {port: 9}, periodSeconds: 1}
`);
    await running('probes-net');
    await k.run(['exec', 'probes-net', '-c', 'app', '--', 'cat', '/tmp/starting']);
    let st = await status('probes-net');
    expect(st.containerStatuses.find((c: { name: string }) => c.name === 'app')).toMatchObject({ started: false, ready: false });
    await new Promise((r) => setTimeout(r, 2000));
    st = await status('probes-net');
    expect(st.containerStatuses.find((c: { name: string }) => c.name === 'app')).toMatchObject({ started: false, ready: false, restartCount: 0 });
    // readiness and liveness wait for the startup probe: no events of theirs yet
    expect((await events('probes-net')).filter((e) => /^(Readiness|Liveness) probe/.test(e.message) && !e.message.includes(':9:'))).toEqual([]);
    await k.run(['exec', 'probes-net', '-c', 'app', '--', 'touch', '/tmp/started']);
    const ip = st.podIP;
    const failed = await eventually(async () => (await events('probes-net')).find((e) => e.message.startsWith('Readiness probe failed: HTTP')), 15_000);
    expect(failed.message).toBe('Readiness probe failed: HTTP probe failed with statuscode: 503');
    st = await status('probes-net');
    expect(st.containerStatuses.find((c: { name: string }) => c.name === 'app')).toMatchObject({ started: true, ready: false });
    await k.run(['exec', 'probes-net', '-c', 'app', '--', 'touch', '/tmp/healthy']);
    await eventually(async () => ((await status('probes-net')).containerStatuses.find((c: { name: string }) => c.name === 'app').ready ? true : undefined), 15_000);
    st = await status('probes-net');
    expect(st.containerStatuses.map((c: { name: string; ready: boolean; restartCount: number }) => [c.name, c.ready, c.restartCount])).toEqual([
      ['app', true, 0],
      ['closed', false, 0],
    ]);
    const closed = (await events('probes-net')).find((e) => e.message.includes(':9:'));
    expect(closed?.message).toBe(`Readiness probe failed: dial tcp ${ip}:9: connect: connection refused`);
    expect(parseTable((await k.run(['get', 'pod', 'probes-net', '--no-headers'])).stdout)[0].slice(1, 4)).toEqual(['1/2', 'Running', '0']);
  }, 60_000);

  it('postStart runs after the start; preStop runs before SIGTERM, within the grace period', async () => {
    const node = cluster.nodes[0];
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: ['sh', '-c', "trap 'echo term >> /hp/hooks.log; exit 0' TERM; echo main >> /hp/hooks.log; while true; do sleep 0.1; done"]
    volumeMounts: [{name: hp, mountPath: /hp}]
    lifecycle:
      postStart: {exec: {command: ['sh', '-c', 'echo postStart >> /hp/hooks.log']}}
      preStop: {exec: {command: ['sh', '-c', 'echo preStop >> /hp/hooks.log; sleep 1']}}
  volumes: [{name: hp, hostPath: {path: /var/kindling-hooks, type: DirectoryOrCreate}}]
---
apiVersion: v1
kind: Pod
metadata: {name: hooks-reader}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: app, image: busybox, command: ['sleep', '3600'], volumeMounts: [{name: hp, mountPath: /hp}]}
  volumes: [{name: hp, hostPath: {path: /var/kindling-hooks, type: DirectoryOrCreate}}]
`);
    await running('hooks');
    await running('hooks-reader');
    await eventually(async () => ((await k.run(['exec', 'hooks-reader', '--', 'cat', '/hp/hooks.log'])).stdout.includes('postStart') ? true : undefined));
    const del = await k.run(['delete', 'pod', 'hooks', '--wait=true']);
    expect(del.stdout).toBe('pod "hooks" deleted\n');
    const log = (await k.run(['exec', 'hooks-reader', '--', 'cat', '/hp/hooks.log'])).stdout.split('\n').filter(Boolean);
    // main and postStart race (upstream too); preStop comes before the SIGTERM the trap sees
    expect(log.slice(2)).toEqual(['preStop', 'term']);
    expect(log.slice(0, 2).sort()).toEqual(['main', 'postStart']);
    const ev = await events('hooks');
    expect(ev.find((e) => e.reason === 'Killing')?.message).toBe('Stopping container app');
  }, 60_000);

  it('a failing postStart hook is a FailedPostStartHook event and the container is killed', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: poststart-fails}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ['sleep', '3600']
    lifecycle: {postStart: {exec: {command: ['sh', '-c', 'echo nope >&2; exit 2']}}}
`);
    const ev = await eventually(async () => (await events('poststart-fails')).find((e) => e.reason === 'FailedPostStartHook'), 20_000);
    const uid = JSON.parse((await k.run(['get', 'pod', 'poststart-fails', '-o', 'json'])).stdout).metadata.uid;
    expect(ev).toMatchObject({
      type: 'Warning',
      message: `Exec lifecycle hook ([sh -c echo nope >&2; exit 2]) for Container "app" in Pod "poststart-fails_default(${uid})" failed - error: command 'sh -c echo nope >&2; exit 2' exited with 2: nope\n, message: "nope\\n"`,
    });
    await eventually(async () => ((await status('poststart-fails')).containerStatuses[0].restartCount >= 1 ? true : undefined), 20_000);
  }, 60_000);

  it('a container without a command runs an idle placeholder and says so on its Started event', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: idle}
spec:
  containers:
  - {name: web, image: nginx}
`);
    await running('idle');
    const started = await eventually(async () => (await events('idle')).find((e) => e.reason === 'Started'));
    expect(started.message).toBe(`Started container web ${IDLE_NOTE}`);
    expect(started.message).toBe("Started container web (kindling: no command given; running an idle placeholder because the image's entrypoint is unknowable here)");
    expect((await events('idle')).find((e) => e.reason === 'Created')?.message).toBe('Created container: web');
    const r = await k.run(['exec', 'idle', '--', 'sh', '-c', "tr '\\0' ' ' < /proc/1/cmdline"]);
    expect(r.stdout).toBe('sh -c trap "exit 0" TERM; sleep infinity & wait kindling-idle ');
    // it ends on SIGTERM with 0 (a bare sleep as PID 1 would ignore it and hold a deletion for the grace period)
    await k.run(['exec', 'idle', '--', 'kill', '-TERM', '1']);
    const st = await eventually(async () => {
      const s = await status('idle');
      return s.containerStatuses[0].restartCount === 1 ? s : undefined;
    });
    expect(st.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  }, 60_000);
});
