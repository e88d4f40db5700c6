// `kindling create cluster --runtime simulated|process` and `serve --runtime`: stored in the cluster
// state, passed to the nodes' runtime, refused with probeSandbox()'s reason where the sandbox cannot be built.
import { execFile, execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRuntime, createClusterState } from './lifecycle.js';
import { clusterDir, readClusterState } from './state.js';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const kubectl = fileURLToPath(new URL('../../.cache/kubectl-1.20/usr/bin/kubectl', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kindling-runtime-flag-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}
const kindling = (env: NodeJS.ProcessEnv, ...args: string[]) => run(process.execPath, ['--import', 'tsx', main, ...args], env);

describe('--runtime', () => {
  it('createClusterState refuses the process runtime with the probe\'s reason and writes nothing', async () => {
    const home = join(tmp, 'h1');
    const reason = 'the process runtime needs user namespaces: /proc/sys/user/max_user_namespaces is 0';
    await expect(createClusterState({ name: 'nope', runtime: 'process', home, probe: () => reason })).rejects.toThrow(
      `kindling: the process runtime cannot start on this host: ${reason}`,
    );
    expect(existsSync(clusterDir('nope', home))).toBe(false);
    // the simulated runtime never asks
    const { state } = await createClusterState({ name: 'sim', home, probe: () => reason });
    expect(state.runtime).toBeUndefined();
    const { state: p } = await createClusterState({ name: 'proc', runtime: 'process', home, probe: () => undefined });
    expect(p.runtime).toBe('process');
    expect(readClusterState(clusterDir('proc', home)).runtime).toBe('process');
    expect(() => checkRuntime('docker' as 'process')).toThrow('unknown runtime "docker" (simulated or process)');
  });

  it('the CLI refuses on a host without unshare, with the message probeSandbox() gives', async () => {
    // a PATH with the other tools the sandbox needs but no unshare: the real probe fails
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    for (const t of ['sh', 'bash', 'nsenter', 'setpriv', 'mount']) symlinkSync(execSync(`command -v ${t}`, { encoding: 'utf8' }).trim(), join(bin, t));
    const env = { KINDLING_HOME: join(tmp, 'h2'), KUBECONFIG: join(tmp, 'kc2'), PATH: bin };
    const r = await kindling(env, 'create', 'cluster', '--name', 'refused', '--runtime', 'process');
    expect(r.stderr).toBe(
      'ERROR: failed to create cluster: kindling: the process runtime cannot start on this host: the process runtime needs unshare (util-linux/bash), which is not installed\n',
    );
    expect(r.code).toBe(1);
    expect(existsSync(join(tmp, 'h2', 'clusters', 'refused'))).toBe(false);
    // serve --runtime: for a new cluster and for an existing one switched to it
    const serve = await kindling(env, 'serve', '--name', 'refused', '--runtime', 'process');
    expect(serve.stderr).toBe(
      'ERROR: failed to serve: kindling: the process runtime cannot start on this host: the process runtime needs unshare (util-linux/bash), which is not installed\n',
    );
    await createClusterState({ name: 'existing', home: join(tmp, 'h2') });
    const switched = await kindling(env, 'serve', '--state', clusterDir('existing', join(tmp, 'h2')), '--runtime', 'process');
    expect(switched.stderr).toBe(serve.stderr);
    expect(readClusterState(clusterDir('existing', join(tmp, 'h2'))).runtime).toBeUndefined();
    const bad = await kindling(env, 'create', 'cluster', '--runtime', 'docker');
    expect(bad.stderr).toContain("error: option '--runtime <runtime>' argument 'docker' is invalid. Allowed choices are simulated, process.");
    expect(bad.code).toBe(1);
  }, 30_000);

  it('create cluster --runtime process: the state says so, and pods run real commands (kubectl exec)', async () => {
    const env = { KINDLING_HOME: join(tmp, 'h3'), KUBECONFIG: join(tmp, 'kc3') };
    const created = await kindling(env, 'create', 'cluster', '--name', 'realproc', '--runtime', 'process');
    try {
      expect(created.stderr).toContain('Have a nice day!');
      expect(created.code).toBe(0);
      const dir = clusterDir('realproc', join(tmp, 'h3'));
      expect(JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')).runtime).toBe('process');
      const k = (args: string[], stdin?: string) => run(kubectl, args, env, stdin);
      expect((await k(['run', 'p', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', 'echo up; exec sleep 300'])).stdout).toBe('pod/p created\n');
      let out = '';
      for (let i = 0; i < 100 && out !== 'Running'; i++) {
        out = (await k(['get', 'pod', 'p', '-o', 'jsonpath={.status.phase}'])).stdout;
        if (out !== 'Running') await new Promise((r) => setTimeout(r, 200));
      }
      expect(out).toBe('Running');
      // exec joins the pod's namespaces: its hostname, and its PID 1 is the container's command
      const ex = await k(['exec', 'p', '--', 'sh', '-c', "hostname; tr '\\0' ' ' < /proc/1/cmdline"]);
      expect(ex.stderr).toBe('');
      expect(ex.stdout).toBe('p\nsleep 300 ');
      // the system DaemonSets stay simulated (their binaries do not exist here) and are available
      const ds = await k(['get', 'ds', '-n', 'kube-system', '-o', 'jsonpath={.items[*].status.numberAvailable}']);
      expect(ds.stdout).toBe('1 1');
    } finally {
      await kindling(env, 'delete', 'cluster', '--name', 'realproc');
    }
  }, 60_000);
});
