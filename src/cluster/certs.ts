// A per-cluster CA and an API serving certificate, like kubeadm's (CN=kubernetes CA, SANs for
// 127.0.0.1, localhost and the in-cluster names). Keys come from node:crypto (fast, native);
// node-forge builds and signs the X.509 certificates.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface ClusterCerts {
  /** PEM */
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface CertOptions {
  /** DNS names for the serving certificate, in addition to the defaults */
  dnsNames?: string[];
  /** IPs for the serving certificate, in addition to the defaults */
  ips?: string[];
  /** validity in days (kubeadm: CA 10 years, serving 1 year) */
  caDays?: number;
  days?: number;
  now?: Date;
}

export const DEFAULT_DNS_NAMES = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
export const DEFAULT_IPS = ['127.0.0.1', '10.96.0.1'];

function rsaKey(): { pem: string; forgeKey: forge.pki.rsa.PrivateKey; forgePub: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const forgePub = forge.pki.rsa.setPublicKey(forgeKey.n, forgeKey.e);
  return { pem, forgeKey, forgePub };
}

function serial(): string {
  // positive (high bit clear), 16 bytes
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, days: number): void {
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export function generateClusterCerts(o: CertOptions = {}): ClusterCerts {
  const now = o.now ?? new Date();
  const ca = rsaKey();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.forgePub;
  caCert.serialNumber = serial();
  validity(caCert, now, o.caDays ?? 3650);
  const caSubject = [{ name: 'commonName', value: 'kubernetes' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.forgeKey, forge.md.sha256.create());

  const srv = rsaKey();
  const cert = forge.pki.createCertificate();
  cert.publicKey = srv.forgePub;
  cert.serialNumber = serial();
  validity(cert, now, o.days ?? 365);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caSubject);
  const dns = [...new Set([...DEFAULT_DNS_NAMES, ...(o.dnsNames ?? [])])];
  const ips = [...new Set([...DEFAULT_IPS, ...(o.ips ?? [])])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(caCert),
    caKey: ca.pem,
    cert: forge.pki.certificateToPem(cert),
    key: srv.pem,
  };
}

/** a random bearer token, in the shape of a kubeadm bootstrap token but longer */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
