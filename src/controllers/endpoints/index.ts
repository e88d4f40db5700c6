export { EndpointsController, ENDPOINT_CONTROLLER, computeSubsets, repackSubsets } from './endpoints.js';
export {
  EndpointSliceController,
  ENDPOINTSLICE_CONTROLLER_NAME,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  MAX_ENDPOINTS_PER_SLICE,
  desiredSlices,
  endpointPorts,
  podToEndpoint,
} from './endpointslice.js';
export { findPort, isPodReady, shouldPodBeInEndpoints, selectorMatches, HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION } from './util.js';
