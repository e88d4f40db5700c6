// The resource registry: every resource kindling serves, with what discovery publishes
// about it. Everything that needs to know "what is a daemonset" (discovery, routing,
// storage keys, printers, OpenAPI, protobuf decoding) looks it up here. Custom resources
// join at runtime through each API server's ResourceTable.

import type { KubeObject } from '../client/types.js';
import type { FieldError } from './errors.js';
import type { Printer } from './printers/printers.js';

export interface ResourceInfo {
  /** API group, '' for core */
  group: string;
  version: string;
  kind: string;
  /** plural resource name, as in URLs */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs: string[];
  /** subresources served (e.g. status, scale, binding, eviction, log, exec) */
  subresources?: string[];
  /** the kind of list objects (<Kind>List) */
  listKind: string;
  /** the swagger definition name, e.g. io.k8s.api.apps.v1.DaemonSet */
  definition: string;
  /** served but read-only / synthesized (e.g. metrics); not stored */
  virtual?: boolean;
  /** a resource defined at runtime (a CustomResourceDefinition's): its own rules */
  custom?: CustomResourceRules;
}

/**
 * what a custom resource brings instead of the built-in per-kind tables (strategy, defaults,
 * validation, printer, scale): src/apiextensions builds these from a CRD's version
 */
export interface CustomResourceRules {
  /** the CRD's name (<plural>.<group>) */
  crd: string;
  /** the version objects are stored in (apiVersion of stored objects) */
  storageVersion: string;
  /** the structural schema of this version (openAPIV3Schema), for validation, apply and OpenAPI */
  schema: Record<string, unknown> | undefined;
  /** drop fields the schema does not declare; returns their paths (for fieldValidation) */
  prune(obj: KubeObject): string[];
  /** apply the schema's defaults */
  default(obj: KubeObject): void;
  /** schema, CEL and metadata validation; old is the stored object on updates */
  validate(obj: KubeObject, old?: KubeObject): FieldError[];
  /** the Table printer of additionalPrinterColumns */
  printer: Printer;
  /** the CRD is being deleted: no new objects */
  terminating: boolean;
  /** the scale subresource's paths, when the version has one */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  definition: string,
  extra: Partial<ResourceInfo> = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: ALL_VERBS,
    listKind: `${kind}List`,
    definition,
    ...extra,
  };
}

export const RESOURCES: ResourceInfo[] = [
  // core/v1
  r('', 'v1', 'Namespace', 'namespaces', false, 'io.k8s.api.core.v1.Namespace', {
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'finalize'],
  }),
  r('', 'v1', 'Node', 'nodes', false, 'io.k8s.api.core.v1.Node', {
    shortNames: ['no'],
    subresources: ['status'],
  }),
  r('', 'v1', 'Pod', 'pods', true, 'io.k8s.api.core.v1.Pod', {
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'ephemeralcontainers'],
  }),
  r('', 'v1', 'Service', 'services', true, 'io.k8s.api.core.v1.Service', {
    shortNames: ['svc'],
    categories: ['all'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: ['status', 'proxy'],
  }),
  r('', 'v1', 'Endpoints', 'endpoints', true, 'io.k8s.api.core.v1.Endpoints', {
    shortNames: ['ep'],
    singular: 'endpoints',
  }),
  r('', 'v1', 'Event', 'events', true, 'io.k8s.api.core.v1.Event', { shortNames: ['ev'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, 'io.k8s.api.core.v1.ConfigMap', { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true, 'io.k8s.api.core.v1.Secret'),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, 'io.k8s.api.core.v1.PersistentVolume', {
    shortNames: ['pv'],
    subresources: ['status'],
  }),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, 'io.k8s.api.core.v1.PersistentVolumeClaim', {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, 'io.k8s.api.core.v1.ResourceQuota', {
    shortNames: ['quota'],
    subresources: ['status'],
  }),
  r('', 'v1', 'LimitRange', 'limitranges', true, 'io.k8s.api.core.v1.LimitRange', { shortNames: ['limits'] }),
  r('', 'v1', 'PodTemplate', 'podtemplates', true, 'io.k8s.api.core.v1.PodTemplate'),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, 'io.k8s.api.core.v1.ServiceAccount', {
    shortNames: ['sa'],
  }),
  // apps/v1
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, 'io.k8s.api.apps.v1.DaemonSet', {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
  }),
  r('apps', 'v1', 'Deployment', 'deployments', true, 'io.k8s.api.apps.v1.Deployment', {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, 'io.k8s.api.apps.v1.ReplicaSet', {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true, 'io.k8s.api.apps.v1.ControllerRevision'),
  // batch/v1
  r('batch', 'v1', 'Job', 'jobs', true, 'io.k8s.api.batch.v1.Job', { categories: ['all'], subresources: ['status'] }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, 'io.k8s.api.batch.v1.CronJob', {
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
  }),
  // events.k8s.io/v1 (same storage as core events upstream; kindling stores them apart)
  r('events.k8s.io', 'v1', 'Event', 'events', true, 'io.k8s.api.events.v1.Event', { shortNames: ['ev'] }),
  // coordination.k8s.io/v1
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true, 'io.k8s.api.coordination.v1.Lease'),
  // scheduling.k8s.io/v1
  r('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, 'io.k8s.api.scheduling.v1.PriorityClass', {
    shortNames: ['pc'],
  }),
  // discovery.k8s.io/v1
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true, 'io.k8s.api.discovery.v1.EndpointSlice'),
  // policy/v1: kubectl drain evicts only when /apis lists the policy group (else it deletes)
  // apiextensions.k8s.io/v1 (custom resources are served from the CRDs: src/apiextensions)
  r('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, 'io.k8s.api.policy.v1.PodDisruptionBudget', {
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  // networking.k8s.io/v1
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, 'io.k8s.api.networking.v1.Ingress', { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false, 'io.k8s.api.networking.v1.IngressClass'),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, 'io.k8s.api.networking.v1.NetworkPolicy', { shortNames: ['netpol'] }),
  // storage.k8s.io/v1
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, 'io.k8s.api.storage.v1.StorageClass', { shortNames: ['sc'] }),
  r('storage.k8s.io', 'v1', 'CSIDriver', 'csidrivers', false, 'io.k8s.api.storage.v1.CSIDriver'),
  r('storage.k8s.io', 'v1', 'CSINode', 'csinodes', false, 'io.k8s.api.storage.v1.CSINode'),
  r('storage.k8s.io', 'v1', 'VolumeAttachment', 'volumeattachments', false, 'io.k8s.api.storage.v1.VolumeAttachment', { subresources: ['status'] }),
  r('storage.k8s.io', 'v1', 'CSIStorageCapacity', 'csistoragecapacities', true, 'io.k8s.api.storage.v1.CSIStorageCapacity'),
  // node.k8s.io/v1
  r('node.k8s.io', 'v1', 'RuntimeClass', 'runtimeclasses', false, 'io.k8s.api.node.v1.RuntimeClass'),
  // autoscaling/v2 (autoscaling/v1 would need conversion to the stored v2 form: not served)
  r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
  }),
  // flowcontrol.apiserver.k8s.io/v1
  r('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema', 'flowschemas', false, 'io.k8s.api.flowcontrol.v1.FlowSchema', { subresources: ['status'] }),
  r('flowcontrol.apiserver.k8s.io', 'v1', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', false, 'io.k8s.api.flowcontrol.v1.PriorityLevelConfiguration', {
    subresources: ['status'],
  }),
  // certificates.k8s.io/v1
  r('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, 'io.k8s.api.certificates.v1.CertificateSigningRequest', {
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
  }),
  // apiregistration.k8s.io/v1
  r('apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService', {
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
];

export function groupVersion(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** `daemonsets.apps`, `pods`: the name upstream uses in messages ("daemonsets.apps \"x\" not found") */
export function qualifiedResource(info: ResourceInfo): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

const byPath = new Map<string, ResourceInfo>();
const byKind = new Map<string, ResourceInfo>();
for (const info of RESOURCES) {
  byPath.set(`${groupVersion(info)}/${info.plural}`, info);
  byKind.set(`${groupVersion(info)}/${info.kind}`, info);
}

/** look up by group/version and plural, e.g. ('apps','v1','daemonsets') */
export function resourceFor(group: string, version: string, plural: string): ResourceInfo | undefined {
  return byPath.get(`${group ? `${group}/${version}` : version}/${plural}`);
}

/** look up by apiVersion ('apps/v1', 'v1') and kind */
export function resourceForKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** the group versions served, core first, in discovery order */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const info of RESOURCES) {
    const gv = groupVersion(info);
    if (!seen.has(gv)) {
      seen.add(gv);
      out.push({ group: info.group, version: info.version });
    }
  }
  return out;
}

