// Per-kind rules of the upstream registry strategies (pkg/registry/*/strategy.go): what a
// create clears, when generation moves, what a status write may change.

import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject } from '../client/types.js';
import { deepEqual } from './objects.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { qosClass } from '../api/qos.js';
import { isCRDResource, prepareCRDForCreate, prepareCRDForUpdate } from '../apiextensions/crd.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';

/** apps/v1 annotation that carries a DaemonSet's templateGeneration */
export const DS_TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** kinds whose metadata.generation tracks spec changes */
const GENERATION_KINDS = new Set([
  'DaemonSet',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

/** the status a create starts from, where the strategy resets it (their PrepareForCreate) */
const INITIAL_STATUS: Record<string, () => Record<string, unknown>> = {
  PersistentVolume: () => ({}),
  PersistentVolumeClaim: () => ({}),
  Ingress: () => ({ loadBalancer: {} }),
  HorizontalPodAutoscaler: () => ({ desiredReplicas: 0 }),
  PodDisruptionBudget: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  VolumeAttachment: () => ({ attached: false }),
  CertificateSigningRequest: () => ({}),
  FlowSchema: () => ({}),
  PriorityLevelConfiguration: () => ({}),
  APIService: () => ({}),
};

export function hasStatusSubresource(info: ResourceInfo): boolean {
  return (info.subresources ?? []).includes('status');
}

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/**
 * ObjectMeta's lists and maps are `omitempty` in Go: once stored, an empty one is absent (e.g. the
 * garbage collector's orphaning patch that deletes the last ownerReference leaves no field at all)
 */
export function dropEmptyMetadata(obj: Obj): void {
  const m = obj.metadata as Record<string, unknown>;
  for (const f of ['ownerReferences', 'finalizers']) if (Array.isArray(m[f]) && (m[f] as unknown[]).length === 0) delete m[f];
  for (const f of ['labels', 'annotations']) {
    const v = m[f];
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) delete m[f];
  }
}

/** changes a create makes before defaulting and validation */
export function prepareForCreate(info: ResourceInfo, obj: Obj): void {
  dropEmptyMetadata(obj);
  if (GENERATION_KINDS.has(info.kind) || info.custom || isCRDResource(info)) obj.metadata.generation = 1;
  if (info.custom) {
    // customresource strategy: status only through /status when that subresource exists
    if (hasStatusSubresource(info)) delete obj.status;
    return;
  }
  if (isCRDResource(info)) return prepareCRDForCreate(obj as unknown as CustomResourceDefinition);
  const initial = INITIAL_STATUS[info.kind];
  if (initial) obj.status = initial();
  switch (info.kind) {
    case 'DaemonSet': {
      delete obj.status;
      const ann = (obj.metadata.annotations ??= {});
      ann[DS_TEMPLATE_GENERATION_ANNOTATION] = '1';
      break;
    }
    case 'Deployment':
    case 'ReplicaSet':
    case 'Service':
      delete obj.status;
      break;
    case 'Job':
      obj.status = {};
      generateJobSelector(obj);
      break;
    case 'CronJob':
      obj.status = {};
      break;
    case 'Pod': {
      // the kubelet owns status; a new pod starts Pending
      obj.status = { phase: 'Pending', qosClass: qosClass(obj as Pod) };
      break;
    }
    case 'Namespace':
      obj.status = { phase: 'Active' };
      break;
    default:
      break;
  }
}

/** job strategy generateSelector: unless spec.manualSelector, select the job's own pods by its uid */
function generateJobSelector(job: Obj): void {
  const spec = (job.spec ??= {}) as Record<string, any>;
  if (spec.manualSelector === true) return;
  const uid = job.metadata.uid!;
  const name = job.metadata.name ?? '';
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  // decoding the request already defaulted the job's labels from the template's (SetDefaults_Job)
  if (meta.labels && Object.keys(meta.labels).length && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...meta.labels };
  // labels the user set are kept (a wrong one fails validation)
  meta.labels = {
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
    ...(meta.labels ?? {}),
  };
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels['batch.kubernetes.io/controller-uid'] ??= uid;
}

/**
 * changes an update makes: status kept from the old object (it changes only through /status),
 * generation bumped on spec change, templateGeneration bumped on template change.
 */
export function prepareForUpdate(info: ResourceInfo, obj: Obj, old: Obj): void {
  dropEmptyMetadata(obj);
  if (hasStatusSubresource(info) && info.kind !== 'Namespace') {
    if (old.status === undefined) delete obj.status;
    else obj.status = old.status;
  }
  if (info.kind === 'Namespace') obj.status = old.status;
  obj.metadata.generation = old.metadata.generation;
  if (isCRDResource(info)) {
    prepareCRDForUpdate(obj as unknown as CustomResourceDefinition, old as unknown as CustomResourceDefinition);
    if (!deepEqual(obj.spec, old.spec)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  if (info.custom) {
    // any change but metadata (and status, when it has its own subresource) is a new generation
    const content = (o: Obj) => {
      const { metadata: _m, status, ...rest } = o;
      return hasStatusSubresource(info) ? rest : { ...rest, status };
    };
    if (!deepEqual(content(obj), content(old))) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  if (GENERATION_KINDS.has(info.kind)) {
    if (!deepEqual(obj.spec, old.spec)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
  if (info.kind === 'DaemonSet') {
    const oldTg = Number(old.metadata.annotations?.[DS_TEMPLATE_GENERATION_ANNOTATION] ?? '1') || 1;
    const templateChanged = !deepEqual(obj.spec?.template, old.spec?.template);
    const ann = (obj.metadata.annotations ??= {});
    // the user cannot set templateGeneration: it follows the template
    ann[DS_TEMPLATE_GENERATION_ANNOTATION] = String(templateChanged ? oldTg + 1 : oldTg);
  }
}

/**
 * a write to /status: everything but status comes from the old object (upstream resets
 * metadata changes too, ResetObjectMetaForStatus), except that the kubelet-style writers of
 * nodes may update status only.
 */
export function prepareForStatusUpdate(info: ResourceInfo, obj: Obj, old: Obj): Obj {
  const out: Obj = { ...old, metadata: { ...old.metadata, resourceVersion: obj.metadata.resourceVersion } };
  if (obj.status === undefined) delete out.status;
  else out.status = obj.status;
  // deployment and replicaset status strategies reset only spec (and a deployment's labels):
  // the deployment controller writes its revision annotation through /status
  if (info.kind === 'Deployment' || info.kind === 'ReplicaSet') out.metadata.annotations = obj.metadata.annotations;
  return out;
}
