// The web view on the cluster's own API server, under /kindling/ui/ (no other listener):
//
//   POST   /kindling/ui/logins     (bearer-authenticated) a one-time login token; `kindling ui`
//                                  prints /kindling/ui/login#token=... with it
//   GET    /kindling/ui/login      the login page: its script posts the token from the URL's
//                                  fragment (never sent to a server, never in a log), then opens
//                                  the view; a link previewer or prefetcher cannot use up the token
//   POST   /kindling/ui/session    token -> HttpOnly, SameSite=Strict (Secure over HTTPS) cookie
//   DELETE /kindling/ui/session    log out
//   GET    /kindling/ui/...        the bundled page (dist/ui/assets), only with a session
//
// Every other request carrying the session cookie and no Authorization header is authenticated as
// the bearer token the login was created with: the page reads and writes through the Kubernetes
// API like any client. Writes with a cookie must come from the view's own origin.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { ApiError, badRequest } from '../api/errors.js';
import { sendError, type Extension } from '../apiserver/http.js';
import type { ApiServer } from '../apiserver/server.js';
import { Sessions } from './sessions.js';
import { UI_PREFIX, LOGINS_PATH } from './paths.js';

export { UI_PREFIX, LOGINS_PATH };

const LOGIN_PAGE = `${UI_PREFIX}/login`;
const SESSION_PATH = `${UI_PREFIX}/session`;

