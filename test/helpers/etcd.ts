// Real etcd for tests: Debian's etcd 3.4 (fetched by scripts/get-etcd.sh into .cache/etcd/),
// started as one member or as a 3-member cluster on loopback, with free ports and temp dirs.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

let binary: string | undefined;

/** the etcd binary, fetched on first use (the script is idempotent) */
export function etcdBinary(): string {
  if (!binary) {
    binary = execFileSync('bash', [join(repoRoot, 'scripts/get-etcd.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop()!;
  }
  return binary;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  process?: ChildProcess;
  /** output of the process (for failure messages) */
  log: string[];
}

/** client TLS for the members: PEM text (written to files in the member's temp dir) */
export interface EtcdServerTls {
  /** serving certificate and key (its SANs must cover 127.0.0.1) */
  cert: string;
  key: string;
  /** CA that client certificates must chain to (--trusted-ca-file, --client-cert-auth) */
  ca: string;
  /** the client certificate the helper uses for health checks and storeUrl() */
  clientCert: string;
  clientKey: string;
}

export interface EtcdOptions {
  /** serve clients over https with client certificate authentication (peers stay on http) */
  tls?: EtcdServerTls;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** the store URL for kindling: etcd://h1:p1,h2:p2,... over the members still running
   *  (with tls: etcds://h1:p1,...?cacert=<file>&cert=<file>&key=<file>) */
  storeUrl(): string;
  /** every member's client endpoint, host:port */
  endpoints(): string[];
  /** with tls: the PEM files written for the members and the helper's client */
  tlsFiles?: { ca: string; cert: string; key: string; clientCert: string; clientKey: string };
  /** SIGKILL one member (it stays down) */
  kill(index: number): Promise<void>;
  /** SIGTERM every member, SIGKILL after a timeout; removes the temp dirs */
  stop(): Promise<void>;
}

function exited(p: ChildProcess): boolean {
  return p.exitCode !== null || p.signalCode !== null;
}

async function stopProcess(p: ChildProcess | undefined, timeoutMs = 8000): Promise<void> {
  if (!p || exited(p)) return;
  const done = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exited(p)) p.kill('SIGKILL');
  }, timeoutMs);
  await done;
  clearTimeout(timer);
}

async function healthy(clientUrl: string, tls?: EtcdServerTls): Promise<boolean> {
  if (tls) {
    return new Promise((res) => {
      const req = https.get(`${clientUrl}/health`, { ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, timeout: 1000 }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          try {
            res(r.statusCode === 200 && (JSON.parse(Buffer.concat(chunks).toString()) as { health?: string }).health === 'true');
          } catch {
            res(false);
          }
        });
        r.on('error', () => res(false));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => res(false));
    });
  }
  try {
    const r = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await r.json()) as { health?: string };
    return r.status === 200 && body.health === 'true';
  } catch {
    return false;
  }
}

/** start `size` members (1 or 3) on loopback and wait until every one reports healthy */
export async function startEtcd(size = 1, timeoutMs = 30_000, opts: EtcdOptions = {}): Promise<EtcdCluster> {
  const bin = etcdBinary();
  const root = mkdtempSync(join(tmpdir(), 'kindling-etcd-'));
  const tls = opts.tls;
  let tlsFiles: EtcdCluster['tlsFiles'];
  if (tls) {
    tlsFiles = { ca: join(root, 'ca.crt'), cert: join(root, 'server.crt'), key: join(root, 'server.key'), clientCert: join(root, 'client.crt'), clientKey: join(root, 'client.key') };
    writeFileSync(tlsFiles.ca, tls.ca);
    writeFileSync(tlsFiles.cert, tls.cert);
    writeFileSync(tlsFiles.key, tls.key, { mode: 0o600 });
    writeFileSync(tlsFiles.clientCert, tls.clientCert);
    writeFileSync(tlsFiles.clientKey, tls.clientKey, { mode: 0o600 });
  }
  const members: EtcdMember[] = [];
  for (let i = 0; i < size; i++) {
    const [c, p] = [await freePort(), await freePort()];
    members.push({
      name: `m${i + 1}`,
      clientUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${c}`,
      peerUrl: `http://127.0.0.1:${p}`,
      dataDir: join(root, `m${i + 1}`),
      log: [],
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  for (const m of members) {
    const child = spawn(
      bin,
      [
        '--name', m.name,
        '--data-dir', m.dataDir,
        '--listen-client-urls', m.clientUrl,
        '--advertise-client-urls', m.clientUrl,
        '--listen-peer-urls', m.peerUrl,
        '--initial-advertise-peer-urls', m.peerUrl,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', `kindling-${process.pid}-${root.slice(-6)}`,
        '--logger', 'zap',
        '--log-level', 'error',
        ...(tlsFiles ? ['--cert-file', tlsFiles.cert, '--key-file', tlsFiles.key, '--trusted-ca-file', tlsFiles.ca, '--client-cert-auth'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (b: Buffer) => {
      m.log.push(b.toString());
      if (m.log.length > 200) m.log.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    m.process = child;
  }

  const cluster: EtcdCluster = {
    members,
    tlsFiles,
    endpoints: () => members.map((m) => m.clientUrl.replace(/^https?:\/\//, '')),
    storeUrl: () => {
      const hosts = members.filter((m) => m.process && !exited(m.process)).map((m) => m.clientUrl.replace(/^https?:\/\//, '')).join(',');
      if (!tlsFiles) return `etcd://${hosts}`;
      const q = new URLSearchParams({ cacert: tlsFiles.ca, cert: tlsFiles.clientCert, key: tlsFiles.clientKey });
      return `etcds://${hosts}?${q}`;
    },
    async kill(index: number) {
      const p = members[index]?.process;
      if (!p || exited(p)) return;
      const done = new Promise<void>((r) => p.once('exit', () => r()));
      p.kill('SIGKILL');
      await done;
    },
    async stop() {
      await Promise.all(members.map((m) => stopProcess(m.process)));
      rmSync(root, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + timeoutMs;
  for (const m of members) {
    while (!(await healthy(m.clientUrl, tls))) {
      if (exited(m.process!) || Date.now() > deadline) {
        await cluster.stop();
        throw new Error(`etcd member ${m.name} did not become healthy; its output ends with:\n${m.log.join('').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return cluster;
}
