// The objects a fresh kind cluster has before anyone touches it: namespaces, the built-in
// priority classes, the `kubernetes` and `kube-dns` Services, and the kube-system DaemonSets.

import type { KubeObject, ApiClient } from '../client/types.js';
import { resourceForKind } from '../api/resources.js';
import { ApiError } from '../api/errors.js';
import { kindnetDaemonSet, kindnetServiceAccount } from './manifests/kindnet.js';
import { kubeProxyConfigMap, kubeProxyDaemonSet, kubeProxyServiceAccount } from './manifests/kube-proxy.js';

export const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];
export const KUBERNETES_SERVICE_IP = '10.96.0.1';
export const KUBE_DNS_SERVICE_IP = '10.96.0.10';

export interface BootstrapOptions {
  kubernetesVersion: string;
  podSubnet: string;
  /** the control-plane node's InternalIP: the `kubernetes` Endpoints point at it */
  controlPlaneIP: string;
  /** the API server's in-cluster endpoint for kube-proxy's kubeconfig */
  controlPlaneEndpoint: string;
}

const asObject = (o: object) => o as unknown as KubeObject;

export function bootstrapObjects(o: BootstrapOptions): KubeObject[] {
  const objs: KubeObject[] = [];
  for (const name of NAMESPACES) {
    objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  objs.push(
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-node-critical' },
      value: 2000001000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Used for system critical pods that must not be moved from their current node.',
    },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-cluster-critical' },
      value: 2000000000,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    },
  );
  objs.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: KUBERNETES_SERVICE_IP,
        clusterIPs: [KUBERNETES_SERVICE_IP],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: o.controlPlaneIP }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
      },
      spec: {
        type: 'ClusterIP',
        clusterIP: KUBE_DNS_SERVICE_IP,
        clusterIPs: [KUBE_DNS_SERVICE_IP],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
          { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
          { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
        ],
      },
    },
  );
  objs.push(
    asObject(kubeProxyServiceAccount()),
    asObject(kubeProxyConfigMap({ controlPlaneEndpoint: o.controlPlaneEndpoint, podSubnet: o.podSubnet })),
    asObject(kubeProxyDaemonSet(o.kubernetesVersion)),
    asObject(kindnetServiceAccount()),
    asObject(kindnetDaemonSet(o.podSubnet)),
  );
  return objs;
}

/** create what is missing; objects already there (a restarted cluster) are left as they are */
export async function applyBootstrap(client: ApiClient, objs: KubeObject[]): Promise<{ created: string[] }> {
  const created: string[] = [];
  for (const obj of objs) {
    const info = resourceForKind(obj.apiVersion ?? '', obj.kind ?? '');
    if (!info) throw new Error(`bootstrap: no resource for ${obj.apiVersion} ${obj.kind}`);
    const ns = info.namespaced ? obj.metadata.namespace : undefined;
    const ref = { group: info.group, version: info.version, plural: info.plural };
    try {
      await client.create(ref, ns, structuredClone(obj));
      created.push(`${info.plural}/${ns ? `${ns}/` : ''}${obj.metadata.name}`);
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) continue;
      if ((e as { code?: number }).code === 409) continue;
      // as upstream, a Service's cluster IP is allocated before the name is checked: a restarted
      // cluster's `kubernetes` Service fails with 422 "already allocated", not 409
      if (await exists(client, ref, ns, obj.metadata.name ?? '')) continue;
      throw e;
    }
  }
  return { created };
}

async function exists(client: ApiClient, ref: { group: string; version: string; plural: string }, ns: string | undefined, name: string): Promise<boolean> {
  try {
    await client.get(ref, ns, name);
    return true;
  } catch {
    return false;
  }
}
