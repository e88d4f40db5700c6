// The state directory is the owner's alone: directories 0700, files 0600 (it holds the CA key,
// the admin token and, in the store, every Secret), and plain HTTP stays on loopback unless
// the user accepts otherwise.
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateClusterCerts } from './certs.js';
import { statePaths, writeCerts, writeClusterState } from './state.js';
import { LmdbStore } from '../store/lmdb.js';
import { checkInsecureHost } from './lifecycle.js';

const mode = (p: string) => statSync(p).mode & 0o777;

describe('state directory permissions', () => {
  it('cluster.json and every key and certificate are 0600 in 0700 directories', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kindling-perm-')), 'c');
    writeClusterState(dir, { name: 'c' } as never);
    writeCerts(dir, generateClusterCerts());
    expect(mode(dir)).toBe(0o700);
    expect(mode(statePaths(dir).pki)).toBe(0o700);
    expect(mode(statePaths(dir).cluster)).toBe(0o600);
    for (const f of readdirSync(statePaths(dir).pki)) expect(mode(join(statePaths(dir).pki, f)), f).toBe(0o600);
  });

  it('the LMDB store is 0700 with its files 0600', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kindling-perm-')), 'store');
    const store = await LmdbStore.open(path);
    try {
      await store.create('/registry/secrets/default/s', '{}');
      expect(mode(path)).toBe(0o700);
      const files = readdirSync(path);
      expect(files).toContain('data.mdb');
      for (const f of files) expect(mode(join(path, f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });
});

describe('--insecure-http on a non-loopback host', () => {
  it('is refused unless the user accepts it explicitly', () => {
    expect(() => checkInsecureHost('0.0.0.0', true, false)).toThrow(/--insecure-http serves the API without TLS or a token, so anyone who can reach 0\.0\.0\.0 controls the cluster: use --host 127\.0\.0\.1, drop --insecure-http, or add --insecure-allow-remote/);
    expect(() => checkInsecureHost('192.168.1.5', true, undefined)).toThrow(/--insecure-allow-remote/);
    expect(() => checkInsecureHost('0.0.0.0', true, true)).not.toThrow();
    expect(() => checkInsecureHost('0.0.0.0', false, false)).not.toThrow();
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(() => checkInsecureHost(h, true, false), h).not.toThrow();
  });
});
