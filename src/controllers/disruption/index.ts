export { DisruptionController, scaledValue, DELETION_TIMEOUT_MS, type DisruptionControllerOptions } from './controller.js';
