// Launch a command in kindling's sandbox (sandbox.sh under unshare(1)): own user, mount, PID,
// UTS, IPC and network namespaces, a copy-on-write overlay of the host's filesystem as root,
// the pod's volumes bind-mounted. No compiled code: util-linux's unshare and setpriv, bash.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SANDBOX_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'sandbox.sh');

export interface VolumeMount {
  /** host path (a directory, or a file for subPath files) */
  source: string;
  /** path inside the container */
  target: string;
  readOnly?: boolean;
}

export interface SandboxSpec {
  hostname: string;
  command: string[];
  env: Record<string, string>;
  workingDir?: string;
  uid?: number;
  gid?: number;
  mounts?: VolumeMount[];
  /** share the host's network namespace (hostNetwork) */
  hostNetwork?: boolean;
  /** a directory of this run's own: the spec file and the (in-namespace) tmpfs mount point */
  runDir: string;
}

/** bash single-quoted */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
/** ids 0..65535 inside map to the same ids outside when kindling runs as root (runAsUser works) */
export const ID_RANGE = 65536;

function specText(s: SandboxSpec, waitMap: boolean): string {
  const arr = (xs: string[]) => `( ${xs.map(shq).join(' ')} )`;
  const vols: string[] = [];
  for (const m of s.mounts ?? []) vols.push(m.source, m.target, m.readOnly ? 'ro' : 'rw');
  return [
    `HOST=${shq(s.hostname)}`,
    `BASE=${shq(join(s.runDir, 'mnt'))}`,
    `VOLUMES=${arr(vols)}`,
    `ENVS=${arr(Object.entries(s.env).map(([k, v]) => `${k}=${v}`))}`,
    `CMD=${arr(s.command)}`,
    `RUN_UID=${s.uid ?? 0}`,
    `RUN_GID=${s.gid ?? 0}`,
    `WORKDIR=${shq(s.workingDir || '/')}`,
    `NET_LOOPBACK=${s.hostNetwork ? 0 : 1}`,
    `WAIT_MAP=${waitMap ? 1 : 0}`,
    '',
  ].join('\n');
}

export type SandboxProcess = ChildProcess & {
  /** resolves true once the sandbox is built and the command is being exec'd (false: it ended before) */
  ready: Promise<boolean>;
};

/** start the sandboxed process; its stdout/stderr are pipes; it dies with this process */
export function launchSandbox(s: SandboxSpec): SandboxProcess {
  mkdirSync(join(s.runDir, 'mnt'), { recursive: true });
  const root = isRoot();
  writeFileSync(join(s.runDir, 'spec'), specText(s, root), { mode: 0o644 });
  const ns = ['--mount', '--pid', '--fork', '--uts', '--ipc', '--kill-child'];
  if (!s.hostNetwork) ns.push('--net');
  // as root the launcher writes a range of ids itself (unshare's --map-users needs newuidmap)
  const user = root ? ['--user'] : ['--map-root-user'];
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'unshare', ...user, ...ns, '--', '/bin/bash', SANDBOX_SCRIPT, join(s.runDir, 'spec')], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  }) as SandboxProcess;
  const signal = child.stdio[3] as import('node:stream').Readable;
  child.ready = new Promise<boolean>((resolve) => {
    signal.once('data', () => {
      resolve(true);
      signal.destroy();
    });
    signal.once('close', () => resolve(false));
    child.once('close', () => resolve(false));
  });
  signal.on('error', () => undefined);
  if (root && child.pid) {
    const pid = child.pid;
    // setpriv execs unshare in the same process; wait until it has made the user namespace
    const write = (tries: number): void => {
      try {
        const mine = readlinkSync('/proc/self/ns/user');
        const theirs = readlinkSync(`/proc/${pid}/ns/user`);
        if (mine === theirs) throw new Error('not yet');
        writeFileSync(`/proc/${pid}/uid_map`, `0 0 ${ID_RANGE}\n`);
        writeFileSync(`/proc/${pid}/gid_map`, `0 0 ${ID_RANGE}\n`);
      } catch {
        if (tries > 0 && child.exitCode === null) setTimeout(() => write(tries - 1), 2);
      }
    };
    write(1000);
  }
  return child;
}

/** the PID (in this namespace) of the container's PID 1: the child of unshare */
export function containerPid(launcherPid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

let probed: string | undefined | null = null;

/**
 * Can this host build the sandbox? undefined when it can, else a message that says what is
 * missing (the process runtime refuses to start with it; nothing falls back silently).
 */
export function probeSandbox(): string | undefined {
  if (probed !== null) return probed;
  probed = probeNow();
  return probed;
}

function probeNow(): string | undefined {
  if (!existsSync(SANDBOX_SCRIPT)) return `the process runtime's sandbox script is missing: ${SANDBOX_SCRIPT}`;
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'bash', 'mount']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) return `the process runtime needs ${tool} (util-linux/bash), which is not installed`;
  }
  try {
    const max = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim());
    if (max === 0) return 'the process runtime needs user namespaces: /proc/sys/user/max_user_namespaces is 0';
  } catch {
    /* older kernels have no such file */
  }
  const dir = mkdtempSync(join(tmpdir(), 'kindling-probe-'));
  try {
    const step = (args: string[], what: string) => {
      const r = spawnSync('unshare', args, { encoding: 'utf8', timeout: 10_000 });
      if (r.status !== 0) return `the process runtime needs ${what}: unshare ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`;
      return undefined;
    };
    const user = ['--map-root-user'];
    const miss =
      step([...user, 'true'], 'user namespaces') ??
      step([...user, '--mount', '--pid', '--fork', '--uts', '--ipc', '--net', 'true'], 'mount, PID, UTS, IPC and network namespaces') ??
      step(
        [...user, '--mount', 'sh', '-c', `mount -t tmpfs t ${shq(dir)} && mkdir ${shq(dir)}/u ${shq(dir)}/w ${shq(dir)}/m && mount -t overlay overlay -o lowerdir=/usr,upperdir=${shq(dir)}/u,workdir=${shq(dir)}/w,userxattr ${shq(dir)}/m`],
        'overlayfs inside a user namespace (Linux 5.11 or later)',
      );
    return miss;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
