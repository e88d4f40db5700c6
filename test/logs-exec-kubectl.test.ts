// kubectl logs and kubectl exec at the protocol level: kubectl 1.20 (SPDY/3.1) and a current
// kubectl (WebSocket v5, and SPDY with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) against a
// cluster whose lifecycle rules give log lines. Exec on a simulated node is refused; the
// success paths run through a test executor that spawns the command as a child process.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type StartedCluster } from '../src/index.js';
import { R } from '../src/client/types.js';
import type { ContainerExecutor } from '../src/nodes/exec.js';
import { KubectlRunner, kubectls, eventually } from './helpers/kubectl.js';

const LINES = Array.from({ length: 12 }, (_, i) => `log line ${i + 1}`);
const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

const RULES = [
  { name: 'slow', match: { labels: { app: 'slow' } }, start: { delayMs: 3_600_000 } },
  { name: 'b', match: { labels: { app: 'multi' }, container: 'b' }, logs: ['b says hi'] },
  { name: 'logger', match: { labels: { app: 'logger' } }, logs: LINES },
];

const pod = (name: string, labels: Record<string, string>, containers: string[], nodeName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { nodeName, containers: containers.map((c) => ({ name: c, image: 'busybox:1.36' })) },
});

/** a stand-in for the process runtime: runs the command as a child process of the test */
const spawnExecutor: ContainerExecutor = {
  execInContainer(_ns, _pod, _container, command, io) {
    return new Promise((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), { stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      if (io.stdin) io.stdin.pipe(child.stdin!);
      child.stdout!.on('data', (d) => io.stdout.write(d));
      child.stderr!.on('data', (d) => io.stderr.write(d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code ?? 1 }));
    });
  },
};

let cluster: StartedCluster;
let simulatedPod: string; // a DaemonSet pod on kind-worker2 (plain simulated node)
let execPod: string; // a DaemonSet pod on kind-worker (the test executor's node)
let dsPods: string[];

