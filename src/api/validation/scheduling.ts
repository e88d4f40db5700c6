// PriorityClass (pkg/apis/scheduling/validation) and Lease (pkg/apis/coordination/validation).

import { fieldErrors, type FieldError } from '../errors.js';
import { nameIsDNSSubdomain } from './names.js';
import { nonNegative, validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { validatePreemptionPolicy } from './pod.js';

export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

/** the built-in classes that always exist (scheduling.SystemPriorityClasses) */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' },
  { name: 'system-cluster-critical', value: 2000000000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' },
] as const;

function knownSystemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${name} PriorityClass must be ${spc.value}`;
  if (spc.globalDefault !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${spc.globalDefault}`;
  return undefined;
}

export function validatePriorityClass(pc: Obj): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name: string = pc.metadata?.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = knownSystemClassError(name, pc.value ?? 0, !!pc.globalDefault);
    if (why) errs.push(fieldErrors.forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if ((pc.value ?? 0) > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(fieldErrors.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (pc.preemptionPolicy != null) errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

export function validatePriorityClassUpdate(pc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if ((pc.value ?? 0) !== (old.value ?? 0)) errs.push(fieldErrors.forbidden('value', 'may not be changed in an update.'));
  if ((pc.preemptionPolicy ?? '') !== (old.preemptionPolicy ?? '')) errs.push(fieldErrors.invalid('preemptionPolicy', pc.preemptionPolicy ?? '', 'field is immutable'));
  return errs;
}

function validateLeaseSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (s.leaseDurationSeconds != null && s.leaseDurationSeconds <= 0) {
    errs.push(fieldErrors.invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(s.leaseTransitions, 'spec.leaseTransitions'));
  if (s.strategy != null && s.strategy !== 'OldestEmulationVersion') {
    errs.push(fieldErrors.notSupported('spec.strategy', s.strategy, ['OldestEmulationVersion']));
  }
  if (s.preferredHolder && !s.strategy) {
    errs.push(fieldErrors.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export function validateLease(lease: Obj): FieldError[] {
  return [...validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain), ...validateLeaseSpec(lease.spec)];
}

export function validateLeaseUpdate(lease: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateLeaseSpec(lease.spec)];
}
