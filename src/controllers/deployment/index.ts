// The Deployment controller (kube-controller-manager's deployment controller).
export { DeploymentController, COMPONENT, calculateStatus } from './controller.js';
export type { DeploymentControllerOptions } from './controller.js';
export * from './util.js';
