// Validation entry points the registry calls on create, update and /status update. Each returns
// upstream's field errors; the caller wraps them: invalid(kind, group, name, errs).

import type { FieldError } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../../client/types.js';
import { validateGenericNamespaced, validateGenericUpdate } from './core.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as policy from './policy.js';
import * as core from './core.js';
import * as sched from './scheduling.js';
import { validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePod, validatePodUpdate } from './pod.js';
import { validateCRD, validateCRDStatusUpdate, validateCRDUpdate } from '../../apiextensions/validation.js';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';

export { regexError, isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isLabelValue } from './names.js';
export { validateLabelSelector, selectorMatches } from './meta.js';
export { validatePodSpec, validatePodTemplateSpec, validateTolerations } from './pod.js';
export { SYSTEM_PRIORITY_CLASSES, HIGHEST_USER_DEFINABLE_PRIORITY } from './scheduling.js';
export { NODE_PORT_RANGE } from './core.js';

type Create = (obj: Obj) => FieldError[];
type Update = (obj: Obj, old: Obj) => FieldError[];

const onCreate: Record<string, Create> = {
  '/Pod': validatePod,
  '/Service': core.validateService,
  '/Namespace': core.validateNamespace,
  '/Node': core.validateNode,
  '/ConfigMap': core.validateConfigMap,
  '/Secret': core.validateSecret,
  'apps/DaemonSet': apps.validateDaemonSet,
  'apps/Deployment': apps.validateDeployment,
  'apps/ReplicaSet': apps.validateReplicaSet,
  'apps/ControllerRevision': apps.validateControllerRevision,
  'batch/Job': batch.validateJob,
  'batch/CronJob': batch.validateCronJob,
  'policy/PodDisruptionBudget': policy.validatePodDisruptionBudget,
  'scheduling.k8s.io/PriorityClass': sched.validatePriorityClass,
  'coordination.k8s.io/Lease': sched.validateLease,
  'apiextensions.k8s.io/CustomResourceDefinition': (o) => validateCRD(o as unknown as CustomResourceDefinition),
};

const onUpdate: Record<string, Update> = {
  '/Pod': validatePodUpdate,
  '/Service': core.validateServiceUpdate,
  '/Namespace': core.validateNamespaceUpdate,
  '/Node': core.validateNodeUpdate,
  '/ConfigMap': core.validateConfigMapUpdate,
  '/Secret': core.validateSecretUpdate,
  'apps/DaemonSet': apps.validateDaemonSetUpdate,
  'apps/Deployment': apps.validateDeploymentUpdate,
  'apps/ReplicaSet': apps.validateReplicaSetUpdate,
  'apps/ControllerRevision': apps.validateControllerRevisionUpdate,
  'batch/Job': batch.validateJobUpdate,
  'batch/CronJob': batch.validateCronJobUpdate,
  'policy/PodDisruptionBudget': policy.validatePodDisruptionBudgetUpdate,
  'scheduling.k8s.io/PriorityClass': sched.validatePriorityClassUpdate,
  'coordination.k8s.io/Lease': sched.validateLeaseUpdate,
  'apiextensions.k8s.io/CustomResourceDefinition': (o, old) => validateCRDUpdate(o as unknown as CustomResourceDefinition, old as unknown as CustomResourceDefinition),
};

const onStatusUpdate: Record<string, Update> = {
  'apps/DaemonSet': apps.validateDaemonSetStatusUpdate,
  'apps/Deployment': apps.validateReplicaStatusUpdate,
  'apps/ReplicaSet': apps.validateReplicaStatusUpdate,
  'batch/Job': batch.validateJobStatusUpdate,
  'policy/PodDisruptionBudget': policy.validatePodDisruptionBudgetStatusUpdate,
  'apiextensions.k8s.io/CustomResourceDefinition': (o, old) => validateCRDStatusUpdate(o as unknown as CustomResourceDefinition, old as unknown as CustomResourceDefinition),
  // Node status is free-form upstream too, beyond ObjectMeta; taints live in spec
};

const key = (r: ResourceInfo) => `${r.group}/${r.kind}`;

export function validateCreate(resource: ResourceInfo, obj: KubeObject): FieldError[] {
  if (resource.custom) return resource.custom.validate(obj);
  const fn = onCreate[key(resource)];
  if (fn) return fn(obj as Obj);
  return resource.namespaced ? validateGenericNamespaced(obj as Obj) : validateObjectMeta(obj.metadata, false, nameIsDNSSubdomain);
}

export function validateUpdate(resource: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  if (resource.custom) return resource.custom.validate(obj, old);
  const fn = onUpdate[key(resource)];
  if (fn) return fn(obj as Obj, old as Obj);
  return validateGenericUpdate(obj as Obj, old as Obj);
}

export function validateStatusUpdate(resource: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  if (resource.custom) return resource.custom.validate(obj, old);
  const fn = onStatusUpdate[key(resource)];
  if (fn) return fn(obj as Obj, old as Obj);
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}
