export { JobController, newJobControllerRef, type JobControllerOptions } from './controller.js';
