// The Priority admission plugin (plugin/pkg/admission/priority): resolves a pod's
// priorityClassName into spec.priority and spec.preemptionPolicy on create, and keeps one
// global default PriorityClass. Pods only: upstream does not touch pod templates.

import { forbidden, type ApiError } from '../errors.js';
import { SYSTEM_PRIORITY_CLASSES } from '../validation/scheduling.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface PriorityClassInfo {
  value: number;
  preemptionPolicy?: string;
}

export interface DefaultPriorityClass extends PriorityClassInfo {
  name: string;
}

const PODS = { group: '', resource: 'pods' };
const PRIORITY_CLASSES = { group: 'scheduling.k8s.io', resource: 'priorityclasses' };

/** admission names the object by name, else generateName (not generated yet), else "Unknown" */
function admissionName(obj: Obj): string {
  return obj.metadata?.name || obj.metadata?.generateName || 'Unknown';
}

function builtIn(name: string): PriorityClassInfo | undefined {
  return SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
}

/**
 * On pod create: set spec.priority and spec.preemptionPolicy from spec.priorityClassName (or
 * from the global default class, or 0 / PreemptLowerPriority when there is none). Mutates the
 * pod; throws a 403 ApiError as upstream when the class is unknown or the pod disagrees with it.
 */
export function admitPriority(
  pod: Obj,
  lookupPriorityClass: (name: string) => PriorityClassInfo | undefined,
  defaultClass?: DefaultPriorityClass,
): void {
  const spec = (pod.spec ??= {});
  let priority: number;
  let preemptionPolicy: string | undefined;
  if (!spec.priorityClassName) {
    if (defaultClass) {
      spec.priorityClassName = defaultClass.name;
      priority = defaultClass.value;
      preemptionPolicy = defaultClass.preemptionPolicy;
    } else {
      priority = 0;
      preemptionPolicy = 'PreemptLowerPriority';
    }
  } else {
    const pc = lookupPriorityClass(spec.priorityClassName) ?? builtIn(spec.priorityClassName);
    if (!pc) throw forbidden(PODS, admissionName(pod), `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    preemptionPolicy = pc.preemptionPolicy;
  }
  if (spec.priority != null && spec.priority !== priority) {
    throw forbidden(
      PODS,
      admissionName(pod),
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  }
  spec.priority = priority;
  if (preemptionPolicy) {
    if (spec.preemptionPolicy != null && spec.preemptionPolicy !== preemptionPolicy) {
      throw forbidden(
        PODS,
        admissionName(pod),
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
      );
    }
    spec.preemptionPolicy = preemptionPolicy;
  }
}

/** on pod update: an omitted priority or preemptionPolicy is carried over from the stored pod */
export function admitPriorityOnUpdate(pod: Obj, old: Obj): void {
  const spec = (pod.spec ??= {});
  if (spec.priority == null && old.spec?.priority != null) spec.priority = old.spec.priority;
  if (spec.preemptionPolicy == null && old.spec?.preemptionPolicy != null) spec.preemptionPolicy = old.spec.preemptionPolicy;
}

/**
 * On PriorityClass create/update: only one class may be the global default. `currentDefault`
 * is the name of the class that is the default now (if any).
 */
export function admitPriorityClass(pc: Obj, currentDefault: string | undefined): ApiError | undefined {
  if (pc.globalDefault && currentDefault && currentDefault !== pc.metadata?.name) {
    return forbidden(PRIORITY_CLASSES, admissionName(pc), `PriorityClass ${currentDefault} is already marked as default. Only one default can exist`);
  }
  return undefined;
}

/** the registry refuses to delete the built-in classes */
export function checkPriorityClassDelete(name: string): ApiError | undefined {
  return builtIn(name) ? forbidden(PRIORITY_CLASSES, name, 'this is a system priority class and cannot be deleted') : undefined;
}
