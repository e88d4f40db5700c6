// The simulated container runtime for one pod: a state machine per container driven by clock
// time. advance(now) applies every transition due by now; status(now) renders the pod status
// the kubelet would report; nextWake() says when something changes next.

import { qosClass } from '../api/qos.js';
import { createHash } from 'node:crypto';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { resolveBehaviour, type ContainerBehaviour, type LifecycleRules } from './rules.js';
import { defaultPullPolicy } from '../api/defaults/pod.js';

/** kubelet's back-off for crashing containers and failed image pulls: 10 s doubling to 5 min */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** a container that ran this long resets its crash back-off */
export const BACKOFF_RESET_MS = 600_000;
/** how long ErrImagePull shows before the kubelet reports ImagePullBackOff */
export const ERR_IMAGE_PULL_SHOW_MS = 1000;

type Stage = 'waiting' | 'pulling' | 'pullBackoff' | 'starting' | 'running' | 'crashBackoff' | 'done';

interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

export interface ContainerRuntime {
  name: string;
  image: string;
  init: boolean;
  behaviour: ContainerBehaviour;
  stage: Stage;
  /** when the current stage ends (Infinity = not by itself) */
  nextAt: number;
  pullAttempts: number;
  pullFailedAt: number;
  pulled: boolean;
  crashes: number;
  restartCount: number;
  startedAt: number;
  readyAt: number;
  containerID: string;
  last?: Terminated;
  /** a finished container (init Completed, or not restarted) */
  final?: Terminated;
  /** back-off currently waited, for the CrashLoopBackOff message */
  backoffMs: number;
  /** process runtime: the exit code of the process that ended */
  exitCode?: number;
  /** process runtime: why the container cannot be created (e.g. CreateContainerConfigError) */
  configError?: { reason: string; message: string };
  /** process runtime: the readiness probe's last result (undefined = no probe) */
  probeReady?: boolean;
  /** process runtime: false while a startup probe has not succeeded (undefined = no probe) */
  probeStarted?: boolean;
  /** when the current pull began; undefined when the image was already present (no pull) */
  pullBeganAt?: number;
}

/**
 * The kubelet's events about a pod's containers (the simulator records them with source
 * kubelet on the node). Created/Started/Killing are left to the hooks when real processes run.
 */
export interface PodEvents {
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** whether the node already holds the image (the IfNotPresent check) */
  imagePresent(image: string): boolean;
  /** the node now holds the image */
  imagePulled(image: string): void;
}

/** Go's time.Duration String for a whole number of milliseconds: "0s", "523ms", "1.2s", "1m2.5s" */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sMs = ms % 60_000;
  const sec = `${Math.floor(sMs / 1000)}${sMs % 1000 ? '.' + String(sMs % 1000).padStart(3, '0').replace(/0+$/, '') : ''}s`;
  return h ? `${h}h${m}m${sec}` : m ? `${m}m${sec}` : sec;
}

/** a simulated image's size in bytes (stable per image) */
export function imageSize(image: string): number {
  return 10_000_000 + (parseInt(hex(`size:${fullImageRef(image).ref}`, 8), 16) % 90_000_000);
}

/** the error a pull of an image that does not exist gets from containerd */
export function pullError(image: string): string {
  const ref = fullImageRef(image).ref;
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

/**
 * Real containers (the process runtime): PodRuntime keeps the kubelet's state machine and asks
 * the hooks to prepare, start and stop processes; the hooks report exits with exited().
 */
export interface ContainerHooks {
  /** resolve what the container needs (env, volumes, security checks); call done(err?, t) later */
  prepare(c: ContainerRuntime, done: (err: { reason: string; message: string } | undefined, t: number) => void): void;
  /** launch the process for c (c.restartCount is this instance's number) */
  start(c: ContainerRuntime, t: number): void;
  /** SIGTERM, then SIGKILL after graceMs */
  stop(c: ContainerRuntime, graceMs: number): void;
}

export function hex(seed: string, len = 64): string {
  let out = '';
  let i = 0;
  while (out.length < len) out += createHash('sha256').update(`${seed}/${i++}`).digest('hex');
  return out.slice(0, len);
}

/** "nginx" -> "docker.io/library/nginx:latest", as containerd reports images */
export function fullImageRef(image: string): { repo: string; ref: string } {
  let name = image;
  let tag = '';
  const at = name.indexOf('@');
  if (at >= 0) name = name.slice(0, at);
  else {
    const colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      tag = name.slice(colon + 1);
      name = name.slice(0, colon);
    }
  }
  const first = name.split('/')[0];
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
  return { repo: name, ref: at >= 0 ? `${name}${image.slice(at)}` : `${name}:${tag || 'latest'}` };
}

