// EtcdStore over TLS against a real etcd that requires client certificates (like kubeadm's
// etcd: --cert-file/--key-file, --trusted-ca-file, --client-cert-auth; kube-apiserver connects
// with --etcd-cafile/--etcd-certfile/--etcd-keyfile). Certificates come from src/cluster/certs.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeConformance } from './conformance.js';
import { EtcdStore, EtcdUnavailableError, parseEtcdUrl } from './etcd.js';
import { openStore } from './index.js';
import { generateClusterCerts, generateLeafCert, type ClusterCerts } from '../cluster/certs.js';
import { startEtcd, type EtcdCluster } from '../../test/helpers/etcd.js';

let etcd: EtcdCluster;
let ca: ClusterCerts;
let client: { cert: string; key: string };

beforeAll(async () => {
  ca = generateClusterCerts();
  // like kubeadm's etcd/server certificate: serverAuth and clientAuth (etcd's own gRPC gateway
  // dials the member with it, and --client-cert-auth checks it like any client's)
  const server = generateLeafCert(ca, { commonName: 'etcd-server', serverAuth: true, clientAuth: true, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  client = generateLeafCert(ca, { commonName: 'kube-apiserver-etcd-client', clientAuth: true });
  etcd = await startEtcd(1, 30_000, { tls: { cert: server.cert, key: server.key, ca: ca.caCert, clientCert: client.cert, clientKey: client.key } });
}, 60_000);
afterAll(async () => {
  await etcd?.stop();
}, 30_000);

let seq = 0;
storeConformance('etcd over TLS with client certificates', async () => {
  const url = etcd.storeUrl();
  const probe = await EtcdStore.open(url);
  const base = await probe.currentRevision();
  await probe.close();
  return EtcdStore.open(url, { keyPrefix: `/tls-conformance-${process.pid}-${++seq}`, revisionOffset: base });
});

describe('etcd over TLS', () => {
  it('the store URL is etcds:// with cacert, cert and key files; the members serve https', () => {
    const url = etcd.storeUrl();
    expect(url).toMatch(/^etcds:\/\/127\.0\.0\.1:\d+\?cacert=/);
    const o = parseEtcdUrl(url);
    expect(o.endpoints).toEqual([etcd.members[0]!.clientUrl]);
    expect(o.endpoints[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(o.tls).toEqual({ ca: etcd.tlsFiles!.ca, cert: etcd.tlsFiles!.clientCert, key: etcd.tlsFiles!.clientKey });
  });

  it('kindling serve --store etcds://...?cacert=&cert=&key= parses as typed (unencoded paths, several members)', () => {
    // serve keeps --store in the cluster state; the runtime opens it with openStore (src/cluster/daemon.ts)
    const o = parseEtcdUrl('etcds://10.0.0.1:2379,etcd-2.example:2379?cacert=/etc/kubernetes/pki/etcd/ca.crt&cert=/etc/kubernetes/pki/apiserver-etcd-client.crt&key=/etc/kubernetes/pki/apiserver-etcd-client.key');
    expect(o).toEqual({
      endpoints: ['https://10.0.0.1:2379', 'https://etcd-2.example:2379'],
      tls: { ca: '/etc/kubernetes/pki/etcd/ca.crt', cert: '/etc/kubernetes/pki/apiserver-etcd-client.crt', key: '/etc/kubernetes/pki/apiserver-etcd-client.key' },
      keyPrefix: undefined,
    });
    // etcds:// alone means https with the system CAs; etcd:// with TLS options also means https
    expect(parseEtcdUrl('etcds://127.0.0.1:2379')).toEqual({ endpoints: ['https://127.0.0.1:2379'], tls: {}, keyPrefix: undefined });
    expect(parseEtcdUrl('etcd://127.0.0.1:2379/kindling?cacert=/ca.pem').endpoints).toEqual(['https://127.0.0.1:2379']);
    expect(parseEtcdUrl('etcd://127.0.0.1:2379/kindling?cacert=/ca.pem').keyPrefix).toBe('/kindling');
    expect(parseEtcdUrl('etcd://127.0.0.1:2379')).toEqual({ endpoints: ['http://127.0.0.1:2379'], tls: undefined, keyPrefix: undefined });
  });

  it('openStore (what kindling serve --store does with the URL) writes and reads over TLS', async () => {
    const s = await openStore(etcd.storeUrl());
    expect(s).toBeInstanceOf(EtcdStore);
    const key = `/registry/core/namespaces/tls-${process.pid}-${Date.now()}`;
    const rev = await s.create(key, '{"kind":"Namespace"}');
    expect(await s.get(key)).toMatchObject({ value: '{"kind":"Namespace"}', modRevision: rev });
    await s.close();
  });

  it('PEM text works in place of file paths (EtcdStoreOptions.tls)', async () => {
    const s = new EtcdStore({ endpoints: etcd.endpoints(), tls: { ca: ca.caCert, cert: client.cert, key: client.key } });
    expect(s.endpoint).toBe(etcd.members[0]!.clientUrl);
    expect(await s.currentRevision()).toBeGreaterThan(0);
    await s.close();
  });

  it('a client without a client certificate is refused', async () => {
    const url = `etcds://${etcd.endpoints()[0]}?cacert=${encodeURIComponent(etcd.tlsFiles!.ca)}`;
    expect(parseEtcdUrl(url).tls).toEqual({ ca: etcd.tlsFiles!.ca });
    const err = await EtcdStore.open(url).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    // etcd (Go's crypto/tls with RequireAndVerifyClientCert) ends the handshake with alert 42
    expect((err as { code?: string }).code).toBe('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
    expect(err!.message).toContain('alert bad certificate');
  });

  it('a server certificate from another CA is refused by the client', async () => {
    const other = generateClusterCerts();
    const s = new EtcdStore({ endpoints: etcd.endpoints(), tls: { ca: other.caCert, cert: client.cert, key: client.key } });
    const err = await s.currentRevision().then(
      () => undefined,
      (e: Error) => e,
    );
    await s.close();
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    expect((err as { code?: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(err!.message).toBe(`etcd ${etcd.members[0]!.clientUrl}: unable to verify the first certificate`);
  });

  it('a client certificate from another CA is refused by etcd', async () => {
    const other = generateClusterCerts();
    const stranger = generateLeafCert(other, { commonName: 'stranger', clientAuth: true });
    const s = new EtcdStore({ endpoints: etcd.endpoints(), tls: { ca: ca.caCert, cert: stranger.cert, key: stranger.key } });
    const err = await s.currentRevision().then(
      () => undefined,
      (e: Error) => e,
    );
    await s.close();
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    expect((err as { code?: string }).code).toBe('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE');
  });

  it('plain http to the TLS port gets no answer from etcd', async () => {
    const s = new EtcdStore({ endpoints: [`http://${etcd.endpoints()[0]}`] });
    const err = await s.currentRevision().then(
      () => undefined,
      (e: Error) => e,
    );
    await s.close();
    expect(err).toBeInstanceOf(EtcdUnavailableError);
    expect(err!.message).toBe(`etcd http://${etcd.endpoints()[0]}: socket hang up`);
  });
});
