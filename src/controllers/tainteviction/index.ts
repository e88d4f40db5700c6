export {
  TaintEvictionController,
  TAINT_EVICTION_CONTROLLER,
  toleratesTaint,
  matchingTolerations,
  minTolerationMs,
  noExecuteTaints,
  type TaintEvictionOptions,
} from './controller.js';
