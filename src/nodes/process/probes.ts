// Probes and lifecycle hooks of the process runtime, as the kubelet runs them (pkg/kubelet/prober,
// pkg/kubelet/lifecycle): exec probes and hooks run inside the container (nsenter into all its
// namespaces); httpGet and tcpSocket probes connect to the container's loopback inside its network
// namespace with bash's /dev/tcp (bash is essential on Debian: no wget/nc needed). Messages are
// upstream's; the target address in them is the pod IP, as the kubelet would dial it.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Container, LifecycleHandler, Probe } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../clock/clock.js';

/** kubelet's maxReadLength for probe output */
const MAX_OUTPUT = 10 * 1024;
export const PROBE_USER_AGENT = 'kube-probe/1.32';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = 'success' | 'failure' | 'unknown';

export interface InContainer {
  /** the container's PID 1 (in kindling's PID namespace) */
  pid: number;
  uid: number;
  gid: number;
  env: Record<string, string>;
  podIP: string;
  container: Container;
}

const HOST_PATH = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };

function nsenter(pid: number, ns: string[], argv: string[]): ChildProcess {
  // its own process group, so a timeout kills nsenter's forked child too
  return spawn('nsenter', ['-t', String(pid), ...ns, '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: HOST_PATH, detached: true });
}

/** run argv with a deadline; output is stdout and stderr together (up to kubelet's 10 KiB) */
function collect(child: ChildProcess, clock: Clock, timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean; stderr: string }> {
  return new Promise((resolve) => {
    let output = '';
    let stderr = '';
    let timedOut = false;
    const add = (d: Buffer) => {
      if (output.length < MAX_OUTPUT) output = (output + d.toString()).slice(0, MAX_OUTPUT);
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', (d: Buffer) => {
      add(d);
      stderr += d.toString();
    });
    const timer =
      timeoutMs > 0
        ? clock.setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* gone */
            }
          }, timeoutMs)
        : undefined;
    child.on('error', (e) => {
      timer?.cancel();
      resolve({ code: null, output: e.message, timedOut, stderr: e.message });
    });
    child.on('close', (code) => {
      timer?.cancel();
      resolve({ code, output, timedOut, stderr });
    });
  });
}

/** a command inside the container, as the container's user, with its environment */
export function execIn(t: InContainer, command: string[], clock: Clock, timeoutMs: number) {
  const argv = ['setpriv', `--reuid=${t.uid}`, `--regid=${t.gid}`, '--clear-groups', '--', 'env', '-i', '--', ...Object.entries(t.env).map(([k, v]) => `${k}=${v}`), ...command];
  return collect(nsenter(t.pid, ['--all', '--root', '--wd'], argv), clock, timeoutMs);
}

/** a port given by number or by the name of one of the container's ports */
function resolvePort(port: number | string | undefined, c: Container): number | string {
  if (typeof port === 'number') return port;
  const n = Number(port);
  if (port !== undefined && /^\d+$/.test(port)) return n;
  const named = (c.ports ?? []).find((p) => p.name === port);
  if (!named) return `couldn't find port: ${port} in container ${c.name}`;
  return named.containerPort;
}

const NET_SCRIPT = `
if ! exec 3<>/dev/tcp/127.0.0.1/"$1" 2>/dev/null; then exit 2; fi
[ "$2" = tcp ] && exit 0
printf '%s' "$3" >&3
IFS= read -r line <&3 || exit 3
printf '%s\\n' "$line"
`;