/** the storage key prefix of a resource: /registry/<group or core>/<plural>/ */
export function storagePrefix(info: ResourceInfo): string {
  return `/registry/${info.group || 'core'}/${info.plural}/`;
}

/** the storage key of one object */
export function storageKey(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${storagePrefix(info)}${namespace}/${name}` : `${storagePrefix(info)}${name}`;
}

/**
 * the resources one API server serves: the built-in ones and those custom resource definitions
 * add at runtime. Lookups see both; listeners hear of every change (discovery, OpenAPI, the
 * garbage collector and the namespace controller follow it).
 */
export class ResourceTable {
  private readonly custom = new Map<string, ResourceInfo[]>();
  private paths = new Map<string, ResourceInfo>();
  private kinds = new Map<string, ResourceInfo>();
  private everything: ResourceInfo[] = RESOURCES;
  private readonly listeners = new Set<() => void>();
  /** bumped on every change (caches of derived documents key on it) */
  generation = 0;

  /** look up by group/version and plural; built-ins first */
  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    return resourceFor(group, version, plural) ?? this.paths.get(`${group ? `${group}/${version}` : version}/${plural}`);
  }

  /** look up by apiVersion and kind; built-ins first */
  forKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    return resourceForKind(apiVersion, kind) ?? this.kinds.get(`${apiVersion}/${kind}`);
  }

  /** every resource, built-ins first */
  all(): ResourceInfo[] {
    return this.everything;
  }

  /** the group versions served, core first */
  groupVersions(): { group: string; version: string }[] {
    const seen = new Set<string>();
    const out: { group: string; version: string }[] = [];
    for (const info of this.everything) {
      const gv = groupVersion(info);
      if (!seen.has(gv)) {
        seen.add(gv);
        out.push({ group: info.group, version: info.version });
      }
    }
    return out;
  }

  /** set (or with an empty list, remove) the resources an owner (a CRD name) serves */
  set(owner: string, infos: ResourceInfo[]): void {
    if (!infos.length && !this.custom.has(owner)) return;
    if (infos.length) this.custom.set(owner, infos);
    else this.custom.delete(owner);
    this.paths = new Map();
    this.kinds = new Map();
    const dynamic = [...this.custom.values()].flat();
    for (const info of dynamic) {
      this.paths.set(`${groupVersion(info)}/${info.plural}`, info);
      this.kinds.set(`${groupVersion(info)}/${info.kind}`, info);
    }
    this.everything = [...RESOURCES, ...dynamic];
    this.generation++;
    for (const l of [...this.listeners]) l();
  }

  /** called after every change; returns the unsubscribe function */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
