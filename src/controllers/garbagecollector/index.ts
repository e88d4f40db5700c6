export { GarbageCollector, defaultGcResources, type GarbageCollectorOptions } from './garbagecollector.js';
export { PodGarbageCollector, OUT_OF_SERVICE_TAINT, type PodGcOptions } from './podgc.js';
export { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './graph.js';
