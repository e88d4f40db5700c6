// Admission steps the registry runs on pod create (and priority class writes).
export { admitPriority, admitPriorityOnUpdate, admitPriorityClass, checkPriorityClassDelete, type PriorityClassInfo, type DefaultPriorityClass } from './priority.js';
export { admitDefaultTolerationSeconds, NOT_READY_TAINT, UNREACHABLE_TAINT, DEFAULT_TOLERATION_SECONDS } from './tolerations.js';