/** where the build puts the bundle (scripts/build-ui.mjs); the same from src/ui and dist/ui */
const ASSETS = new URL('../../dist/ui/assets/', import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

const SECURITY_HEADERS = {
  // uPlot and Preact set element styles from script; nothing else inline, nothing from elsewhere
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export interface WebUiOptions {
  /** the server's port: cookies do not tell ports apart, so the cookie's name does */
  port: number;
  /** HTTPS: the cookie is Secure */
  secure: boolean;
  /** the API requires a token: the page requires a session (plain-HTTP debugging clusters do not) */
  authRequired: boolean;
  sessions?: Sessions;
}

/** put the web view on a running API server */
export function installWebUi(server: Pick<ApiServer, 'addPreAuthExtension' | 'addExtension' | 'port' | 'url'>, o: { authRequired: boolean }): WebUi {
  const ui = webUi({ port: server.port, secure: server.url.startsWith('https:'), authRequired: o.authRequired });
  server.addPreAuthExtension(ui.preAuth);
  server.addExtension(ui.extension);
  return ui;
}

export interface WebUi {
  /** runs before authentication: login pages, the bundle, the cookie as a credential */
  preAuth: Extension;
  /** runs after authentication: creating login tokens */
  extension: Extension;
  sessions: Sessions;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-store', ...headers });
  res.end(data);
}

async function readSmallBody(req: IncomingMessage, limit = 4096): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw badRequest('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** the page a request without a session gets: what to do, no data */
function loginNeeded(res: ServerResponse): void {
  const html = `<!doctype html><meta charset="utf-8"><title>kindling: log in</title><link rel="stylesheet" href="${UI_PREFIX}/login.css">
<main class="login"><h1>kindling</h1><p>This view needs a login link. Run <code>kindling ui</code> (with <code>--name</code> for a cluster other than <code>kind</code>) and open the link it prints.</p></main>`;
  res.writeHead(401, { ...SECURITY_HEADERS, 'Content-Type': TYPES['.html'] });
  res.end(html);
}

const cache = new Map<string, Buffer>();
async function asset(name: string): Promise<Buffer | undefined> {
  const hit = cache.get(name);
  if (hit) return hit;
  try {
    const data = await readFile(new URL(name, ASSETS));
    cache.set(name, data);
    return data;
  } catch {
    return undefined;
  }
}

async function sendAsset(res: ServerResponse, name: string): Promise<void> {
  const data = await asset(name);
  if (!data) {
    const built = await asset('index.html');
    res.writeHead(built ? 404 : 503, { ...SECURITY_HEADERS, 'Content-Type': TYPES['.txt'] });
    res.end(built ? '404 page not found\n' : 'the web view is not built: run npm run build\n');
    return;
  }
  const type = TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': data.length });
  res.end(data);
}

/** assets anyone may fetch: the login page and what it loads (no cluster data in them) */
const PUBLIC_ASSETS = new Set(['login.html', 'login.js', 'login.css']);

/** a write authenticated by cookie must come from the server's own origin (CSRF) */
function sameOrigin(req: IncomingMessage, secure: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] === undefined || req.headers['sec-fetch-site'] === 'same-origin';
  return origin === `${secure ? 'https' : 'http'}://${req.headers.host}`;
}

export function webUi(o: WebUiOptions): WebUi {
  const sessions = o.sessions ?? new Sessions();
  const cookieName = `kindling-ui-${o.port}`;
  const cookieAttrs = `Path=/; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}`;
  const session = (req: IncomingMessage) => {
    const id = cookies(req).get(cookieName);
    return id ? sessions.lookup(id) : undefined;
  };

  const preAuth: Extension = {
    async handle(req, res, url) {
      const path = url.pathname;
      const method = req.method ?? 'GET';
      if (path !== UI_PREFIX && !path.startsWith(`${UI_PREFIX}/`)) {
        // the session cookie as a credential for the API (an explicit Authorization header wins)
        if (req.headers.authorization !== undefined) return false;
        const grant = session(req);
        if (!grant) return false;
        if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && !sameOrigin(req, o.secure)) {
          sendError(res, new ApiError(403, 'Forbidden', 'a write with the web view\'s session must come from the web view'));
          return true;
        }
        if (grant.authorization !== undefined) req.headers.authorization = grant.authorization;
        return false;
      }
      if (path === LOGINS_PATH) return false; // bearer-authenticated: the extension below
      try {
        if (path === SESSION_PATH) {
          if (method === 'POST') {
            if (!sameOrigin(req, o.secure)) throw new ApiError(403, 'Forbidden', 'a login must come from the login page');
            const id = sessions.redeem((await readSmallBody(req)).trim());
            if (!id) throw new ApiError(401, 'Unauthorized', 'this login link is used or expired: run kindling ui for a new one');
            res.writeHead(204, { 'Set-Cookie': `${cookieName}=${id}; ${cookieAttrs}`, 'Cache-Control': 'no-store' });
            res.end();
            return true;
          }
          if (method === 'DELETE') {
            const id = cookies(req).get(cookieName);
            if (id) sessions.end(id);
            res.writeHead(204, { 'Set-Cookie': `${cookieName}=; ${cookieAttrs}; Max-Age=0`, 'Cache-Control': 'no-store' });
            res.end();
            return true;
          }
          throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
        }
        if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
        if (path === UI_PREFIX) {
          res.writeHead(301, { Location: `${UI_PREFIX}/` });
          res.end();
          return true;
        }
        if (path === LOGIN_PAGE) return await sendAsset(res, 'login.html'), true;
        const name = path.slice(UI_PREFIX.length + 1) || 'index.html';
        if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        if (!PUBLIC_ASSETS.has(name) && o.authRequired && !session(req)) return loginNeeded(res), true;
        await sendAsset(res, name);
      } catch (e) {
        sendError(res, e);
      }
      return true;
    },
  };

  const extension: Extension = {
    async handle(req, res, url) {
      if (url.pathname !== LOGINS_PATH) return false;
      if (req.method !== 'POST') {
        sendError(res, new ApiError(405, 'MethodNotAllowed', `${req.method} is not supported on ${LOGINS_PATH}`));
        return true;
      }
      const { token, expiresAt } = sessions.createLogin(req.headers.authorization);
      sendJson(res, 201, { token, expiresAt: new Date(expiresAt).toISOString(), path: `${LOGIN_PAGE}#token=${token}` });
      return true;
    },
  };
  return { preAuth, extension, sessions };
}