/** run one probe once: the result and the output/message the kubelet would record */
export async function runProbe(p: Probe, t: InContainer, clock: Clock): Promise<{ result: ProbeResult; output: string }> {
  const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
  if (p.exec) {
    const cmd = p.exec.command ?? [];
    const r = await execIn(t, cmd, clock, timeoutMs);
    if (r.timedOut) return { result: 'failure', output: `command ${JSON.stringify(cmd.join(' '))} timed out` };
    if (r.code === null) return { result: 'unknown', output: r.output };
    return { result: r.code === 0 ? 'success' : 'failure', output: r.output };
  }
  if (p.httpGet || p.tcpSocket) {
    const tcp = !p.httpGet;
    const port = resolvePort(tcp ? p.tcpSocket!.port : p.httpGet!.port, t.container);
    const host = (tcp ? p.tcpSocket!.host : p.httpGet!.host) || t.podIP;
    if (typeof port === 'string') return { result: 'unknown', output: port };
    const addr = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    let url = '';
    let request = '';
    if (p.httpGet) {
      const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase();
      const path = p.httpGet.path ?? '';
      url = `${scheme}://${addr}${path && !path.startsWith('/') ? '/' : ''}${path}`;
      if (scheme !== 'http') return { result: 'unknown', output: `kindling: HTTPS probes are not supported by the process runtime (${url})` };
      const headers: [string, string][] = [
        ['Host', addr],
        ['User-Agent', PROBE_USER_AGENT],
        ['Accept', '*/*'],
      ];
      for (const h of p.httpGet.httpHeaders ?? []) {
        const i = headers.findIndex(([k]) => k.toLowerCase() === h.name.toLowerCase());
        if (i >= 0) headers[i] = [headers[i][0], h.value];
        else headers.push([h.name, h.value]);
      }
      request = `GET ${path || '/'} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`;
    }
    const r = await collect(nsenter(t.pid, ['--user', '--net'], ['bash', '-c', NET_SCRIPT, 'probe', String(port), tcp ? 'tcp' : 'http', request]), clock, timeoutMs);
    const dial = `dial tcp ${addr}`;
    if (tcp) {
      if (r.timedOut) return { result: 'failure', output: `${dial}: i/o timeout` };
      return r.code === 0 ? { result: 'success', output: '' } : { result: 'failure', output: `${dial}: connect: connection refused` };
    }
    if (r.timedOut) return { result: 'failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` };
    if (r.code === 2) return { result: 'failure', output: `Get "${url}": ${dial}: connect: connection refused` };
    if (r.code !== 0) return { result: 'failure', output: `Get "${url}": EOF` };
    const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(r.output);
    if (!m) return { result: 'failure', output: `Get "${url}": net/http: HTTP/1.x transport connection broken: malformed HTTP response ${JSON.stringify(r.output.trim())}` };
    const code = Number(m[1]);
    // kubelet: 2xx and 3xx succeed (redirects to another host are a success with a warning)
    if (code >= 200 && code < 400) return { result: 'success', output: '' };
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${code}` };
  }
  if (p.grpc) return { result: 'unknown', output: 'kindling: gRPC probes are not supported by the process runtime' };
  return { result: 'unknown', output: 'missing probe handler' };
}

/** run a postStart/preStop handler; undefined on success, else upstream's failure message */
export async function runHook(h: LifecycleHandler, t: InContainer, clock: Clock, fmtPod: string, timeoutMs: number): Promise<string | undefined> {
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    const r = await execIn(t, cmd, clock, timeoutMs);
    if (r.code === 0) return undefined;
    const err = r.timedOut ? `command ${JSON.stringify(cmd.join(' '))} timed out` : `command '${cmd.join(' ')}' exited with ${r.code ?? 137}: ${r.stderr}`;
    return `Exec lifecycle hook ([${cmd.join(' ')}]) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(fmtPod)} failed - error: ${err}, message: ${JSON.stringify(r.output)}`;
  }
  if (h.sleep) {
    await new Promise<void>((resolve) => clock.setTimeout(resolve, Math.min(timeoutMs, (h.sleep!.seconds ?? 0) * 1000)));
    return undefined;
  }
  if (h.httpGet || h.tcpSocket) {
    const r = await runProbe({ httpGet: h.httpGet, tcpSocket: h.tcpSocket, timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)) }, t, clock);
    if (r.result === 'success') return undefined;
    return `HTTP lifecycle hook (${h.httpGet?.path ?? ''}) for Container ${JSON.stringify(t.container.name)} in Pod ${JSON.stringify(fmtPod)} failed - error: ${r.output}`;
  }
  return undefined;
}

/**
 * One probe of one container instance, as kubelet's prober worker: a probe every periodSeconds
 * (the first at once), skipped until initialDelaySeconds after the start; failureThreshold
 * consecutive failures or successThreshold consecutive successes change the result.
 */
export class ProbeWorker {
  private timer: { cancel(): void } | undefined;
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private stopped = false;
  private busy = false;
  /** liveness/startup failed: no more probing for this instance */
  onHold = false;

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe,
    private readonly clock: Clock,
    private readonly startedAt: number,
    private readonly target: () => InContainer | undefined,
    /** may this probe run now (liveness and readiness wait for the startup probe) */
    private readonly enabled: () => boolean,
    /** each probe's outcome; set = the result the kubelet's results manager now holds */
    private readonly report: (r: { result: ProbeResult; output: string; set: boolean }) => void,
    /** how one probe runs (tests replace it) */
    private readonly run: (p: Probe, t: InContainer, clock: Clock) => Promise<{ result: ProbeResult; output: string }> = runProbe,
  ) {}

  start(): void {
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), (this.probe.periodSeconds ?? 10) * 1000);
    void this.doProbe();
  }

  private async doProbe(): Promise<void> {
    if (this.onHold || this.busy || !this.enabled()) return;
    if (this.clock.now() - this.startedAt < (this.probe.initialDelaySeconds ?? 0) * 1000) return;
    const t = this.target();
    if (!t) return;
    this.busy = true;
    let r: { result: ProbeResult; output: string };
    try {
      r = await this.run(this.probe, t, this.clock);
    } finally {
      this.busy = false;
    }
    if (this.stopped) return;
    if (r.result === 'unknown') {
      this.report({ ...r, set: false });
      return;
    }
    if (this.lastResult === r.result) this.resultRun++;
    else {
      this.lastResult = r.result;
      this.resultRun = 1;
    }
    const failureThreshold = this.probe.failureThreshold ?? 3;
    const successThreshold = this.probe.successThreshold ?? 1;
    const set = !((r.result === 'failure' && this.resultRun < failureThreshold) || (r.result === 'success' && this.resultRun < successThreshold));
    if (set && r.result === 'failure' && this.kind !== 'readiness') {
      this.onHold = true;
      this.resultRun = 0;
    }
    this.report({ ...r, set });
  }
}
