// DaemonSet, Deployment, ReplicaSet and ControllerRevision validation
// (pkg/apis/apps/validation, pkg/registry/apps/*/strategy.go); spec/daemonset.md §4.2.

import { fieldErrors, type FieldError } from '../errors.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';
import {
  immutable,
  nonNegative,
  selectorConvertible,
  selectorMatches,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  type Obj,
} from './meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { renderDaemonSetUpdateStrategy, renderDeploymentStrategy, renderIntOrString, renderLabelSelector, renderStringMap } from './render.js';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldErrors.invalidRendered(field, renderIntOrString(v), m));
  if (typeof v === 'number') return nonNegative(v, field);
  if (v == null) return [];
  return [fieldErrors.invalidRendered(field, renderIntOrString(v), "must be an integer or percentage (e.g '5%')")];
}

/** the percent value of a valid percent string, else undefined */
function percentValue(v: unknown): number | undefined {
  if (typeof v !== 'string' || isValidPercent(v).length > 0) return undefined;
  return Number(v.slice(0, -1));
}

/** getIntOrPercentValue: the percent, the int, or Atoi of another string (0 when not a number) */
function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

function notMoreThan100Percent(v: unknown, field: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [fieldErrors.invalidRendered(field, renderIntOrString(v), 'must not be greater than 100%')] : [];
}

function validateRollingUpdateDaemonSet(ru: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${field}.maxUnavailable`));
  errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${field}.maxSurge`));
  errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${field}.maxUnavailable`));
  errs.push(...notMoreThan100Percent(ru.maxSurge, `${field}.maxSurge`));
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(fieldErrors.invalidRendered(`${field}.maxSurge`, renderIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(fieldErrors.required(`${field}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
  }
  return errs;
}

function validateDaemonSetUpdateStrategy(strategy: Obj | undefined, field: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      if (s.rollingUpdate == null) return [fieldErrors.required(`${field}.rollingUpdate`)];
      return validateRollingUpdateDaemonSet(s.rollingUpdate, `${field}.rollingUpdate`);
    default:
      return [
        {
          type: 'FieldValueNotSupported',
          field,
          message: `Unsupported value: ${renderDaemonSetUpdateStrategy(s)}: supported values: "RollingUpdate", "OnDelete"`,
        },
      ];
  }
}

/** the template labels error, rendered as Go renders map[string]string */
function selectorMismatch(field: string, labels: Record<string, string> | undefined): FieldError {
  return fieldErrors.invalidRendered(field, renderStringMap(labels), SELECTOR_MISMATCH);
}

