// CustomResourceDefinition status conditions (apiextensions helpers: FindCRDCondition,
// SetCRDCondition, IsCRDConditionTrue): lastTransitionTime moves only when status changes.

import type { CustomResourceDefinition, CustomResourceDefinitionCondition } from 'kubernetes-types/apiextensions/v1.js';

export type CRD = CustomResourceDefinition;

/** the finalizer that holds a CRD until its custom objects are gone */
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export function findCondition(crd: CRD, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(crd: CRD, type: string): boolean {
  return findCondition(crd, type)?.status === 'True';
}

export function isEstablished(crd: CRD): boolean {
  return isConditionTrue(crd, 'Established');
}

/** set a condition; returns whether anything changed */
export function setCondition(crd: CRD, cond: Omit<CustomResourceDefinitionCondition, 'lastTransitionTime'>, now: string): boolean {
  const status = ((crd as { status?: CRD['status'] }).status ??= { acceptedNames: { kind: '', plural: '' } } as NonNullable<CRD['status']>);
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === cond.type);
  if (!existing) {
    conditions.push({ ...cond, lastTransitionTime: now });
    return true;
  }
  if (existing.status === cond.status && existing.reason === cond.reason && existing.message === cond.message) return false;
  if (existing.status !== cond.status) existing.lastTransitionTime = now;
  existing.status = cond.status;
  existing.reason = cond.reason;
  existing.message = cond.message;
  return true;
}
