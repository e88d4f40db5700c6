// Logins for the web view. `kindling ui` (holding the cluster's bearer token) asks the server for
// a one-time login token; the browser trades it for a session cookie; a request carrying that
// cookie is then authenticated as the token it was created from, so the page has exactly the
// rights of the credential that opened it. Lifetimes are wall-clock (Date.now by default), not
// the cluster's clock: a simulation running at --speed 100 must not expire a link in 3 seconds.

import { randomBytes, createHash } from 'node:crypto';

/** a login link is good once, for this long */
export const LOGIN_TTL_MS = 5 * 60_000;
/** a session ends this long after its last use */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** logins not yet used, kept at most (older ones are dropped first) */
const MAX_PENDING_LOGINS = 100;
const MAX_SESSIONS = 1000;

interface Grant {
  /** the Authorization header value the login was created with (undefined: a cluster without tokens) */
  authorization: string | undefined;
  expiresAt: number;
}

/** secrets are kept by their SHA-256, so a heap dump or a timing probe does not reveal them */
function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export class Sessions {
  private readonly logins = new Map<string, Grant>();
  private readonly sessions = new Map<string, Grant>();

  constructor(private readonly now: () => number = Date.now) {}

  /** a one-time login token standing for this Authorization header */
  createLogin(authorization: string | undefined): { token: string; expiresAt: number } {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + LOGIN_TTL_MS;
    this.logins.set(digest(token), { authorization, expiresAt });
    while (this.logins.size > MAX_PENDING_LOGINS) this.logins.delete(this.logins.keys().next().value!);
    return { token, expiresAt };
  }

  /** trade a login token (once) for a session id; undefined when unknown, used or expired */
  redeem(token: string): string | undefined {
    const key = digest(token);
    const login = this.logins.get(key);
    this.logins.delete(key);
    if (!login || login.expiresAt <= this.now()) return undefined;
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(digest(id), { authorization: login.authorization, expiresAt: this.now() + SESSION_IDLE_MS });
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return id;
  }

  /** the session's grant (and its idle timer restarts); undefined when unknown or expired */
  lookup(id: string): { authorization: string | undefined } | undefined {
    const key = digest(id);
    const s = this.sessions.get(key);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    s.expiresAt = this.now() + SESSION_IDLE_MS;
    return { authorization: s.authorization };
  }

  end(id: string): void {
    this.sessions.delete(digest(id));
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, g] of this.logins) if (g.expiresAt <= now) this.logins.delete(k);
    for (const [k, g] of this.sessions) if (g.expiresAt <= now) this.sessions.delete(k);
  }
}
