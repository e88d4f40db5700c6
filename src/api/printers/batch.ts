// Job and CronJob columns and cells (printJob, printCronJob in upstream's printers.go).

import type { CronJob, Job, JobCondition } from 'kubernetes-types/batch/v1.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from './duration.js';
import { formatLabelSelector } from './selectors.js';
import { age, ageCol, col, containerCells, containersCol, imagesCol, name, nameCol, printer, type Printer } from './columns.js';

function hasCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

/** the STATUS column: Complete, Failed, Terminating, Suspended, FailureTarget or Running */
function jobStatus(job: Job): string {
  const conds = job.status?.conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: number): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTimestamp(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

const selectorCol = col('Selector', 'string', ['batch.v1.JobSpec', 'selector', 'A label query over pods that should match the pod count.'], { priority: 1 });

const jobPrinter = printer(
  [
    nameCol,
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', ['batch.v1.JobStatus', 'succeeded', 'The number of pods which reached phase Succeeded.']),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol,
    containersCol,
    imagesCol,
    selectorCol,
  ],
  (job: Job, now) => [
    name(job),
    jobStatus(job),
    jobCompletions(job),
    jobDuration(job, now),
    age(job, now),
    ...containerCells(job.spec?.template?.spec?.containers),
    formatLabelSelector(job.spec?.selector),
  ],
);

const CRONJOB_SPEC = 'batch.v1.CronJobSpec';
const cronJobPrinter = printer(
  [
    nameCol,
    col('Schedule', 'string', [CRONJOB_SPEC, 'schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.']),
    col('Timezone', 'string', [CRONJOB_SPEC, 'timeZone', 'The time zone name for the given schedule.']),
    col('Suspend', 'boolean', [CRONJOB_SPEC, 'suspend', 'This flag tells the controller to suspend subsequent executions.']),
    col('Active', 'integer', ['batch.v1.CronJobStatus', 'active', 'A list of pointers to currently running jobs.']),
    col('Last Schedule', 'string', ['batch.v1.CronJobStatus', 'lastScheduleTime', 'Information when was the last time the job was successfully scheduled.']),
    ageCol,
    containersCol,
    imagesCol,
    selectorCol,
  ],
  (cj: CronJob, now) => [
    name(cj),
    cj.spec?.schedule ?? '',
    cj.spec?.timeZone ?? '<none>',
    cj.spec?.suspend == null ? '<unset>' : cj.spec.suspend ? 'True' : 'False',
    cj.status?.active?.length ?? 0,
    cj.status?.lastScheduleTime ? translateTimestampSince(cj.status.lastScheduleTime, now) : '<none>',
    age(cj, now),
    ...containerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers),
    formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
  ],
);

export const BATCH_PRINTERS: Record<string, Printer> = {
  'batch/Job': jobPrinter,
  'batch/CronJob': cronJobPrinter,
};
