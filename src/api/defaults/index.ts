// applyDefaults: upstream's defaulting (pkg/apis/*/v1/defaults.go, the declarative +default
// markers, and the few defaults upstream's registry strategies set on create), by kind.

import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../../client/types.js';
import { defaultCRD } from '../../apiextensions/crd.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { defaultPod, defaultPodSpec, defaultPodTemplateSpec, defaultPullPolicy } from './pod.js';
import { defaultCronJob, defaultJob } from './batch.js';
import * as groups from './groups.js';

export { defaultPod, defaultPodSpec, defaultPodTemplateSpec, defaultPullPolicy };

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export function defaultDaemonSet(ds: Obj): void {
  const spec = (ds.spec ??= {});
  const strategy = (spec.updateStrategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable == null) ru.maxUnavailable = 1;
    if (ru.maxSurge == null) ru.maxSurge = 0;
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  defaultPodTemplateSpec(spec.template);
}

export function defaultDeployment(d: Obj): void {
  const spec = (d.spec ??= {});
  if (spec.replicas == null) spec.replicas = 1;
  const strategy = (spec.strategy ??= {});
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    if (ru.maxUnavailable == null) ru.maxUnavailable = '25%';
    if (ru.maxSurge == null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds == null) spec.progressDeadlineSeconds = 600;
  defaultPodTemplateSpec(spec.template);
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = (rs.spec ??= {});
  if (spec.replicas == null) spec.replicas = 1;
  defaultPodTemplateSpec(spec.template);
}

/** Service defaults; ipFamilies/ipFamilyPolicy only once a clusterIP has been allocated */
export function defaultService(svc: Obj): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds == null) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs?.length ?? 0) > 0;
  if (external && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  if (spec.type !== 'ExternalName' && spec.clusterIP) {
    if (!spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
    if (!spec.ipFamilies?.length) spec.ipFamilies = ['IPv4'];
  }
}

export function defaultNamespace(ns: Obj): void {
  const name = ns.metadata?.name;
  if (name) {
    ns.metadata.labels ??= {};
    ns.metadata.labels['kubernetes.io/metadata.name'] = name;
  }
  const spec = (ns.spec ??= {});
  if (!spec.finalizers) spec.finalizers = ['kubernetes'];
  const status = (ns.status ??= {});
  if (!status.phase) status.phase = 'Active';
}

export function defaultNode(node: Obj): void {
  const status = node.status;
  if (status && status.allocatable == null && status.capacity != null) status.allocatable = { ...status.capacity };
}

export function defaultPriorityClass(pc: Obj): void {
  if (!pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
}

export function defaultSecret(secret: Obj): void {
  if (!secret.type) secret.type = 'Opaque';
}

function defaultEndpoints(ep: Obj): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}

function defaultEndpointSlice(es: Obj): void {
  for (const p of es.ports ?? []) {
    if (p.protocol == null) p.protocol = 'TCP';
    if (p.name == null) p.name = '';
  }
}

/** mutates obj: fills the fields upstream's defaulting fills, chosen by the resource's kind */
export function applyDefaults(resource: ResourceInfo, obj: KubeObject): void {
  const o = obj as Obj;
  if (resource.custom) {
    // decoding a custom object prunes what its schema does not declare, then defaults
    resource.custom.prune(obj);
    return resource.custom.default(obj);
  }
  switch (`${resource.group}/${resource.kind}`) {
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      return defaultCRD(o as CustomResourceDefinition);
    case '/Pod':
      return defaultPod(o);
    case '/Service':
      return defaultService(o);
    case '/Namespace':
      return defaultNamespace(o);
    case '/Node':
      return defaultNode(o);
    case '/Secret':
      return defaultSecret(o);
    case '/Endpoints':
      return defaultEndpoints(o);
    case 'apps/DaemonSet':
      return defaultDaemonSet(o);
    case 'apps/Deployment':
      return defaultDeployment(o);
    case 'apps/ReplicaSet':
      return defaultReplicaSet(o);
    case '/PersistentVolume':
      return groups.defaultPersistentVolume(o);
    case '/PersistentVolumeClaim':
      return groups.defaultPersistentVolumeClaim(o);
    case 'storage.k8s.io/StorageClass':
      return groups.defaultStorageClass(o);
    case 'storage.k8s.io/CSIDriver':
      return groups.defaultCSIDriver(o);
    case 'networking.k8s.io/NetworkPolicy':
      return groups.defaultNetworkPolicy(o);
    case 'autoscaling/HorizontalPodAutoscaler':
      return groups.defaultHorizontalPodAutoscaler(o);
    case 'flowcontrol.apiserver.k8s.io/FlowSchema':
      return groups.defaultFlowSchema(o);
    case 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration':
      return groups.defaultPriorityLevelConfiguration(o);
    case 'batch/Job':
      return defaultJob(o);
    case 'batch/CronJob':
      return defaultCronJob(o);
    case 'scheduling.k8s.io/PriorityClass':
      return defaultPriorityClass(o);
    case 'discovery.k8s.io/EndpointSlice':
      return defaultEndpointSlice(o);
    default:
      // Event, Lease, ConfigMap, ServiceAccount, ControllerRevision: upstream defaults nothing visible
      return;
  }
}
