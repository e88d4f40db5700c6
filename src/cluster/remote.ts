// Any API server a kubeconfig names, as kubectl reaches it: the files kubectl would read
// (--kubeconfig, else KUBECONFIG's list merged first-wins, else ~/.kube/config), a context (the
// current one by default), and its credentials (bearer token or token file, client certificate,
// basic auth; CA or insecure-skip-tls-verify). Exec and auth-provider plugins are not run.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { kubeconfigPaths, readKubeconfig, type Kubeconfig, type NamedEntry } from './kubeconfig.js';

export interface RemoteResponse {
  status: number;
  body: string;
}

export interface RemoteServer {
  context: string;
  server: string;
  request(method: string, path: string, body?: string, contentType?: string): Promise<RemoteResponse>;
}

type Entry = Record<string, unknown>;

function merged(paths: string[]): { cfg: Kubeconfig; dirOf: Map<Entry, string> } {
  const cfg: Kubeconfig = { clusters: [], users: [], contexts: [] };
  const dirOf = new Map<Entry, string>();
  for (const p of paths) {
    const one = readKubeconfig(p);
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const e of (one[key] ?? []) as NamedEntry[]) {
        if ((cfg[key] as NamedEntry[]).some((x) => x.name === e.name)) continue;
        (cfg[key] as NamedEntry[]).push(e);
        dirOf.set(e, dirname(p));
      }
    }
    if (!cfg['current-context'] && one['current-context']) cfg['current-context'] = one['current-context'];
  }
  return { cfg, dirOf };
}

/** a file a kubeconfig names, relative to that kubeconfig's directory */
function readRelative(dir: string, file: string): string {
  return readFileSync(isAbsolute(file) ? file : join(dir, file), 'utf8');
}

function pem(entry: Entry, dir: string, dataKey: string, fileKey: string): string | undefined {
  const data = entry[dataKey];
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
  const file = entry[fileKey];
  if (typeof file === 'string' && file) return readRelative(dir, file);
  return undefined;
}

/** the API server of a kubeconfig context; throws a one-line error naming what is missing */
export function remoteServer(o: { kubeconfig?: string; context?: string; timeoutMs?: number } = {}): RemoteServer {
  const paths = kubeconfigPaths(o.kubeconfig);
  const { cfg, dirOf } = merged(paths);
  const contextName = o.context ?? cfg['current-context'];
  if (!contextName) throw new Error(`no current context in ${paths.join(', ')} (pass --context, or --kubeconfig)`);
  const ctxEntry = cfg.contexts!.find((c) => c.name === contextName);
  if (!ctxEntry) throw new Error(`context "${contextName}" not found in ${paths.join(', ')}`);
  const ctx = (ctxEntry.context ?? {}) as Entry;
  const clusterEntry = cfg.clusters!.find((c) => c.name === ctx.cluster);
  if (!clusterEntry) throw new Error(`cluster "${String(ctx.cluster)}" of context "${contextName}" not found`);
  const cluster = (clusterEntry.cluster ?? {}) as Entry;
  const userEntry = cfg.users!.find((u) => u.name === ctx.user);
  const user = ((userEntry?.user ?? {}) as Entry) ?? {};
  const server = String(cluster.server ?? '');
  if (!/^https?:\/\//.test(server)) throw new Error(`cluster "${clusterEntry.name}" has no server URL`);
  if (user.exec || user['auth-provider']) {
    throw new Error(`user "${String(ctx.user)}" authenticates through an ${user.exec ? 'exec' : 'auth-provider'} plugin, which kindling does not run; use a kubeconfig with a token or a client certificate`);
  }
  const cdir = dirOf.get(clusterEntry) ?? '.';
  const udir = userEntry ? (dirOf.get(userEntry) ?? '.') : '.';
  const ca = pem(cluster, cdir, 'certificate-authority-data', 'certificate-authority');
  const cert = pem(user, udir, 'client-certificate-data', 'client-certificate');
  const key = pem(user, udir, 'client-key-data', 'client-key');
  let token = typeof user.token === 'string' ? user.token : undefined;
  if (!token && typeof user.tokenFile === 'string') token = readRelative(udir, user.tokenFile).trim();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (typeof user.username === 'string') headers.Authorization = `Basic ${Buffer.from(`${user.username}:${String(user.password ?? '')}`).toString('base64')}`;
  const tls = {
    ca,
    cert,
    key,
    rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
    ...(typeof cluster['tls-server-name'] === 'string' ? { servername: cluster['tls-server-name'] } : {}),
  };
  const mod = server.startsWith('https:') ? https : http;
  const base = server.replace(/\/+$/, '');
  return {
    context: contextName,
    server,
    request(method, path, body, contentType = 'application/json') {
      const h = { ...headers, ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) } : {}) };
      return new Promise((resolve, reject) => {
        const req = mod.request(`${base}${path}`, { method, headers: h, ...(mod === https ? tls : {}), timeout: o.timeoutMs ?? 60_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer from ${server} in time`)));
        req.on('error', (e) => reject(new Error(`cannot reach ${server}: ${e.message}`)));
        req.end(body);
      });
    },
  };
}

/** GET a path and parse the JSON; a non-2xx answer throws the server's Status message */
export async function getJson<T = unknown>(s: RemoteServer, path: string): Promise<T> {
  return parseAnswer<T>(await s.request('GET', path), path);
}

export function parseAnswer<T>(r: RemoteResponse, path: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    parsed = undefined;
  }
  if (r.status < 200 || r.status > 299) {
    const msg = (parsed as { message?: string } | undefined)?.message;
    throw new Error(msg ?? `the server answered ${r.status} for ${path}: ${r.body.trim().split('\n')[0]}`);
  }
  if (parsed === undefined) throw new Error(`the server's answer to ${path} is not JSON`);
  return parsed as T;
}
