// A minimal HTTPS client for the benchmarks: the kubeconfig's CA and bearer token, node:https,
// keep-alive agents (as client-go keeps connections open).

import https from 'node:https';
import YAML from 'yaml';

export interface Conn {
  base: URL;
  ca?: string;
  token?: string;
}

export function connFromKubeconfig(kubeconfig: string): Conn {
  const kc = YAML.parse(kubeconfig) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users: { user: { token?: string } }[];
  };
  const c = kc.clusters[0].cluster;
  return {
    base: new URL(c.server),
    ca: c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8') : undefined,
    token: kc.users[0]?.user.token,
  };
}

export function agent(conn: Conn, maxSockets = 1): https.Agent {
  return new https.Agent({ keepAlive: true, maxSockets, ca: conn.ca });
}

export function request(
  conn: Conn,
  ag: https.Agent,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      {
        host: conn.base.hostname,
        port: conn.base.port,
        method,
        path,
        agent: ag,
        headers: {
          accept: 'application/json',
          ...(conn.token ? { authorization: `Bearer ${conn.token}` } : {}),
          ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}
