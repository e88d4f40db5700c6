import { describe, it, expect } from 'vitest';
import { createServer, request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { generateClusterCerts, generateToken } from './certs.js';

function get(host: string, port: number, ca: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', ca, servername, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cluster certificates', () => {
  const certs = generateClusterCerts({ dnsNames: ['kind-control-plane'] });

  it('is a CA-signed serving cert with the expected SANs', () => {
    const ca = new X509Certificate(certs.caCert);
    const srv = new X509Certificate(certs.cert);
    expect(ca.ca).toBe(true);
    expect(srv.ca).toBe(false);
    expect(srv.verify(ca.publicKey)).toBe(true);
    expect(srv.checkIssued(ca)).toBe(true);
    expect(srv.subjectAltName).toContain('DNS:localhost');
    expect(srv.subjectAltName).toContain('DNS:kind-control-plane');
    expect(srv.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(srv.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(srv.checkHost('localhost')).toBe('localhost');
  });

  it('a node https server with it is trusted by a client that trusts the CA, via 127.0.0.1 and localhost', async () => {
    const server = createServer({ cert: certs.cert, key: certs.key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await get('127.0.0.1', port, certs.caCert)).toBe('ok');
      expect(await get('127.0.0.1', port, certs.caCert, 'localhost')).toBe('ok');
      // a client trusting another CA refuses it
      const other = generateClusterCerts();
      await expect(get('127.0.0.1', port, other.caCert)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
      // a name not in the SANs is refused
      await expect(get('127.0.0.1', port, certs.caCert, 'example.com')).rejects.toThrow(/altnames|does not match/i);
    } finally {
      server.close();
    }
  });

  it('tokens are random', () => {
    const a = generateToken();
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(generateToken()).not.toBe(a);
  });
});