export function imageID(image: string): string {
  return `${fullImageRef(image).repo}@sha256:${hex(`image:${fullImageRef(image).ref}`)}`;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export { qosClass };

export class PodRuntime {
  readonly containers: ContainerRuntime[];
  readonly startTime: number;
  /** when termination started (deletionTimestamp seen); containers stop at killAt */
  killAt = Infinity;

  constructor(
    readonly pod: Pod,
    rules: LifecycleRules,
    now: number,
    private readonly random: () => number = Math.random,
    readonly hooks?: ContainerHooks,
    private readonly events?: PodEvents,
  ) {
    this.startTime = now;
    const facts = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', labels: pod.metadata?.labels, annotations: pod.metadata?.annotations };
    const mk = (c: Container, init: boolean): ContainerRuntime => ({
      name: c.name,
      image: c.image ?? '',
      init,
      behaviour: resolveBehaviour(rules, facts, c),
      stage: 'waiting',
      nextAt: Infinity,
      pullAttempts: 0,
      pullFailedAt: 0,
      pulled: false,
      crashes: 0,
      restartCount: 0,
      startedAt: 0,
      readyAt: Infinity,
      containerID: '',
      backoffMs: 0,
    });
    this.containers = [...(pod.spec?.initContainers ?? []).map((c) => mk(c, true)), ...(pod.spec?.containers ?? []).map((c) => mk(c, false))];
    this.kick(now);
  }

  get inits(): ContainerRuntime[] {
    return this.containers.filter((c) => c.init);
  }
  get regular(): ContainerRuntime[] {
    return this.containers.filter((c) => !c.init);
  }
  initsDone(): boolean {
    return this.inits.every((c) => c.stage === 'done' && c.final?.exitCode === 0);
  }

  /** start the next containers that may start: the next init container, or all regular ones */
  private kick(now: number): void {
    if (now >= this.killAt) return;
    const pendingInit = this.inits.find((c) => !(c.stage === 'done' && c.final?.exitCode === 0));
    if (pendingInit) {
      if (pendingInit.stage === 'waiting') this.beginPull(pendingInit, now);
      return;
    }
    for (const c of this.regular) if (c.stage === 'waiting') this.beginPull(c, now);
  }

  private beginPull(c: ContainerRuntime, now: number): void {
    if (c.pulled) return this.beginStart(c, now);
    c.stage = 'pulling';
    c.nextAt = now + c.behaviour.pull.delayMs;
    this.pullEvent(c, now);
  }

  /** kubelet's image manager: Pulling, or "already present" when the policy lets the node's copy do */
  private pullEvent(c: ContainerRuntime, now: number): void {
    const ev = this.events;
    if (!ev) return;
    const spec = [...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])].find((x) => x.name === c.name);
    const policy = spec?.imagePullPolicy ?? defaultPullPolicy(c.image);
    if (policy !== 'Always' && !c.behaviour.pull.fail && ev.imagePresent(c.image)) {
      c.pullBeganAt = undefined;
      ev.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
      return;
    }
    c.pullBeganAt = now;
    ev.event('Normal', 'Pulling', `Pulling image "${c.image}"`);
  }

  /** the end of a pull begun at c.pullBeganAt */
  private pulledEvent(c: ContainerRuntime, t: number): void {
    if (!this.events || c.pullBeganAt === undefined) return;
    const d = goDuration(t - c.pullBeganAt);
    this.events.event('Normal', 'Pulled', `Successfully pulled image "${c.image}" in ${d} (${d} including waiting). Image size: ${imageSize(c.image)} bytes.`);
    this.events.imagePulled(c.image);
    c.pullBeganAt = undefined;
  }

  /** the container is created and started (real processes: the hooks record these) */
  private startEvents(c: ContainerRuntime): void {
    if (this.hooks || !this.events) return;
    this.events.event('Normal', 'Created', `Created container: ${c.name}`);
    this.events.event('Normal', 'Started', `Started container ${c.name}`);
  }

  private beginStart(c: ContainerRuntime, now: number): void {
    c.stage = 'starting';
    if (this.hooks) {
      c.nextAt = Infinity;
      const n = c.restartCount;
      this.hooks.prepare(c, (err, t) => {
        if (c.stage !== 'starting' || c.restartCount !== n || this.killAt !== Infinity) return;
        c.configError = err;
        // the kubelet retries a container it could not create on its next sync
        c.nextAt = err ? t + BACKOFF_INITIAL_MS : t;
      });
      return;
    }
    const j = c.behaviour.start.jitterMs;
    c.nextAt = now + c.behaviour.start.delayMs + (j > 0 ? Math.floor(this.random() * j) : 0);
  }

  private restartPolicy(c: ContainerRuntime): string {
    if (c.behaviour.exit?.restart === false) return 'Never';
    if (c.init) {
      // a failed init container is retried unless the pod never restarts
      return this.pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
    }
    return this.pod.spec?.restartPolicy ?? 'Always';
  }

  private readinessDelay(c: ContainerRuntime): number {
    const spec = [...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])].find((x) => x.name === c.name);
    const probe = (spec?.readinessProbe?.initialDelaySeconds ?? 0) * 1000;
    return Math.max(c.behaviour.ready.delayMs, probe);
  }

  /** apply every transition due at or before now */
  advance(now: number): void {
    if (this.hooks && this.killAt !== Infinity) {
      // terminating real processes: only their exits move things on
      for (const c of this.containers) if (c.stage === 'running' && c.nextAt <= now) this.step(c, c.nextAt);
      return;
    }
    for (let guard = 0; guard < 10_000; guard++) {
      let c: ContainerRuntime | undefined;
      for (const x of this.containers) if (x.nextAt <= now && (!c || x.nextAt < c.nextAt)) c = x;
      if (!c && this.killAt <= now && this.containers.some((x) => x.stage !== 'done')) {
        this.killAll(this.killAt);
        continue;
      }
      if (!c) return;
      const t = c.nextAt;
      if (t >= this.killAt) {
        this.killAll(this.killAt);
        continue;
      }
      this.step(c, t);
      this.kick(t);
    }
  }

  private step(c: ContainerRuntime, t: number): void {
    switch (c.stage) {
      case 'pulling':
        c.pullAttempts++;
        if (c.behaviour.pull.fail) {
          c.stage = 'pullBackoff';
          c.pullFailedAt = t;
          c.backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (c.pullAttempts - 1));
          c.nextAt = t + c.backoffMs;
          if (this.events) {
            // the failed pull, then (the kubelet's next sync) the back-off
            this.events.event('Warning', 'Failed', `Failed to pull image "${c.image}": ${pullError(c.image)}`);
            this.events.event('Warning', 'Failed', 'Error: ErrImagePull');
            this.events.event('Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
            this.events.event('Warning', 'Failed', 'Error: ImagePullBackOff');
          }
        } else {
          c.pulled = true;
          this.pulledEvent(c, t);
          this.beginStart(c, t);
        }
        return;
      case 'pullBackoff':
        c.stage = 'pulling';
        c.nextAt = t + c.behaviour.pull.delayMs;
        this.pullEvent(c, t);
        return;
      case 'starting':
        if (this.hooks && c.configError) return this.beginStart(c, t);
        c.stage = 'running';
        c.startedAt = t;
        c.containerID = `containerd://${hex(`ctr:${this.pod.metadata?.uid}/${c.name}/${c.restartCount}`)}`;
        c.readyAt = t + this.readinessDelay(c);
        this.startEvents(c);
        if (this.hooks) {
          c.exitCode = undefined;
          c.nextAt = Infinity;
          this.hooks.start(c, t);
          return;
        }
        // init containers finish at once unless a rule says otherwise
        if (c.behaviour.exit) c.nextAt = t + c.behaviour.exit.afterMs;
        else c.nextAt = c.init ? t : Infinity;
        return;
      case 'running': {
        const code = c.exitCode ?? c.behaviour.exit?.code ?? 0;
        const term: Terminated = { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: c.startedAt, finishedAt: t, containerID: c.containerID };
        c.readyAt = Infinity;
        const policy = this.restartPolicy(c);
        const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
        if (!restart || (this.hooks && this.killAt !== Infinity)) {
          c.stage = 'done';
          c.final = term;
          c.nextAt = Infinity;
          return;
        }
        c.last = term;
        if (t - c.startedAt >= BACKOFF_RESET_MS) c.crashes = 0;
        c.crashes++;
        // the first restart is immediate; later ones wait 10 s, 20 s, ... 5 min
        c.backoffMs = c.crashes <= 1 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** (c.crashes - 2));
        c.stage = 'crashBackoff';
        c.nextAt = t + c.backoffMs;
        if (c.backoffMs > 0 && this.events) {
          const m = this.pod.metadata;
          this.events.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${m?.name}_${m?.namespace}(${m?.uid})`);
        }
        return;
      }
      case 'crashBackoff':
        c.restartCount++;
        // each start asks the image manager again: Always pulls anew (taken as instant here)
        this.pullEvent(c, t);
        this.pulledEvent(c, t);
        this.beginStart(c, t);
        return;
      default:
        c.nextAt = Infinity;
    }
  }

  /** deletion: every container stops (SIGTERM; simulated processes exit 0 at once) */
  private killAll(t: number): void {
    for (const c of this.containers) {
      if (c.stage === 'done') continue;
      if (c.stage === 'running') c.final = { exitCode: 0, reason: 'Completed', startedAt: c.startedAt, finishedAt: t, containerID: c.containerID };
      c.stage = 'done';
      c.nextAt = Infinity;
      c.readyAt = Infinity;
    }
  }

  /** process runtime: the process of c ended with code at t */
  exited(c: ContainerRuntime, code: number, t: number): void {
    if (c.stage !== 'running') return;
    c.exitCode = code;
    c.nextAt = t;
  }

  /** termination requested at now; containers stop after the rule's delay, within the grace period */
  terminate(now: number, graceMs: number): void {
    if (this.killAt !== Infinity) return;
    if (this.hooks) {
      // real processes: SIGTERM now, SIGKILL after the grace period; the pod is gone when all exited
      this.killAt = now;
      for (const c of this.containers) {
        if (c.stage === 'running') this.hooks.stop(c, graceMs);
        else if (c.stage !== 'done') {
          c.stage = 'done';
          c.nextAt = Infinity;
        }
      }
      return;
    }
    const delay = Math.max(0, ...this.containers.map((c) => c.behaviour.terminate.delayMs));
    this.killAt = now + Math.min(delay, graceMs);
    for (const c of this.containers) if (c.stage === 'running') this.events?.event('Normal', 'Killing', `Stopping container ${c.name}`);
  }

  terminated(): boolean {
    return this.containers.every((c) => c.stage === 'done');
  }

  /** the next clock time at which the status can change */
  nextWake(now: number): number {
    let t = this.killAt > now ? this.killAt : Infinity;
    if (this.killAt <= now && !this.terminated()) return this.hooks ? Infinity : now;
    for (const c of this.containers) {
      if (c.nextAt < t) t = c.nextAt;
      if (c.readyAt > now && c.readyAt < t) t = c.readyAt;
      if (c.stage === 'pullBackoff' && c.pullFailedAt + ERR_IMAGE_PULL_SHOW_MS > now) t = Math.min(t, c.pullFailedAt + ERR_IMAGE_PULL_SHOW_MS);
    }
    return t;
  }

  // ---- status ----

  private containerStatus(c: ContainerRuntime, now: number, podHasInits: boolean): ContainerStatus {
    const s: ContainerStatus = { name: c.name, image: c.image, imageID: c.pulled ? imageID(c.image) : '', ready: false, restartCount: c.restartCount, started: false, state: {}, lastState: {} };
    const img = c.image;
    switch (c.stage) {
      case 'waiting':
      case 'pulling':
      case 'starting':
        if (c.configError) {
          s.state = { waiting: { ...c.configError } };
          break;
        }
        // with init containers, everything waits as PodInitializing until it runs
        s.state = { waiting: { reason: c.init || podHasInits ? 'PodInitializing' : 'ContainerCreating' } };
        break;
      case 'pullBackoff':
        if (now < c.pullFailedAt + ERR_IMAGE_PULL_SHOW_MS) {
          s.state = { waiting: { reason: 'ErrImagePull', message: pullError(img) } };
        } else {
          s.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${img}"` } };
        }
        break;
      case 'running':
        s.state = { running: { startedAt: iso(c.startedAt) } };
        s.containerID = c.containerID;
        s.started = c.probeStarted !== false;
        s.ready = now >= c.readyAt && c.probeReady !== false && c.probeStarted !== false;
        break;
      case 'crashBackoff': {
        const p = this.pod.metadata;
        s.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(c.backoffMs / 1000)}s restarting failed container=${c.name} pod=${p?.name}_${p?.namespace}(${p?.uid})` } };
        s.containerID = c.last?.containerID;
        break;
      }
      case 'done':
        if (c.final) {
          s.state = { terminated: { exitCode: c.final.exitCode, reason: c.final.reason, startedAt: iso(c.final.startedAt), finishedAt: iso(c.final.finishedAt), containerID: c.final.containerID } };
          s.containerID = c.final.containerID;
        } else {
          s.state = { waiting: { reason: 'ContainerCreating' } };
        }
        break;
    }
    if (c.last) s.lastState = { terminated: { exitCode: c.last.exitCode, reason: c.last.reason, startedAt: iso(c.last.startedAt), finishedAt: iso(c.last.finishedAt), containerID: c.last.containerID } };
    if (!s.containerID) delete s.containerID;
    return s;
  }

  phase(): string {
    if (!this.initsDone()) {
      const failedInit = this.inits.find((c) => c.stage === 'done' && c.final && c.final.exitCode !== 0);
      return failedInit ? 'Failed' : 'Pending';
    }
    const reg = this.regular;
    if (reg.some((c) => c.stage === 'running' || c.stage === 'crashBackoff' || (c.stage === 'starting' && c.restartCount > 0))) return 'Running';
    if (reg.length > 0 && reg.every((c) => c.stage === 'done' && c.final)) return reg.every((c) => c.final!.exitCode === 0) ? 'Succeeded' : 'Failed';
    return 'Pending';
  }

  /** the status the kubelet reports now; prev keeps unchanged conditions' transition times */
  status(now: number, prev: PodStatus | undefined, ips: { hostIP: string; podIP: string }): PodStatus {
    const hasInits = this.inits.length > 0;
    const initStatuses = this.inits.map((c) => this.containerStatus(c, now, hasInits));
    const statuses = this.regular.map((c) => this.containerStatus(c, now, hasInits));
    const prevConds = new Map((prev?.conditions ?? []).map((c) => [c.type, c]));
    const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
      const p = prevConds.get(type);
      const status = ok ? 'True' : 'False';
      const c: PodCondition = { type, status, lastProbeTime: null as unknown as string, lastTransitionTime: p && p.status === status ? p.lastTransitionTime : iso(now) };
      if (!ok && reason) c.reason = reason;
      if (!ok && message) c.message = message;
      return c;
    };
    const incompleteInit = this.inits.filter((c) => !(c.stage === 'done' && c.final?.exitCode === 0)).map((c) => c.name);
    const unready = this.regular.filter((c, i) => !statuses[i].ready).map((c) => c.name);
    const phase = this.phase();
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    const conditions = [
      cond('PodReadyToStartContainers', !terminal),
      cond('Initialized', incompleteInit.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
      cond('Ready', unready.length === 0 && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`),
      cond('ContainersReady', unready.length === 0 && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`),
      prevConds.get('PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: iso(this.startTime) },
    ];
    const st: PodStatus = {
      phase,
      conditions,
      hostIP: ips.hostIP,
      hostIPs: [{ ip: ips.hostIP }],
      podIP: ips.podIP,
      podIPs: [{ ip: ips.podIP }],
      startTime: iso(this.startTime),
      containerStatuses: statuses,
      qosClass: qosClass(this.pod),
    };
    if (initStatuses.length) st.initContainerStatuses = initStatuses;
    return st;
  }

  /** the STATUS column kubectl would show, for tests and diagnostics */
  displayStatus(now: number): string {
    const st = this.status(now, undefined, { hostIP: '', podIP: '' });
    const inits = st.initContainerStatuses ?? [];
    for (let i = 0; i < inits.length; i++) {
      const s = inits[i];
      if (s.state?.terminated?.exitCode === 0) continue;
      if (s.state?.terminated) return `Init:${s.state.terminated.reason || 'ExitCode:' + s.state.terminated.exitCode}`;
      if (s.state?.waiting?.reason && s.state.waiting.reason !== 'PodInitializing') return `Init:${s.state.waiting.reason}`;
      return `Init:${i}/${inits.length}`;
    }
    let reason = st.phase ?? '';
    for (const s of st.containerStatuses ?? []) {
      if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
      else if (s.state?.terminated) reason = s.state.terminated.reason ?? `ExitCode:${s.state.terminated.exitCode}`;
    }
    return reason;
  }
}
