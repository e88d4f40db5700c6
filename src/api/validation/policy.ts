// PodDisruptionBudget validation (pkg/apis/policy/validation/validation.go, Kubernetes 1.32).

import { fieldErrors, type FieldError } from '../errors.js';
import { nonNegative, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';
import { renderIntOrString } from './render.js';

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent */
function intOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'number') return nonNegative(v, field);
  if (typeof v === 'string') {
    const errs = isValidPercent(v).map((m) => fieldErrors.invalidRendered(field, renderIntOrString(v), m));
    if (!errs.length && Number(v.slice(0, -1)) > 100) errs.push(fieldErrors.invalidRendered(field, renderIntOrString(v), 'must not be greater than 100%'));
    return errs;
  }
  return [fieldErrors.invalidRendered(field, renderIntOrString(v), "must be an integer or percentage (e.g '5%')")];
}

function validateSpec(spec: Obj | undefined): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (s.minAvailable != null && s.maxUnavailable != null) {
    errs.push({ type: 'FieldValueInvalid', field: 'spec', message: 'Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set' });
  }
  if (s.minAvailable != null) errs.push(...intOrPercent(s.minAvailable, 'spec.minAvailable'));
  if (s.maxUnavailable != null) errs.push(...intOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  if (s.selector != null) errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  if (s.unhealthyPodEvictionPolicy != null && !['IfHealthyBudget', 'AlwaysAllow'].includes(s.unhealthyPodEvictionPolicy)) {
    errs.push(fieldErrors.notSupported('spec.unhealthyPodEvictionPolicy', s.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

export function validatePodDisruptionBudget(pdb: Obj): FieldError[] {
  return [...validateObjectMeta(pdb.metadata, true, nameIsDNSSubdomain), ...validateSpec(pdb.spec)];
}

export function validatePodDisruptionBudgetUpdate(pdb: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(pdb.metadata, old.metadata), ...validateSpec(pdb.spec)];
}

/** ValidatePodDisruptionBudgetStatusUpdate: counters are never negative */
export function validatePodDisruptionBudgetStatusUpdate(pdb: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pdb.metadata, old.metadata);
  const s: Obj = pdb.status ?? {};
  for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...nonNegative(s[k], `status.${k}`));
  return errs;
}
