// The web view's login and session cookie on a real API server (HTTPS, bearer token).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import https from 'node:https';
import { MemoryStore } from '../store/memory.js';
import { RealClock } from '../clock/clock.js';
import { startApiServer, type ApiServer } from '../apiserver/server.js';
import { generateClusterCerts, generateToken } from '../cluster/certs.js';
import { installWebUi, LOGINS_PATH } from './server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('web view login and session', () => {
  let server: ApiServer;
  let ca: string;
  let token: string;

  const request = (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = https.request(new URL(path, server.url), { method, ca, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const origin = () => server.url;
  const login = async () => {
    const r = await request('POST', LOGINS_PATH, { Authorization: `Bearer ${token}` });
    expect(r.status).toBe(201);
    return JSON.parse(r.body) as { token: string; path: string; expiresAt: string };
  };
  const session = async () => {
    const { token: t } = await login();
    const r = await request('POST', '/kindling/ui/session', { Origin: origin() }, t);
    expect(r.status).toBe(204);
    return String(r.headers['set-cookie']).split(';')[0];
  };

  beforeAll(async () => {
    const certs = generateClusterCerts();
    ca = certs.caCert;
    token = generateToken();
    server = await startApiServer({ store: new MemoryStore(), clock: new RealClock(), tls: { cert: certs.cert, key: certs.key }, token });
    installWebUi(server, { authRequired: true });
  });
  afterAll(() => server.close());

  it('creates login tokens only for an authenticated client', async () => {
    expect((await request('POST', LOGINS_PATH)).status).toBe(401);
    expect((await request('POST', LOGINS_PATH, { Authorization: 'Bearer wrong' })).status).toBe(401);
    const l = await login();
    expect(l.path).toBe(`/kindling/ui/login#token=${l.token}`);
    expect(Date.parse(l.expiresAt)).toBeGreaterThan(Date.now());
    expect((await request('GET', LOGINS_PATH, { Authorization: `Bearer ${token}` })).status).toBe(405);
  });

  it('serves the login page to anyone and the view only with a session', async () => {
    const page = await request('GET', '/kindling/ui/login');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const view = await request('GET', '/kindling/ui/');
    expect(view.status).toBe(401);
    expect(view.body).toContain('kindling ui');
    expect((await request('GET', '/kindling/ui/app.js')).status).toBe(401);
    const cookie = await session();
    expect((await request('GET', '/kindling/ui/', { Cookie: cookie })).status).toBe(200);
    expect((await request('GET', '/kindling/ui/app.js', { Cookie: cookie })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await request('GET', '/kindling/ui/../../etc/passwd', { Cookie: cookie })).status).toBe(404);
    expect((await request('GET', '/kindling/ui', { Cookie: cookie })).headers.location).toBe('/kindling/ui/');
  });

  it('sets an HttpOnly, Secure, SameSite=Strict cookie named for the port, once per login token', async () => {
    const { token: t } = await login();
    const r = await request('POST', '/kindling/ui/session', { Origin: origin() }, t);
    expect(r.status).toBe(204);
    expect(String(r.headers['set-cookie'])).toMatch(new RegExp(`^kindling-ui-${server.port}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure$`));
    const again = await request('POST', '/kindling/ui/session', { Origin: origin() }, t);
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'this login link is used or expired: run kindling ui for a new one' });
    // a login posted from another site is refused (and does not use the token up)
    const { token: t2 } = await login();
    expect((await request('POST', '/kindling/ui/session', { Origin: 'https://evil.example' }, t2)).status).toBe(403);
    expect((await request('POST', '/kindling/ui/session', { Origin: origin() }, t2)).status).toBe(204);
  });

  it('authenticates API requests with the cookie as the token it came from; cross-site writes are refused', async () => {
    const cookie = await session();
    expect((await request('GET', '/api/v1/namespaces')).status).toBe(401);
    expect((await request('GET', '/api/v1/namespaces', { Cookie: 'kindling-ui-1=forged' })).status).toBe(401);
    expect((await request('GET', '/api/v1/namespaces', { Cookie: cookie })).status).toBe(200);
    const ns = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-ui' } });
    const json = { 'Content-Type': 'application/json' };
    const evil = await request('POST', '/api/v1/namespaces', { ...json, Cookie: cookie, Origin: 'https://evil.example' }, ns);
    expect(evil.status).toBe(403);
    expect((await request('GET', '/api/v1/namespaces/from-ui', { Cookie: cookie })).status).toBe(404);
    expect((await request('POST', '/api/v1/namespaces', { ...json, Cookie: cookie, Origin: origin() }, ns)).status).toBe(201);
    // an explicit Authorization header wins over the cookie
    expect((await request('GET', '/api/v1/namespaces', { Cookie: cookie, Authorization: 'Bearer wrong' })).status).toBe(401);
    // logging out ends the session
    expect((await request('DELETE', '/kindling/ui/session', { Cookie: cookie, Origin: origin() })).status).toBe(204);
    expect((await request('GET', '/api/v1/namespaces', { Cookie: cookie })).status).toBe(401);
  });
});
