import { mkdtempSync, readFileSync, existsSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { launchSandbox, probeSandbox, SANDBOX_SCRIPT, type SandboxSpec } from './sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'kindling-sandbox-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function run(spec: Partial<SandboxSpec> & { command: string[] }): Promise<{ code: number | null; out: string; err: string }> {
  const child = launchSandbox({ hostname: 'test-pod', env: { PATH: '/usr/bin:/bin' }, runDir: join(dir, `run${n++}`), ...spec });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('sandbox', () => {
  it('this host can build it', () => {
    expect(probeSandbox()).toBeUndefined();
  });

  it('writes to /etc stay inside; the host /etc is untouched', async () => {
    const marker = `/etc/kindling-sandbox-${process.pid}`;
    const r = await run({ command: ['sh', '-c', `echo inside > ${marker} && cat ${marker} && echo x >> /etc/hostname && id -u`] });
    expect(r.err).toBe('');
    expect(r.out).toBe('inside\n0\n');
    expect(r.code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync('/etc/hostname', 'utf8')).not.toContain('x\n');
  });

  it('hostname is the pod name, the command is PID 1, only loopback', async () => {
    const r = await run({ hostname: 'web-7xk2p', command: ['sh', '-c', 'hostname; echo $$; ls /sys/class/net'] });
    expect(r.out).toBe('web-7xk2p\n1\nlo\n');
  });

  it('the loopback is up in its own network namespace (refused, not unreachable)', async () => {
    const r = await run({ command: ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/1'] });
    expect(r.err).toContain('Connection refused');
    expect(r.code).toBe(1);
  });

  it("without iproute2, sandbox.sh's perl fallback brings the loopback up", () => {
    const perl = /perl -e '([^']+)'/.exec(readFileSync(SANDBOX_SCRIPT, 'utf8'))![1];
    const attempt = (up: string) => spawnSync('unshare', ['--map-root-user', '--net', 'bash', '-c', `${up}; exec 3<>/dev/tcp/127.0.0.1/1`, 'x', perl], { encoding: 'utf8' });
    expect(attempt('true').stderr).toContain('Network is unreachable');
    const r = attempt('perl -e "$1"');
    expect(r.stderr).toContain('Connection refused');
  });

  it('exit codes come back', async () => {
    expect((await run({ command: ['sh', '-c', 'exit 3'] })).code).toBe(3);
    const r = await run({ command: ['no-such-command-kindling'] });
    expect(r.code).toBe(127);
  });

  it('bind mounts a volume shared by two sandboxes, read-only where asked', async () => {
    const vol = join(dir, 'emptydir');
    mkdirSync(vol);
    const a = await run({ command: ['sh', '-c', 'echo hello > /cache/page'], mounts: [{ source: vol, target: '/cache' }] });
    expect(a.code).toBe(0);
    const b = await run({ command: ['sh', '-c', 'cat /data/page; echo no > /data/page'], mounts: [{ source: vol, target: '/data', readOnly: true }] });
    expect(b.out).toBe('hello\n');
    expect(b.err).toContain('Read-only file system');
    expect(readFileSync(join(vol, 'page'), 'utf8')).toBe('hello\n');
  });

  it('runs as the given uid/gid in the given working directory with exactly the given env', async () => {
    const r = await run({ command: ['sh', '-c', 'id -u; id -g; pwd; env | sort'], uid: 1000, gid: 3000, workingDir: '/srv/app', env: { PATH: '/usr/bin:/bin', GREETING: 'hi there' } });
    expect(r.out).toBe('1000\n3000\n/srv/app\nGREETING=hi there\nPATH=/usr/bin:/bin\nPWD=/srv/app\n');
  });
});
