import { describe, it, expect } from 'vitest';
import { createServer, request } from 'node:https';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { generateClusterCerts, generateLeafCert, generateToken } from './certs.js';

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

  it('uses ECDSA P-256 keys (kubeadm ECDSA-P256) and kubeadm\'s key usages and validity', () => {
    const now = new Date('2030-06-01T12:00:00Z');
    const c = generateClusterCerts({ now, ips: ['::1', 'fd00::10'] });
    const ca = new X509Certificate(c.caCert);
    const srv = new X509Certificate(c.cert);
    expect(ca.publicKey.asymmetricKeyType).toBe('ec');
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(c.caKey).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(c.key).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(ca.subject).toBe('CN=kubernetes');
    expect(srv.subject).toBe('CN=kube-apiserver');
    expect(srv.issuer).toBe('CN=kubernetes');
    expect(srv.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(srv.validFrom).toISOString()).toBe('2030-06-01T11:55:00.000Z');
    expect(new Date(srv.validTo).toISOString()).toBe('2031-06-01T12:00:00.000Z');
    // 10 years: past 2049 the encoding switches to GeneralizedTime
    expect(new Date(ca.validTo).toISOString()).toBe('2040-05-29T12:00:00.000Z');
    const late = new X509Certificate(generateClusterCerts({ now: new Date('2045-01-01T00:00:00Z') }).caCert);
    expect(new Date(late.validTo).toISOString()).toBe('2054-12-30T00:00:00.000Z');
    expect(srv.checkIP('::1')).toBe('::1');
    expect(srv.checkIP('fd00::10')).toBe('fd00::10');
    expect(srv.checkIP('10.96.0.1')).toBe('10.96.0.1');
    expect(srv.checkIP('10.96.0.2')).toBeUndefined();
    expect(srv.verify(ca.publicKey)).toBe(true);
    expect(srv.verify(new X509Certificate(generateClusterCerts().caCert).publicKey)).toBe(false);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(BigInt(`0x${srv.serialNumber}`)).toBeGreaterThan(0n);
  });

  it('tokens are random', () => {
    const a = generateToken();
    expect(a.length).toBeGreaterThanOrEqual(40);
    expect(generateToken()).not.toBe(a);
  });
});

describe('generateLeafCert', () => {
  it('issues a client certificate from the cluster CA (clientAuth only, no SANs)', () => {
    const ca = generateClusterCerts();
    const c = generateLeafCert(ca, { commonName: 'kube-apiserver-etcd-client', clientAuth: true });
    const x = new X509Certificate(c.cert);
    const caX = new X509Certificate(ca.caCert);
    expect(x.subject).toBe('CN=kube-apiserver-etcd-client');
    expect(x.issuer).toBe('CN=kubernetes');
    expect(x.checkIssued(caX)).toBe(true);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.verify(new X509Certificate(generateClusterCerts().caCert).publicKey)).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.subjectAltName).toBeUndefined();
    expect(x.ca).toBe(false);
    expect(x.checkPrivateKey(createPrivateKey(c.key))).toBe(true);
  });

  it('issues a serving and client certificate with SANs (like kubeadm\'s etcd/server)', () => {
    const ca = generateClusterCerts();
    const c = generateLeafCert(ca, { commonName: 'etcd-server', serverAuth: true, clientAuth: true, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const x = new X509Certificate(c.cert);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });
});
