// The ReplicaSet controller (kube-controller-manager's replicaset controller).
export { ReplicaSetController, BURST_REPLICAS, COMPONENT, calculateStatus, podFromTemplate, newControllerRef } from './controller.js';
export type { ReplicaSetControllerOptions } from './controller.js';
export { UIDTrackingExpectations, rankPodsForDeletion, podDeletesBefore, slowStartBatch } from './util.js';
