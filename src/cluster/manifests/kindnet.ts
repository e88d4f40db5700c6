// kindnet, kind's CNI DaemonSet, as kind ships it (sigs.k8s.io/kind pkg/build/nodeimage/const_cni.go,
// kind v0.30: nodeSelector kubernetes.io/os=linux, priority class system-node-critical).

import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ServiceAccount } from 'kubernetes-types/core/v1.js';

export const KINDNETD_IMAGE = 'docker.io/kindest/kindnetd:v20250512-df8de77b';

export function kindnetServiceAccount(): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kindnet', namespace: 'kube-system' } };
}

export function kindnetDaemonSet(podSubnet: string): DaemonSet {
  const labels = { tier: 'node', app: 'kindnet', 'k8s-app': 'kindnet' };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'kindnet', namespace: 'kube-system', labels: { ...labels } },
    spec: {
      selector: { matchLabels: { app: 'kindnet' } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          hostNetwork: true,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'kindnet',
          containers: [
            {
              name: 'kindnet-cni',
              image: KINDNETD_IMAGE,
              env: [
                { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'POD_SUBNET', value: podSubnet },
              ],
              volumeMounts: [
                { name: 'cni-cfg', mountPath: '/etc/cni/net.d' },
                { name: 'xtables-lock', mountPath: '/run/xtables.lock', readOnly: false },
                { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
                { name: 'nri-plugin', mountPath: '/var/run/nri' },
              ],
              resources: {
                requests: { cpu: '100m', memory: '50Mi' },
                limits: { cpu: '100m', memory: '50Mi' },
              },
              securityContext: { privileged: false, capabilities: { add: ['NET_RAW', 'NET_ADMIN'] } },
            },
          ],
          volumes: [
            { name: 'cni-cfg', hostPath: { path: '/etc/cni/net.d' } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
            { name: 'nri-plugin', hostPath: { path: '/var/run/nri' } },
          ],
        },
      },
    },
  };
}
