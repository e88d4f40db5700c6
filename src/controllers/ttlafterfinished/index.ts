export { TTLAfterFinishedController, expireAt } from './controller.js';
