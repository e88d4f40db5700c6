// The simulated kubelet: node registration, heartbeats, pod lifecycle as data, logs, usage.
export { NodeSimulator } from './simulator.js';
export type { NodeSimulatorOptions } from './simulator.js';
export { loadLifecycleRules, validateRules, DEFAULT_RULES } from './rules.js';
export type { LifecycleRules } from './rules.js';
