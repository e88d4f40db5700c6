// A per-cluster CA and an API serving certificate, like kubeadm's (CN=kubernetes CA, SANs for
// 127.0.0.1, localhost and the in-cluster names). ECDSA P-256 keys (kubeadm's
// --encryption-algorithm=ECDSA-P256) from node:crypto; the X.509 certificates are built here as
// DER (a TBSCertificate is a handful of ASN.1 structures) and signed with node:crypto's sign.
// An RSA-2048 pair took ~200-400 ms to generate; a P-256 pair takes well under a millisecond.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

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

// ---- DER ----------------------------------------------------------------------------------

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
const explicit = (n: number, c: Buffer) => tlv(0xa0 | n, c);

/** a non-negative INTEGER from big-endian bytes, minimally encoded (Go rejects anything else) */
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const enc: number[] = [p & 0x7f];
    for (let v = p >>> 7; v > 0; v >>>= 7) enc.unshift(0x80 | (v & 0x7f));
    out.push(...enc);
  }
  return tlv(0x06, Buffer.from(out));
}

/** BIT STRING of named bits (bit 0 = the most significant bit of the first byte), minimal */
function namedBits(bits: number[]): Buffer {
  const max = Math.max(...bits);
  const bytes = Buffer.alloc((max >> 3) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const unused = 7 - (max & 7);
  return tlv(0x03, Buffer.from([unused]), bytes);
}

function bitString(b: Buffer): Buffer {
  return tlv(0x03, Buffer.from([0]), b);
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5) */
function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return y < 2050 ? tlv(0x17, Buffer.from(`${p(y % 100)}${rest}`, 'ascii')) : tlv(0x18, Buffer.from(`${p(y, 4)}${rest}`, 'ascii'));
}

function name(commonName: string): Buffer {
  return seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8')))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  // expand :: and an embedded IPv4 tail
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    s = s.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const KU_DIGITAL_SIGNATURE = 0;
const KU_KEY_ENCIPHERMENT = 2;
const KU_CERT_SIGN = 5;

interface CertSpec {
  serial: Buffer;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER */
  spki: Buffer;
  extensions: Buffer[];
  signer: KeyObject;
}

function certificate(s: CertSpec): Buffer {
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(s.serial),
    ECDSA_WITH_SHA256,
    name(s.issuer),
    seq(time(s.notBefore), time(s.notAfter)),
    name(s.subject),
    s.spki,
    explicit(3, seq(...s.extensions)),
  );
  const signature = sign('sha256', tbs, s.signer); // DER ECDSA-Sig-Value
  return seq(tbs, ECDSA_WITH_SHA256, bitString(signature));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** the subjectPublicKey bits of an SPKI (after the AlgorithmIdentifier): RFC 5280 key identifier method 1 hashes them */
function keyIdentifier(spki: Buffer): Buffer {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }; for P-256 the BIT STRING is the last 66 bytes (03 42 00 <65 bytes>)
  const bits = spki.subarray(spki.length - 65);
  return createHash('sha1').update(bits).digest();
}

function serial(): Buffer {
  // positive, 16 bytes, minimal (first byte in 0x40..0x7f)
  const b = randomBytes(16);
  b[0] = (b[0] & 0x3f) | 0x40;
  return b;
}

function ecKey(): { privateKey: KeyObject; spki: Buffer; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    // kubeadm writes EC keys as SEC 1 "EC PRIVATE KEY"
    pem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  };
}

export function generateClusterCerts(o: CertOptions = {}): ClusterCerts {
  const now = o.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000); // tolerate small clock skew
  const ca = ecKey();
  const caKid = keyIdentifier(ca.spki);
  const caDer = certificate({
    serial: serial(),
    issuer: 'kubernetes',
    subject: 'kubernetes',
    notBefore,
    notAfter: new Date(now.getTime() + (o.caDays ?? 3650) * 86_400_000),
    spki: ca.spki,
    extensions: [
      extension('2.5.29.15', true, namedBits([KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT, KU_CERT_SIGN])),
      extension('2.5.29.19', true, seq(bool(true))),
      extension('2.5.29.14', false, octets(caKid)),
    ],
    signer: ca.privateKey,
  });

  const srv = ecKey();
  const dns = [...new Set([...DEFAULT_DNS_NAMES, ...(o.dnsNames ?? [])])];
  const ips = [...new Set([...DEFAULT_IPS, ...(o.ips ?? [])])];
  const san = seq(...dns.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), ...ips.map((ip) => tlv(0x87, ipBytes(ip))));
  const srvDer = certificate({
    serial: serial(),
    issuer: 'kubernetes',
    subject: 'kube-apiserver',
    notBefore,
    notAfter: new Date(now.getTime() + (o.days ?? 365) * 86_400_000),
    spki: srv.spki,
    extensions: [
      extension('2.5.29.15', true, namedBits([KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT])),
      extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.19', true, seq()),
      extension('2.5.29.35', false, seq(tlv(0x80, caKid))),
      extension('2.5.29.17', false, san),
    ],
    signer: ca.privateKey,
  });

  return {
    caCert: pem('CERTIFICATE', caDer),
    caKey: ca.pem,
    cert: pem('CERTIFICATE', srvDer),
    key: srv.pem,
  };
}

/** a random bearer token, in the shape of a kubeadm bootstrap token but longer */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export interface LeafCertOptions {
  commonName: string;
  /** extended key usages: serverAuth and/or clientAuth (Go's TLS checks them on each side) */
  serverAuth?: boolean;
  clientAuth?: boolean;
  dnsNames?: string[];
  ips?: string[];
  days?: number;
  now?: Date;
}

/**
 * another certificate signed by a ClusterCerts CA (its subject is "kubernetes"), e.g. a client
 * certificate (clientAuth) like kubeadm's apiserver-etcd-client, or an etcd serving certificate.
 * Returns PEM { cert, key }.
 */
export function generateLeafCert(ca: Pick<ClusterCerts, 'caKey'>, o: LeafCertOptions): { cert: string; key: string } {
  const now = o.now ?? new Date();
  const caPrivate = createPrivateKey(ca.caKey);
  const caKid = keyIdentifier(createPublicKey(caPrivate).export({ type: 'spki', format: 'der' }));
  const leaf = ecKey();
  const eku = [...(o.serverAuth ? ['1.3.6.1.5.5.7.3.1'] : []), ...(o.clientAuth ? ['1.3.6.1.5.5.7.3.2'] : [])];
  const dns = o.dnsNames ?? [];
  const ips = o.ips ?? [];
  const extensions = [
    extension('2.5.29.15', true, namedBits([KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT])),
    ...(eku.length ? [extension('2.5.29.37', false, seq(...eku.map(oid)))] : []),
    extension('2.5.29.19', true, seq()),
    extension('2.5.29.35', false, seq(tlv(0x80, caKid))),
  ];
  if (dns.length + ips.length > 0) {
    extensions.push(extension('2.5.29.17', false, seq(...dns.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), ...ips.map((ip) => tlv(0x87, ipBytes(ip))))));
  }
  const der = certificate({
    serial: serial(),
    issuer: 'kubernetes',
    subject: o.commonName,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + (o.days ?? 365) * 86_400_000),
    spki: leaf.spki,
    extensions,
    signer: caPrivate,
  });
  return { cert: pem('CERTIFICATE', der), key: leaf.pem };
}