beforeAll(async () => {
  cluster = await startCluster({ workers: 2 });
  await cluster.runtime.waitForNodesReady(30_000);
  cluster.runtime.setRules(RULES as never);
  cluster.runtime.streaming.useExecutor(spawnExecutor, 'kind-worker');
  const c = cluster.client;
  await c.create(R.daemonsets, 'default', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'logger', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'logger' } }, template: { metadata: { labels: { app: 'logger' } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } } },
  } as never);
  await c.create(R.pods, 'default', pod('multi', { app: 'multi' }, ['a', 'b'], 'kind-worker') as never);
  await c.create(R.pods, 'default', pod('slow', { app: 'slow' }, ['c'], 'kind-worker') as never);
  await c.create(R.pods, 'default', pod('unscheduled', { app: 'none' }, ['c'], 'no-such-node') as never);
  dsPods = await eventually(async () => {
    const list = await c.list<any>(R.pods, 'default', { labelSelector: 'app=logger' });
    const running = list.items.filter((p) => p.status?.phase === 'Running');
    return running.length === 2 ? running : undefined;
  }, 30_000).then((ps) => ps.map((p: any) => p.metadata.name).sort());
  const all = await c.list<any>(R.pods, 'default', { labelSelector: 'app=logger' });
  simulatedPod = all.items.find((p: any) => p.spec.nodeName === 'kind-worker2').metadata.name;
  execPod = all.items.find((p: any) => p.spec.nodeName === 'kind-worker').metadata.name;
  await eventually(async () => (await c.get<any>(R.pods, 'default', 'multi')).status?.phase === 'Running', 30_000);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe.each(kubectls())('kubectl $version', (k) => {
  let kc: KubectlRunner;
  beforeAll(() => {
    kc = new KubectlRunner(k, cluster.kubeconfigPath);
  });

  it('logs <pod> prints the lines the rules give', async () => {
    expect(await kc.ok(['logs', simulatedPod])).toBe(text(LINES));
  });

  it('logs --tail', async () => {
    expect(await kc.ok(['logs', simulatedPod, '--tail', '3'])).toBe(text(LINES.slice(-3)));
  });

  it('logs -l (default tail 10 per pod)', async () => {
    expect(await kc.ok(['logs', '-l', 'app=logger'])).toBe(text([...LINES.slice(-10), ...LINES.slice(-10)]));
  });

  it('logs ds/x picks one pod and says so', async () => {
    const r = await kc.run(['logs', 'ds/logger']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(text(LINES));
    const m = /^Found 2 pods, using pod\/(\S+)\n$/.exec(r.stderr);
    expect(m && dsPods.includes(m[1])).toBe(true);
  });

  it('logs -c picks a container; --previous without one is refused', async () => {
    expect(await kc.ok(['logs', 'multi', '-c', 'b'])).toBe('b says hi\n');
    expect(await kc.ok(['logs', 'multi', '-c', 'a'])).toBe('');
    const prev = await kc.run(['logs', simulatedPod, '--previous']);
    expect(prev.code).toBe(1);
    expect(prev.stderr).toBe(`Error from server (BadRequest): previous terminated container "app" in pod "${simulatedPod}" not found\n`);
  });

  it('logs of a two-container pod without -c', async () => {
    const r = await kc.run(['logs', 'multi']);
    // 1.20 refuses on the client; later kubectls default to the first container and say so
    if (k.version === '1.20') expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: a container name must be specified for pod multi, choose one of: [a b]\n' });
    else expect(r).toEqual({ code: 0, stdout: '', stderr: 'Defaulted container "a" out of: a, b\n' });
  });

  it('attach on a simulated node is refused like exec', async () => {
    const r = await kc.run(['attach', simulatedPod], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').slice(-2)[0]).toBe(
      `error: Internal error occurred: error attaching to container: kindling: container "app" of pod "${simulatedPod}" runs on a simulated node: exec needs the process runtime (kindling create cluster --runtime process)`,
    );
  });

  it('logs of a container not yet started', async () => {
    const r = await kc.run(['logs', 'slow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (BadRequest): container "c" in pod "slow" is waiting to start: ContainerCreating\n');
  });

  it('exec on a simulated node: a clear error and a non-zero exit', async () => {
    const r = await kc.run(['exec', simulatedPod, '--', 'cat', '/etc/hostname']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: Internal error occurred: error executing command in container: kindling: container "app" of pod "${simulatedPod}" runs on a simulated node: exec needs the process runtime (kindling create cluster --runtime process)\n`,
    );
  });

  it('exec errors before the upgrade come from the server', async () => {
    const r = await kc.run(['exec', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  const transports: { name: string; env: Record<string, string> }[] = k.version === '1.20' ? [{ name: 'spdy', env: {} }] : [{ name: 'websocket', env: {} }, { name: 'spdy', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } }];
  describe.each(transports)('exec over $name', ({ name, env }) => {
    it('stdout and stderr, over this transport only', async () => {
      const before = { ...cluster.runtime.streaming.sessions };
      const out = await kc.run(['exec', execPod, '--', 'sh', '-c', 'echo out; echo err >&2'], { env });
      expect(out).toEqual({ code: 0, stdout: 'out\n', stderr: 'err\n' });
      const used = name === 'websocket' ? { websocket: before.websocket + 1, spdy: before.spdy } : { websocket: before.websocket, spdy: before.spdy + 1 };
      expect(cluster.runtime.streaming.sessions).toEqual(used);
    });

    it('stdin with -i', async () => {
      const r = await kc.run(['exec', '-i', execPod, '--', 'sh', '-c', 'tr a-z A-Z'], { env, stdin: 'hello\nworld\n' });
      expect(r).toEqual({ code: 0, stdout: 'HELLO\nWORLD\n', stderr: '' });
    });

    it('exit codes', async () => {
      const r = await kc.run(['exec', execPod, '--', 'sh', '-c', 'exit 3'], { env });
      expect(r).toEqual({ code: 3, stdout: '', stderr: 'command terminated with exit code 3\n' });
    });

    it('a command that cannot run', async () => {
      const r = await kc.run(['exec', execPod, '--', 'no-such-command-kindling'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('error: Internal error occurred: error executing command in container: spawn no-such-command-kindling ENOENT\n');
    });
  });

  it('logs -f streams until the pod is deleted', async () => {
    const victim = simulatedPod;
    const f = kc.spawn(['logs', '-f', victim]);
    await eventually(async () => f.output().includes('log line 12\n'), 20_000);
    const exited = new Promise<number | null>((resolve) => f.child.on('exit', (code) => resolve(code)));
    await cluster.client.delete(R.pods, 'default', victim);
    expect(await exited).toBe(0);
    expect(f.output()).toBe(text(LINES));
    // the DaemonSet replaces it; later tests use the new pod
    simulatedPod = await eventually(async () => {
      const list = await cluster.client.list<any>(R.pods, 'default', { labelSelector: 'app=logger' });
      const p = list.items.find((x: any) => x.spec.nodeName === 'kind-worker2' && x.metadata.name !== victim && x.status?.phase === 'Running');
      return p?.metadata.name;
    }, 30_000);
  });
});
