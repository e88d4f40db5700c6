// The process runtime: containers of a pod really run, each in kindling's sandbox (sandbox.ts).
// ProcessRuntime gives each pod the hooks PodRuntime drives (prepare, start, stop) and keeps
// per-pod volumes and per-container log files under the cluster's state directory:
//   <stateDir>/pods/<ns>_<name>_<uid>/volumes/<volume>    emptyDir, configMap, secret, downwardAPI
//   <stateDir>/pods/<ns>_<name>_<uid>/logs/<container>/<restartCount>.log
//   <stateDir>/nodes/<node>/hostpath/<path>               hostPath volumes, shared on the node

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConfigMap, Container, EnvVar, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../clock/clock.js';
import { ApiError } from '../../api/errors.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';
import type { ContainerHooks, ContainerRuntime, PodRuntime } from '../runtime.js';
import { containerPid, launchSandbox, probeSandbox, type VolumeMount } from './sandbox.js';
import { LogWriter, readLogFile, type LogLine } from './logs.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** what a container without a command runs (kindling has no images, so no entrypoint to run) */
export const IDLE_COMMAND = ['sleep', 'infinity'];

type ConfigError = { reason: string; message: string };
const configError = (message: string): ConfigError => ({ reason: 'CreateContainerConfigError', message });

export interface PodProcessHooks extends ContainerHooks {
  bind(rt: PodRuntime): void;
  /** the log lines of one instance of a container (restartCount at its start) */
  logLines(container: string, instance: number): LogLine[];
  /** the PID of the container's PID 1 (in this PID namespace), while it runs */
  pid(container: string): number | undefined;
  /** the uid/gid the container's processes run as */
  identity(container: string): { uid: number; gid: number } | undefined;
  /** kill everything and remove the pod's files */
  dispose(): void;
}

interface Running {
  child: ChildProcess;
  logs: LogWriter;
  killTimer?: Timer;
  uid: number;
  gid: number;
}

