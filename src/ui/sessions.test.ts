import { describe, it, expect } from 'vitest';
import { Sessions, LOGIN_TTL_MS, SESSION_IDLE_MS } from './sessions.js';

describe('web view sessions', () => {
  it('trades a login token once for a session that stands for the login\'s credential', () => {
    const s = new Sessions();
    const { token } = s.createLogin('Bearer abc');
    const id = s.redeem(token)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.lookup(id)).toEqual({ authorization: 'Bearer abc' });
    expect(s.redeem(token)).toBeUndefined();
    expect(s.lookup('not-a-session')).toBeUndefined();
  });

  it('refuses a login token after its lifetime, and ends sessions idle for too long', () => {
    let now = 1_000_000;
    const s = new Sessions(() => now);
    const late = s.createLogin('Bearer x').token;
    now += LOGIN_TTL_MS;
    expect(s.redeem(late)).toBeUndefined();
    const id = s.redeem(s.createLogin('Bearer x').token)!;
    now += SESSION_IDLE_MS - 1;
    expect(s.lookup(id)).toBeDefined(); // use restarts the idle timer
    now += SESSION_IDLE_MS - 1;
    expect(s.lookup(id)).toBeDefined();
    now += SESSION_IDLE_MS;
    expect(s.lookup(id)).toBeUndefined();
  });

  it('ends a session on logout', () => {
    const s = new Sessions();
    const id = s.redeem(s.createLogin(undefined).token)!;
    expect(s.lookup(id)).toEqual({ authorization: undefined });
    s.end(id);
    expect(s.lookup(id)).toBeUndefined();
  });
});