function templateRestartAndDeadline(template: Obj | undefined, field: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = template?.spec ?? {};
  if (spec.restartPolicy !== 'Always') errs.push(fieldErrors.notSupported(`${field}.spec.restartPolicy`, spec.restartPolicy ?? '', ['Always']));
  if (spec.activeDeadlineSeconds != null) {
    errs.push(fieldErrors.forbidden(`${field}.spec.activeDeadlineSeconds`, `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

export function validateDaemonSetSpec(spec: Obj | undefined, field = 'spec'): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(s.selector, `${field}.selector`));
  const labels = s.template?.metadata?.labels;
  if (selectorConvertible(s.selector) && !selectorMatches(s.selector, labels)) {
    errs.push(selectorMismatch(`${field}.template.metadata.labels`, labels));
  }
  if (s.selector != null && Object.keys(s.selector.matchLabels ?? {}).length + (s.selector.matchExpressions ?? []).length === 0) {
    errs.push(fieldErrors.invalidRendered(`${field}.selector`, renderLabelSelector(s.selector), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(s.template, `${field}.template`));
  errs.push(...templateRestartAndDeadline(s.template, `${field}.template`, 'DaemonSet'));
  errs.push(...nonNegative(s.minReadySeconds, `${field}.minReadySeconds`));
  errs.push(...nonNegative(s.templateGeneration, `${field}.templateGeneration`));
  errs.push(...validateDaemonSetUpdateStrategy(s.updateStrategy, `${field}.updateStrategy`));
  if (s.revisionHistoryLimit != null) errs.push(...nonNegative(s.revisionHistoryLimit, `${field}.revisionHistoryLimit`));
  return errs;
}

export function validateDaemonSet(ds: Obj): FieldError[] {
  return [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(ds.spec)];
}

/** the selector of apps/v1 workloads cannot change */
function immutableSelector(spec: Obj | undefined, oldSpec: Obj | undefined): FieldError[] {
  return immutable(spec?.selector, oldSpec?.selector, 'spec.selector', renderLabelSelector(spec?.selector));
}

export function validateDaemonSetUpdate(ds: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(ds.metadata, old.metadata), ...validateDaemonSetSpec(ds.spec), ...immutableSelector(ds.spec, old.spec)];
}

function validateCollisionCount(obj: Obj, old: Obj): FieldError[] {
  const now = obj.status?.collisionCount;
  const before = old.status?.collisionCount;
  // IsDecremented: an old count that disappears, or one that goes down
  if (before != null && (now == null || now < before)) {
    return [fieldErrors.invalid('status.collisionCount', now ?? 0, 'cannot be decremented')];
  }
  return [];
}

const DAEMONSET_COUNTERS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
];

export function validateDaemonSetStatusUpdate(ds: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  const status: Obj = ds.status ?? {};
  for (const k of DAEMONSET_COUNTERS) errs.push(...nonNegative(status[k], `status.${k}`));
  if (status.collisionCount != null) errs.push(...nonNegative(status.collisionCount, 'status.collisionCount'));
  errs.push(...validateCollisionCount(ds, old));
  return errs;
}

function emptySelector(sel: Obj): boolean {
  return Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;
}

/** ValidatePodTemplateSpecForReplicaSet (also used by Deployment) */
function validateReplicaSetTemplate(template: Obj | undefined, selector: Obj | undefined, field: string): FieldError[] {
  if (template == null) return [fieldErrors.required(field)];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  // a nil or empty selector skips the match check here: other checks reject it
  if (selector != null && !emptySelector(selector) && !selectorMatches(selector, labels)) {
    errs.push(selectorMismatch(`${field}.metadata.labels`, labels));
  }
  errs.push(...validatePodTemplateSpec(template, field));
  errs.push(...templateRestartAndDeadline(template, field, 'ReplicaSet'));
  return errs;
}

function validateSelectorRequired(sel: Obj | undefined, field: string): FieldError[] {
  if (sel == null) return [fieldErrors.required(field)];
  const errs = validateLabelSelector(sel, field);
  if (emptySelector(sel)) errs.push(fieldErrors.invalidRendered(field, renderLabelSelector(sel), 'empty selector is invalid for deployment'));
  return errs;
}

function validateDeploymentStrategy(strategy: Obj | undefined, field: string): FieldError[] {
  const s = strategy ?? {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate != null ? [fieldErrors.forbidden(`${field}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (s.rollingUpdate == null) return [fieldErrors.required(`${field}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const ru = s.rollingUpdate;
      const p = `${field}.rollingUpdate`;
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`)];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fieldErrors.invalidRendered(`${p}.maxUnavailable`, renderIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      return errs;
    }
    default:
      return [
        {
          type: 'FieldValueNotSupported',
          field,
          message: `Unsupported value: ${renderDeploymentStrategy(s)}: supported values: "Recreate", "RollingUpdate"`,
        },
      ];
  }
}

export function validateDeploymentSpec(spec: Obj | undefined, field = 'spec'): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(s.replicas, `${field}.replicas`));
  errs.push(...validateSelectorRequired(s.selector, `${field}.selector`));
  if (!selectorConvertible(s.selector)) {
    errs.push(fieldErrors.invalidRendered(`${field}.selector`, renderLabelSelector(s.selector), 'invalid label selector'));
  } else {
    errs.push(...validateReplicaSetTemplate(s.template, s.selector, `${field}.template`));
  }
  errs.push(...validateDeploymentStrategy(s.strategy, `${field}.strategy`));
  errs.push(...nonNegative(s.minReadySeconds, `${field}.minReadySeconds`));
  if (s.revisionHistoryLimit != null) errs.push(...nonNegative(s.revisionHistoryLimit, `${field}.revisionHistoryLimit`));
  if (s.progressDeadlineSeconds != null) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, `${field}.progressDeadlineSeconds`));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(fieldErrors.invalid(`${field}.progressDeadlineSeconds`, s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(d: Obj): FieldError[] {
  return [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain), ...validateDeploymentSpec(d.spec)];
}

export function validateDeploymentUpdate(d: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(d.metadata, old.metadata), ...validateDeploymentSpec(d.spec), ...immutableSelector(d.spec, old.spec)];
}

export function validateReplicaSetSpec(spec: Obj | undefined, field = 'spec'): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  errs.push(...nonNegative(s.replicas, `${field}.replicas`));
  errs.push(...nonNegative(s.minReadySeconds, `${field}.minReadySeconds`));
  errs.push(...validateSelectorRequired(s.selector, `${field}.selector`));
  if (!selectorConvertible(s.selector)) {
    errs.push(fieldErrors.invalidRendered(`${field}.selector`, renderLabelSelector(s.selector), 'invalid label selector'));
  } else {
    errs.push(...validateReplicaSetTemplate(s.template, s.selector, `${field}.template`));
  }
  return errs;
}

export function validateReplicaSet(rs: Obj): FieldError[] {
  return [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(rs.spec)];
}

export function validateReplicaSetUpdate(rs: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...validateReplicaSetSpec(rs.spec), ...immutableSelector(rs.spec, old.spec)];
}

/** Deployment and ReplicaSet /status: counters >= 0, ready/available bounded by replicas */
export function validateReplicaStatusUpdate(obj: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  const s: Obj = obj.status ?? {};
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'fullyLabeledReplicas', 'observedGeneration']) {
    errs.push(...nonNegative(s[k], `status.${k}`));
  }
  if (s.collisionCount != null) errs.push(...nonNegative(s.collisionCount, 'status.collisionCount'));
  const replicas = s.replicas ?? 0;
  if ((s.readyReplicas ?? 0) > replicas) errs.push(fieldErrors.invalid('status.readyReplicas', s.readyReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(fieldErrors.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.replicas'));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(fieldErrors.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  errs.push(...validateCollisionCount(obj, old));
  return errs;
}

export function validateControllerRevision(cr: Obj): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data == null) errs.push(fieldErrors.required('data', 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(cr.metadata, old.metadata), ...validateControllerRevision(cr), ...immutable(cr.data, old.data, 'data', 'runtime.RawExtension{...}')];
}