export class ProcessRuntime {
  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    readonly stateDir: string,
  ) {
    const missing = probeSandbox();
    if (missing) throw new Error(`kindling: the process runtime cannot start on this host: ${missing}`);
  }

  nodeDir(node: string): string {
    return join(this.stateDir, 'nodes', node);
  }

  hooksFor(pod: Pod, node: string, ips: () => { hostIP: string; podIP: string }, onChange: () => void): PodProcessHooks {
    const meta = pod.metadata ?? {};
    const podDir = join(this.stateDir, 'pods', `${meta.namespace}_${meta.name}_${meta.uid}`);
    const running = new Map<string, Running>();
    const prepared = new Map<string, { env: Record<string, string>; mounts: VolumeMount[]; uid: number; gid: number; command: string[]; workingDir?: string }>();
    let rt: PodRuntime | undefined;
    let disposed = false;
    const spec = (name: string): Container | undefined => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
    const logPath = (name: string, n: number) => join(podDir, 'logs', name, `${n}.log`);

    const hooks: PodProcessHooks = {
      bind: (r) => {
        rt = r;
      },
      prepare: (c, done) => {
        this.prepare(pod, node, podDir, spec(c.name)!, ips).then(
          (p) => {
            if ('message' in p) done(p, this.clock.now());
            else {
              prepared.set(c.name, p);
              done(undefined, this.clock.now());
            }
            onChange();
          },
          (e: Error) => {
            done(configError(e.message), this.clock.now());
            onChange();
          },
        );
      },
      start: (c) => {
        const p = prepared.get(c.name);
        if (!p || disposed) return;
        const path = logPath(c.name, c.restartCount);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '');
        const logs = new LogWriter(path, () => this.clock.now());
        const runDir = join(podDir, 'run', `${c.name}-${c.restartCount}`);
        const child = launchSandbox({ hostname: meta.name ?? '', command: p.command, env: p.env, workingDir: p.workingDir, uid: p.uid, gid: p.gid, mounts: p.mounts, hostNetwork: !!pod.spec?.hostNetwork, runDir });
        const r: Running = { child, logs, uid: p.uid, gid: p.gid };
        running.set(c.name, r);
        child.stdout?.on('data', (d: Buffer) => {
          logs.write('stdout', d);
          onChange();
        });
        child.stderr?.on('data', (d: Buffer) => {
          logs.write('stderr', d);
          onChange();
        });
        child.on('close', (code, signal) => {
          logs.flush();
          r.killTimer?.cancel();
          if (running.get(c.name) === r) running.delete(c.name);
          rmSync(runDir, { recursive: true, force: true });
          const exit = code ?? 128 + (signal ? signalNumber(signal) : 0);
          rt?.exited(c, exit, this.clock.now());
          onChange();
        });
      },
      stop: (c, graceMs) => {
        const r = running.get(c.name);
        if (!r) return;
        const pid = containerPid(r.child.pid!);
        if (pid) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        const kill = () => {
          try {
            if (pid) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          r.child.kill('SIGKILL');
        };
        if (graceMs <= 0) kill();
        else r.killTimer = this.clock.setTimeout(kill, graceMs);
      },
      logLines: (name, n) => readLogFile(logPath(name, n)),
      pid: (name) => {
        const r = running.get(name);
        return r?.child.pid ? containerPid(r.child.pid) : undefined;
      },
      identity: (name) => {
        const r = running.get(name);
        return r ? { uid: r.uid, gid: r.gid } : undefined;
      },
      dispose: () => {
        disposed = true;
        for (const r of running.values()) {
          r.killTimer?.cancel();
          r.child.kill('SIGKILL');
        }
        running.clear();
        rmSync(podDir, { recursive: true, force: true });
      },
    };
    return hooks;
  }

  private async prepare(pod: Pod, node: string, podDir: string, c: Container, ips: () => { hostIP: string; podIP: string }) {
    const meta = pod.metadata ?? {};
    const ns = meta.namespace ?? 'default';
    const fmtPod = `${meta.name}_${ns}(${meta.uid})`;
    // securityContext as the kubelet enforces it (verifyRunAsNonRoot)
    const psc = pod.spec?.securityContext ?? {};
    const csc = c.securityContext ?? {};
    const uid = csc.runAsUser ?? psc.runAsUser;
    const gid = csc.runAsGroup ?? psc.runAsGroup;
    const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
    if (nonRoot) {
      if (uid === 0) return configError(`container's runAsUser breaks non-root policy (pod: "${fmtPod}", container: ${c.name})`);
      // kindling's "image" is the host's filesystem: its user is root
      if (uid === undefined) return configError(`container has runAsNonRoot and image will run as root (pod: "${fmtPod}", container: ${c.name})`);
    }

    const cms = new Map<string, ConfigMap | undefined>();
    const secrets = new Map<string, Secret | undefined>();
    const getCM = async (name: string) => {
      if (!cms.has(name)) cms.set(name, await this.client.get<ConfigMap & KubeObject>(R.configmaps, ns, name).catch(notFound));
      return cms.get(name);
    };
    const getSecret = async (name: string) => {
      if (!secrets.has(name)) secrets.set(name, await this.client.get<Secret & KubeObject>(R.secrets, ns, name).catch(notFound));
      return secrets.get(name);
    };
    const secretData = (s: Secret): Record<string, string> => ({
      ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])),
      ...(s.stringData ?? {}),
    });

    // environment: envFrom, then env (later wins), $(VAR) expanded against what came before
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: meta.name ?? '' };
    for (const ef of c.envFrom ?? []) {
      if (ef.configMapRef) {
        const cm = await getCM(ef.configMapRef.name!);
        if (!cm) {
          if (ef.configMapRef.optional) continue;
          return configError(`configmap "${ef.configMapRef.name}" not found`);
        }
        for (const [k, v] of Object.entries(cm.data ?? {})) env[(ef.prefix ?? '') + k] = v;
      } else if (ef.secretRef) {
        const s = await getSecret(ef.secretRef.name!);
        if (!s) {
          if (ef.secretRef.optional) continue;
          return configError(`secret "${ef.secretRef.name}" not found`);
        }
        for (const [k, v] of Object.entries(secretData(s))) env[(ef.prefix ?? '') + k] = v;
      }
    }
    for (const e of c.env ?? []) {
      const v = await this.envValue(e, pod, c, env, getCM, getSecret, secretData, ips);
      if (typeof v === 'object') return v;
      if (v !== undefined) env[e.name] = v;
    }

    // volumes
    const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
    const mounts: VolumeMount[] = [];
    for (const vm of c.volumeMounts ?? []) {
      const v = volumes.get(vm.name);
      if (!v) return configError(`cannot find volume "${vm.name}" to mount into container "${c.name}"`);
      let dir: string;
      if (v.hostPath) {
        dir = join(this.nodeDir(node), 'hostpath', v.hostPath.path);
        if (v.hostPath.type === 'File' || v.hostPath.type === 'FileOrCreate') {
          mkdirSync(dirname(dir), { recursive: true });
          if (!existsSync(dir)) writeFileSync(dir, '');
        } else mkdirSync(dir, { recursive: true });
      } else {
        dir = join(podDir, 'volumes', v.name);
        mkdirSync(dir, { recursive: true });
        const files = async (): Promise<Record<string, string> | ConfigError | undefined> => {
          if (v.configMap) {
            const cm = await getCM(v.configMap.name!);
            if (!cm) return v.configMap.optional ? {} : configError(`configmap "${v.configMap.name}" not found`);
            return pick(cm.data ?? {}, v.configMap.items);
          }
          if (v.secret) {
            const s = await getSecret(v.secret.secretName!);
            if (!s) return v.secret.optional ? {} : configError(`secret "${v.secret.secretName}" not found`);
            return pick(secretData(s), v.secret.items);
          }
          if (v.downwardAPI) {
            const out: Record<string, string> = {};
            for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) out[item.path] = fieldValue(pod, item.fieldRef.fieldPath, ips()) ?? '';
            return out;
          }
          return undefined;
        };
        const f = await files();
        if (f && 'message' in f && typeof f.message === 'string' && 'reason' in f) return f as ConfigError;
        for (const [path, content] of Object.entries((f ?? {}) as Record<string, string>)) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), content);
        }
      }
      let source = dir;
      if (vm.subPath) {
        source = join(dir, vm.subPath);
        if (!existsSync(source)) mkdirSync(source, { recursive: true });
      }
      mounts.push({ source, target: vm.mountPath, readOnly: !!vm.readOnly || !!v.configMap || !!v.secret || !!v.downwardAPI });
    }

    const expand = (s: string) => s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name] : m));
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map(expand);
    return { env, mounts, uid: uid ?? 0, gid: gid ?? 0, command: argv.length ? argv : IDLE_COMMAND, workingDir: c.workingDir };
  }

  private async envValue(
    e: EnvVar,
    pod: Pod,
    _c: Container,
    env: Record<string, string>,
    getCM: (n: string) => Promise<ConfigMap | undefined>,
    getSecret: (n: string) => Promise<Secret | undefined>,
    secretData: (s: Secret) => Record<string, string>,
    ips: () => { hostIP: string; podIP: string },
  ): Promise<string | ConfigError | undefined> {
    const ns = pod.metadata?.namespace ?? 'default';
    if (e.value !== undefined) return e.value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name] : m));
    const from = e.valueFrom;
    if (!from) return '';
    if (from.fieldRef) return fieldValue(pod, from.fieldRef.fieldPath, ips()) ?? '';
    if (from.configMapKeyRef) {
      const r = from.configMapKeyRef;
      const cm = await getCM(r.name!);
      if (!cm) return r.optional ? undefined : configError(`configmap "${r.name}" not found`);
      const v = cm.data?.[r.key];
      if (v === undefined) return r.optional ? undefined : configError(`couldn't find key ${r.key} in ConfigMap ${ns}/${r.name}`);
      return v;
    }
    if (from.secretKeyRef) {
      const r = from.secretKeyRef;
      const s = await getSecret(r.name!);
      if (!s) return r.optional ? undefined : configError(`secret "${r.name}" not found`);
      const v = secretData(s)[r.key];
      if (v === undefined) return r.optional ? undefined : configError(`couldn't find key ${r.key} in Secret ${ns}/${r.name}`);
      return v;
    }
    return '';
  }
}

