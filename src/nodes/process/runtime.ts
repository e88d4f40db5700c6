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
import { EventRecorder, type EventType } from '../../client/events.js';
import { ProbeWorker, runHook, type InContainer, type ProbeKind } from './probes.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * what a container without a command runs (kindling has no images, so no entrypoint to run): it
 * idles, and ends with 0 on SIGTERM as an image's entrypoint would (a bare `sleep` as PID 1 would
 * ignore SIGTERM and hold every deletion for the whole grace period)
 */
export const IDLE_COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep infinity & wait', 'kindling-idle'];
/** added to the Started event of such a container (upstream's ContainerStateRunning has no message) */
export const IDLE_NOTE = "(kindling: no command given; running an idle placeholder because the image's entrypoint is unknowable here)";
/** kubelet's minimumGracePeriodInSeconds, after a preStop hook */
const MIN_GRACE_MS = 2000;

type ConfigError = { reason: string; message: string };
const configError = (message: string): ConfigError => ({ reason: 'CreateContainerConfigError', message });

export interface PodProcessHooks extends ContainerHooks {
  bind(rt: PodRuntime): void;
  /** the log lines of one instance of a container (restartCount at its start) */
  logLines(container: string, instance: number): LogLine[];
  /** the PID of the container's PID 1 (in this PID namespace), while it runs */
  pid(container: string): number | undefined;
  /** the uid/gid the container's processes run as, and its environment */
  identity(container: string): { uid: number; gid: number; env: Record<string, string> } | undefined;
  /** resolves true once the container's sandbox is built and its command runs (false: not running) */
  whenReady(container: string): Promise<boolean>;
  /** kill everything and remove the pod's files */
  dispose(): void;
  /** kill everything, keep the files (the node stops with kindling) */
  shutdown(): void;
}

interface Running {
  child: ChildProcess;
  logs: LogWriter;
  killTimer?: Timer;
  uid: number;
  gid: number;
  env: Record<string, string>;
  /** the sandbox is built and the command exec'd */
  ready: boolean;
  readyP: Promise<boolean>;
  workers: ProbeWorker[];
  stopping: boolean;
}

export class ProcessRuntime {
  private readonly recorders = new Map<string, EventRecorder>();

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

