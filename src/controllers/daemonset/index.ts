export { DaemonSetController, shouldIgnoreNodeUpdate, failedPodsBackoffKey, BURST_REPLICAS } from './controller.js';
export type { DaemonSetControllerOptions } from './controller.js';
export {
  nodeShouldRunDaemonPod,
  toleratesTaint,
  addOrUpdateDaemonPodTolerations,
  podMatchesNodeAffinity,
  replaceDaemonSetPodNodeNameNodeAffinity,
  getTargetNodeName,
} from './predicates.js';
export { computeHash, revisionData, matchRevision, canonicalJSON, goTemplate } from './revision.js';
export {
  isPodUpdated,
  isPodAvailable,
  isPodReady,
  comparePods,
  surgeCount,
  unavailableCount,
  getTemplateGeneration,
  createPodTemplate,
  REVISION_HASH_LABEL,
  TEMPLATE_GENERATION_LABEL,
  TEMPLATE_GENERATION_ANNOTATION,
} from './util.js';
export { ControllerExpectations } from './expectations.js';
export { Backoff } from './backoff.js';
