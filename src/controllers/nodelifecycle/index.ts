export {
  NodeLifecycleController,
  computeZoneState,
  swapNodeTaints,
  zoneKey,
  NODE_CONTROLLER,
  NODE_LEASE_NAMESPACE,
  LABEL_EXCLUDE_DISRUPTION,
  type NodeLifecycleOptions,
} from './controller.js';
export * from './taints.js';
