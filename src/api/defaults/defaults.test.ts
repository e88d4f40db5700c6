import { describe, it, expect } from 'vitest';
import { applyDefaults, defaultPullPolicy } from './index.js';
import { resourceForKind } from '../resources.js';
import type { KubeObject } from '../../client/types.js';

function defaulted(apiVersion: string, kind: string, body: Record<string, unknown>): any {
  const obj = { apiVersion, kind, metadata: { name: 'x', namespace: 'default' }, ...body } as KubeObject;
  applyDefaults(resourceForKind(apiVersion, kind)!, obj);
  return obj;
}

describe('imagePullPolicy', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/nginx', 'Always'],
    ['localhost:5000/nginx:1.0', 'IfNotPresent'],
    ['nginx@sha256:abcd', 'IfNotPresent'],
    ['nginx:latest@sha256:abcd', 'Always'],
  ])('%s -> %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toBe(policy);
  });
});

describe('Pod defaults', () => {
  it('fills spec, container, probe, volume and env defaults', () => {
    const pod = defaulted('v1', 'Pod', {
      spec: {
        containers: [
          {
            name: 'c',
            image: 'busybox:1.36',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 80 } },
            resources: { limits: { cpu: '1' } },
          },
        ],
        volumes: [{ name: 'a' }, { name: 'b', hostPath: { path: '/var/log' } }, { name: 'c', configMap: { name: 'cm' } }, { name: 'd', secret: { secretName: 's' } }],
      },
    });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
    });
    const c = pod.spec.containers[0];
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.terminationMessagePolicy).toBe('File');
    expect(c.ports[0].protocol).toBe('TCP');
    expect(c.env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.resources.requests).toEqual({ cpu: '1' });
    expect(pod.spec.volumes).toEqual([
      { name: 'a', emptyDir: {} },
      { name: 'b', hostPath: { path: '/var/log', type: '' } },
      { name: 'c', configMap: { name: 'cm', defaultMode: 420 } },
      { name: 'd', secret: { secretName: 's', defaultMode: 420 } },
    ]);
  });

  it('keeps what the user set, and tolerations untouched', () => {
    const tolerations = [{ key: 'k', operator: 'Exists' }];
    const pod = defaulted('v1', 'Pod', {
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        serviceAccountName: 'sa',
        tolerations,
        containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }],
      },
    });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.terminationGracePeriodSeconds).toBe(0);
    expect(pod.spec.serviceAccountName).toBe('sa');
    expect(pod.spec.containers[0].imagePullPolicy).toBe('Never');
    expect(pod.spec.tolerations).toEqual([{ key: 'k', operator: 'Exists' }]);
  });

  it('hostNetwork pods get hostPort = containerPort', () => {
    const pod = defaulted('v1', 'Pod', { spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 53 }] }] } });
    expect(pod.spec.containers[0].ports[0].hostPort).toBe(53);
  });
});

describe('DaemonSet defaults (spec/daemonset.md 4.1)', () => {
  it('fills updateStrategy, revisionHistoryLimit and template defaults but not the selector', () => {
    const ds = defaulted('apps/v1', 'DaemonSet', {
      spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'fluentd' }] } } },
    });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.spec.selector).toBeUndefined();
    const tpl = ds.spec.template.spec;
    expect(tpl.restartPolicy).toBe('Always');
    expect(tpl.containers[0].imagePullPolicy).toBe('Always');
    // pod-only defaults stay out of templates
    expect(tpl.enableServiceLinks).toBeUndefined();
    expect(tpl.serviceAccountName).toBeUndefined();
  });

  it('leaves OnDelete without rollingUpdate', () => {
    const ds = defaulted('apps/v1', 'DaemonSet', { spec: { updateStrategy: { type: 'OnDelete' } } });
    expect(ds.spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('keeps maxSurge set by the user and fills maxUnavailable', () => {
    const ds = defaulted('apps/v1', 'DaemonSet', { spec: { updateStrategy: { rollingUpdate: { maxSurge: '10%' } } } });
    expect(ds.spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: '10%', maxUnavailable: 1 });
  });
});

describe('other kinds', () => {
  it('Deployment', () => {
    const d = defaulted('apps/v1', 'Deployment', { spec: {} });
    expect(d.spec).toEqual({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });
  it('ReplicaSet', () => {
    expect(defaulted('apps/v1', 'ReplicaSet', { spec: { replicas: 0 } }).spec.replicas).toBe(0);
    expect(defaulted('apps/v1', 'ReplicaSet', { spec: {} }).spec.replicas).toBe(1);
  });
  it('Service', () => {
    const s = defaulted('v1', 'Service', { spec: { ports: [{ port: 80 }, { port: 81, targetPort: 'http' }] } });
    expect(s.spec).toEqual({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 81, targetPort: 'http', protocol: 'TCP' }],
    });
    const withIP = defaulted('v1', 'Service', { spec: { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 53 }] } });
    expect(withIP.spec).toMatchObject({
      clusterIPs: ['10.96.0.10'],
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      externalTrafficPolicy: 'Cluster',
    });
  });
  it('Namespace', () => {
    const ns = defaulted('v1', 'Namespace', {});
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'x' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.status).toEqual({ phase: 'Active' });
  });
  it('PriorityClass, Secret, Node', () => {
    expect(defaulted('scheduling.k8s.io/v1', 'PriorityClass', { value: 5 }).preemptionPolicy).toBe('PreemptLowerPriority');
    expect(defaulted('scheduling.k8s.io/v1', 'PriorityClass', { value: 5, preemptionPolicy: 'Never' }).preemptionPolicy).toBe('Never');
    expect(defaulted('v1', 'Secret', {}).type).toBe('Opaque');
    expect(defaulted('v1', 'Node', { status: { capacity: { cpu: '4' } } }).status.allocatable).toEqual({ cpu: '4' });
  });
});
