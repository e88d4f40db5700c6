import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock, RealClock } from '../../clock/clock.js';
import { ProbeWorker, runHook, runProbe, type InContainer, type ProbeKind, type ProbeResult } from './probes.js';
import { containerPid, launchSandbox, type SandboxProcess } from './sandbox.js';

const target: InContainer = { pid: 1, uid: 0, gid: 0, env: {}, podIP: '10.244.0.2', container: { name: 'app' } };
const flush = () => new Promise((r) => setImmediate(r));

/** a worker over scripted results; returns what it reported, with the clock time in seconds */
function worker(kind: ProbeKind, probe: Probe, results: ProbeResult[], enabled = () => true) {
  const clock = new FakeClock();
  const t0 = clock.now();
  const runs: number[] = [];
  const reports: string[] = [];
  let i = 0;
  const w = new ProbeWorker(kind, probe, clock, t0, () => target, enabled, (r) => reports.push(`${(clock.now() - t0) / 1000}s ${r.result}${r.set ? ' set' : ''}`), async () => {
    runs.push((clock.now() - t0) / 1000);
    return { result: results[i++] ?? 'success', output: '' };
  });
  w.start();
  const advance = async (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      await flush();
      clock.step(1000);
    }
    await flush();
  };
  return { w, runs, reports, advance };
}

describe('ProbeWorker (kubelet prober worker semantics)', () => {
  it('probes every periodSeconds from the start, skipping until initialDelaySeconds', async () => {
    const x = worker('readiness', { periodSeconds: 2, initialDelaySeconds: 3 }, []);
    await x.advance(9);
    expect(x.runs).toEqual([4, 6, 8]);
  });

  it('readiness: failureThreshold consecutive failures set Failure, successThreshold consecutive successes set Success', async () => {
    const x = worker('readiness', { periodSeconds: 1, failureThreshold: 2, successThreshold: 2 }, ['failure', 'failure', 'success', 'failure', 'success', 'success']);
    await x.advance(5);
    expect(x.reports).toEqual(['0s failure', '1s failure set', '2s success', '3s failure', '4s success', '5s success set']);
  });

  it('liveness: a failure that reaches the threshold is set once, then the worker holds', async () => {
    const x = worker('liveness', { periodSeconds: 1 }, ['failure', 'failure', 'failure', 'failure']);
    await x.advance(6);
    // default failureThreshold 3
    expect(x.reports).toEqual(['0s failure', '1s failure', '2s failure set']);
    expect(x.w.onHold).toBe(true);
  });

  it('startup: failureThreshold failures set Failure and hold; a success is set at once', async () => {
    const f = worker('startup', { periodSeconds: 1, failureThreshold: 2 }, ['failure', 'failure', 'failure']);
    await f.advance(4);
    expect(f.reports).toEqual(['0s failure', '1s failure set']);
    const s = worker('startup', { periodSeconds: 1, failureThreshold: 5 }, ['failure', 'success']);
    await s.advance(1);
    expect(s.reports).toEqual(['0s failure', '1s success set']);
  });

  it('does not probe while disabled (readiness and liveness wait for the startup probe)', async () => {
    let started = false;
    const x = worker('liveness', { periodSeconds: 1 }, [], () => started);
    await x.advance(3);
    expect(x.runs).toEqual([]);
    started = true;
    await x.advance(2);
    expect(x.runs).toEqual([4, 5]);
  });
});

// ---- probes against a real sandbox ----


describe('runProbe and runHook in a sandbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-probes-test-'));
  const clock = new RealClock();
  let box: SandboxProcess;
  let t: InContainer;
  // a tiny HTTP server on the container's loopback: 200 on /healthz while /tmp/healthy exists, else 503
  const server =
    'use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "$!"; ' +
    'open(my $f, ">", "/tmp/listening"); close $f; ' +
    'while (my $c = $s->accept) { my $l = <$c>; while (my $h = <$c>) { last if $h =~ /^\\r?\\n$/ } my $ok = -e "/tmp/healthy" && $l =~ m{^GET /healthz HTTP/1.1}; ' +
    'print $c ($ok ? "HTTP/1.1 200 OK" : "HTTP/1.1 503 Service Unavailable") . "\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n"; close $c }';
  beforeAll(async () => {
    box = launchSandbox({ hostname: 'probe-pod', command: ['perl', '-e', server], env: { PATH: '/usr/bin:/bin', GREETING: 'hi' }, runDir: join(dir, 'run') });
    expect(await box.ready).toBe(true);
    t = { pid: containerPid(box.pid!)!, uid: 0, gid: 0, env: { PATH: '/usr/bin:/bin', GREETING: 'hi' }, podIP: '10.244.1.7', container: { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] } };
    for (let i = 0; i < 100 && (await runProbe({ exec: { command: ['test', '-e', '/tmp/listening'] } }, t, clock)).result !== 'success'; i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => {
    box?.kill('SIGKILL');
    const pid = box?.pid ? containerPid(box.pid) : undefined;
    if (pid) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exec: the exit code decides, the output is stdout and stderr, in the container with its env; a timeout fails', async () => {
    expect(await runProbe({ exec: { command: ['sh', '-c', 'echo $GREETING from $(hostname)'] } }, t, clock)).toEqual({ result: 'success', output: 'hi from probe-pod\n' });
    expect(await runProbe({ exec: { command: ['cat', '/nope'] } }, t, clock)).toEqual({ result: 'failure', output: 'cat: /nope: No such file or directory\n' });
    expect(await runProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, t, clock)).toEqual({ result: 'failure', output: 'command "sleep 5" timed out' });
  }, 20_000);

  it('httpGet on the loopback inside: 503 fails, 200 succeeds, a closed port is refused; messages name the pod IP', async () => {
    const get = { httpGet: { path: '/healthz', port: 'http' as unknown as number } };
    expect(await runProbe(get, t, clock)).toEqual({ result: 'failure', output: 'HTTP probe failed with statuscode: 503' });
    await runProbe({ exec: { command: ['touch', '/tmp/healthy'] } }, t, clock);
    expect(await runProbe(get, t, clock)).toEqual({ result: 'success', output: '' });
    expect(await runProbe({ httpGet: { path: '/healthz', port: 8081 } }, t, clock)).toEqual({
      result: 'failure',
      output: 'Get "http://10.244.1.7:8081/healthz": dial tcp 10.244.1.7:8081: connect: connection refused',
    });
    expect((await runProbe({ httpGet: { port: 8080, scheme: 'HTTPS' } }, t, clock)).result).toBe('unknown');
  }, 20_000);

  it('tcpSocket: open port succeeds, closed port is refused', async () => {
    expect(await runProbe({ tcpSocket: { port: 8080 } }, t, clock)).toEqual({ result: 'success', output: '' });
    expect(await runProbe({ tcpSocket: { port: 9 } }, t, clock)).toEqual({ result: 'failure', output: 'dial tcp 10.244.1.7:9: connect: connection refused' });
  }, 20_000);

  it("hooks: success is undefined; an exec failure is upstream's message", async () => {
    expect(await runHook({ exec: { command: ['true'] } }, t, clock, 'p_default(u)', 0)).toBeUndefined();
    expect(await runHook({ exec: { command: ['sh', '-c', 'echo bad >&2; exit 4'] } }, t, clock, 'p_default(u)', 0)).toBe(
      `Exec lifecycle hook ([sh -c echo bad >&2; exit 4]) for Container "app" in Pod "p_default(u)" failed - error: command 'sh -c echo bad >&2; exit 4' exited with 4: bad\n, message: "bad\\n"`,
    );
  }, 20_000);
});
