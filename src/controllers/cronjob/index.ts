export { CronJobController, mostRecentScheduleTime, type CronJobControllerOptions } from './controller.js';