function notFound(e: unknown): undefined {
  if (e instanceof ApiError && e.code === 404) return undefined;
  throw e;
}

function pick(data: Record<string, string>, items?: { key: string; path: string }[]): Record<string, string> {
  if (!items?.length) return { ...data };
  const out: Record<string, string> = {};
  for (const it of items) if (data[it.key] !== undefined) out[it.path] = data[it.key];
  return out;
}

/** the downward API's fieldRef values */
export function fieldValue(pod: Pod, path: string, ips: { hostIP: string; podIP: string }): string | undefined {
  const m = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? m.labels : m.annotations)?.[sub[2]];
  const fmtMap = (o?: Record<string, string>) => Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}="${v}"`).join('\n');
  switch (path) {
    case 'metadata.name':
      return m.name;
    case 'metadata.namespace':
      return m.namespace;
    case 'metadata.uid':
      return m.uid;
    case 'metadata.labels':
      return fmtMap(m.labels);
    case 'metadata.annotations':
      return fmtMap(m.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.hostIP':
    case 'status.hostIPs':
      return ips.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return ips.podIP;
  }
  return undefined;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };
function signalNumber(s: string): number {
  return SIGNALS[s] ?? 0;
}

/** run a command inside a running container's namespaces (exec, exec probes, lifecycle hooks) */
export function spawnInContainer(pid: number, uid: number, gid: number, command: string[], env: Record<string, string> = { PATH: DEFAULT_PATH }, stdin = false): ChildProcess {
  return spawn('nsenter', ['-t', String(pid), '--all', '--root', '--wd', '--', 'setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'env', '-i', '--', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command], {
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
}
