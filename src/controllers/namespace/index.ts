export {
  NamespaceController,
  ResourcesRemainingError,
  namespacedResources,
  FINALIZER_KUBERNETES,
  NAMESPACE_DELETION_GRACE_MS,
  FINALIZER_ESTIMATE_SECONDS,
  type NamespaceControllerOptions,
} from './controller.js';