  /** an event about a pod from the node's kubelet */
  private event(pod: Pod, node: string, type: EventType, reason: string, message: string): void {
    let r = this.recorders.get(node);
    if (!r) this.recorders.set(node, (r = new EventRecorder(this.client, this.clock, 'kubelet', node)));
    r.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata ?? {} } as KubeObject, type, reason, message);
  }

  hooksFor(pod: Pod, node: string, ips: () => { hostIP: string; podIP: string }, onChange: () => void): PodProcessHooks {
    const meta = pod.metadata ?? {};
    const podDir = join(this.stateDir, 'pods', `${meta.namespace}_${meta.name}_${meta.uid}`);
    const running = new Map<string, Running>();
    const prepared = new Map<string, { env: Record<string, string>; mounts: VolumeMount[]; uid: number; gid: number; command: string[]; idle: boolean; workingDir?: string }>();
    const fmtPod = `${meta.name}_${meta.namespace}(${meta.uid})`;
    const podGraceMs = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
    const event = (type: EventType, reason: string, message: string) => this.event(pod, node, type, reason, message);
    const target = (name: string, r: Running): InContainer | undefined => {
      const pid = r.ready && running.get(name) === r && r.child.pid ? containerPid(r.child.pid) : undefined;
      return pid ? { pid, uid: r.uid, gid: r.gid, env: r.env, podIP: ips().podIP, container: spec(name)! } : undefined;
    };
    /** SIGTERM (after the preStop hook), SIGKILL after the grace period; message for the Killing event */
    const kill = (c: ContainerRuntime, graceMs: number, message: string) => {
      const r = running.get(c.name);
      if (!r || r.stopping) return;
      r.stopping = true;
      for (const w of r.workers) w.stop();
      event('Normal', 'Killing', message);
      const term = (ms: number) => {
        const pid = r.child.pid ? containerPid(r.child.pid) : undefined;
        if (pid) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        const hard = () => {
          try {
            if (pid) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          r.child.kill('SIGKILL');
        };
        if (ms <= 0) hard();
        else r.killTimer = this.clock.setTimeout(hard, ms);
      };
      const preStop = spec(c.name)?.lifecycle?.preStop;
      const t = target(c.name, r);
      if (!preStop || !t || graceMs <= 0) return term(graceMs);
      // kubelet: the preStop hook runs first, within the grace period; what is left (at least 2 s) goes to SIGTERM
      const began = this.clock.now();
      void runHook(preStop, t, this.clock, fmtPod, graceMs).then((msg) => {
        if (msg) event('Warning', 'FailedPreStopHook', msg);
        if (running.get(c.name) === r) term(Math.max(MIN_GRACE_MS, graceMs - (this.clock.now() - began)));
      });
    };
    /** the container runs: Started event, postStart hook, then its probes */
    const running0 = (c: ContainerRuntime, r: Running, idle: boolean) => {
      event('Normal', 'Started', `Started container ${c.name}${idle ? ` ${IDLE_NOTE}` : ''}`);
      const cs = spec(c.name)!;
      const startedAt = c.startedAt;
      const probes = () => {
        if (running.get(c.name) !== r || r.stopping || c.init) return;
        const add = (kind: ProbeKind, probe: typeof cs.readinessProbe) => {
          if (!probe) return;
          const Kind = kind[0].toUpperCase() + kind.slice(1);
          const w: ProbeWorker = new ProbeWorker(
            kind,
            probe,
            this.clock,
            startedAt,
            () => target(c.name, r),
            () => kind === 'startup' || c.probeStarted !== false,
            ({ result, output, set }) => {
              if (running.get(c.name) !== r || r.stopping) return;
              if (result === 'unknown') event('Warning', 'Unhealthy', `${Kind} probe errored: ${output}`);
              else if (result === 'failure') event('Warning', 'Unhealthy', `${Kind} probe failed: ${output}`);
              if (!set) return;
              if (kind === 'readiness') {
                if (c.probeReady !== (result === 'success')) {
                  c.probeReady = result === 'success';
                  onChange();
                }
              } else if (kind === 'startup' && result === 'success') {
                w.stop();
                c.probeStarted = true;
                onChange();
              } else if (result === 'failure') {
                const grace = probe.terminationGracePeriodSeconds != null ? probe.terminationGracePeriodSeconds * 1000 : podGraceMs;
                kill(c, grace, `Container ${c.name} failed ${kind} probe, will be restarted`);
              }
            },
          );
          r.workers.push(w);
          w.start();
        };
        add('startup', cs.startupProbe);
        add('readiness', cs.readinessProbe);
        add('liveness', cs.livenessProbe);
      };
      const postStart = cs.lifecycle?.postStart;
      const t = target(c.name, r);
      if (!postStart || !t) return probes();
      void runHook(postStart, t, this.clock, fmtPod, 0).then((msg) => {
        if (!msg) return probes();
        event('Warning', 'FailedPostStartHook', msg);
        kill(c, podGraceMs, 'FailedPostStartHook');
      });
    };
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
        const r: Running = { child, logs, uid: p.uid, gid: p.gid, env: p.env, ready: false, readyP: child.ready, workers: [], stopping: false };
        running.set(c.name, r);
        const cs = spec(c.name);
        c.probeStarted = !c.init && cs?.startupProbe ? false : undefined;
        c.probeReady = !c.init && cs?.readinessProbe ? false : undefined;
        event('Normal', 'Created', `Created container: ${c.name}`);
        void child.ready.then((ok) => {
          if (!ok || running.get(c.name) !== r) return;
          r.ready = true;
          running0(c, r, p.idle);
        });
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
          for (const w of r.workers) w.stop();
          if (running.get(c.name) === r) running.delete(c.name);
          rmSync(runDir, { recursive: true, force: true });
          const exit = code ?? 128 + (signal ? signalNumber(signal) : 0);
          rt?.exited(c, exit, this.clock.now());
          onChange();
        });
      },
      stop: (c, graceMs) => kill(c, graceMs, `Stopping container ${c.name}`),
      logLines: (name, n) => readLogFile(logPath(name, n)),
      pid: (name) => {
        const r = running.get(name);
        return r?.child.pid ? containerPid(r.child.pid) : undefined;
      },
      identity: (name) => {
        const r = running.get(name);
        return r ? { uid: r.uid, gid: r.gid, env: r.env } : undefined;
      },
      whenReady: async (name) => {
        const r = running.get(name);
        return r ? (await r.readyP) && running.get(name) === r : false;
      },
      shutdown: () => {
        disposed = true;
        for (const r of running.values()) {
          r.killTimer?.cancel();
          for (const w of r.workers) w.stop();
          // the container's PID 1 first: killing it ends its PID namespace (the launcher's death alone may not)
          const pid = r.child.pid ? containerPid(r.child.pid) : undefined;
          try {
            if (pid) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          r.child.kill('SIGKILL');
          // nothing of a killed container may keep this process alive
          r.child.stdout?.destroy();
          r.child.stderr?.destroy();
          r.child.unref();
        }
        running.clear();
      },
      dispose: () => {
        hooks.shutdown();
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
    return { env, mounts, uid: uid ?? 0, gid: gid ?? 0, command: argv.length ? argv : IDLE_COMMAND, idle: argv.length === 0, workingDir: c.workingDir };
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
