// Job and CronJob validation (pkg/apis/batch/validation/validation.go, Kubernetes 1.32).

import { fieldErrors, type FieldError } from '../errors.js';
import { immutable, nonNegative, selectorConvertible, selectorMatches, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate, type Obj } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';
import { renderLabelSelector, renderStringMap } from './render.js';
import { parseCronSchedule } from '../cron.js';

/** maxParallelismForIndexedJob and maxCompletionsForIndexedJob... upstream's limit for Indexed jobs */
const MAX_PARALLELISM_INDEXED = 100_000;
/** a CronJob's name is the prefix of its jobs' names, which carry an 11-character suffix */
const CRONJOB_NAME_MAX = 52;

/** validateJobSpec: what a Job and a CronJob's job template share */
function validateJobSpecCommon(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    if (spec[k] != null) errs.push(...nonNegative(spec[k], `${field}.${k}`));
  }
  if (spec.backoffLimitPerIndex != null) errs.push(...nonNegative(spec.backoffLimitPerIndex, `${field}.backoffLimitPerIndex`));
  if (spec.completionMode != null) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      errs.push(fieldErrors.notSupported(`${field}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (spec.completionMode === 'Indexed') {
      if (spec.completions == null) errs.push(fieldErrors.required(`${field}.completions`, 'when completion mode is Indexed'));
      if (spec.parallelism != null && spec.parallelism > MAX_PARALLELISM_INDEXED) {
        errs.push(fieldErrors.invalid(`${field}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
      }
    }
  }
  if (spec.backoffLimitPerIndex != null && spec.completionMode !== 'Indexed') {
    errs.push(fieldErrors.forbidden(`${field}.backoffLimitPerIndex`, 'requires indexed completion mode'));
  }
  const template = spec.template;
  if (template == null) {
    errs.push(fieldErrors.required(`${field}.template`));
    return errs;
  }
  errs.push(...validatePodTemplateSpec(template, `${field}.template`));
  const restartPolicy = template.spec?.restartPolicy ?? '';
  if (spec.podFailurePolicy != null) {
    if (restartPolicy !== 'Never') {
      errs.push(fieldErrors.invalid(`${field}.template.spec.restartPolicy`, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
    }
    errs.push(...validatePodFailurePolicy(spec.podFailurePolicy, `${field}.podFailurePolicy`));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(fieldErrors.notSupported(`${field}.template.spec.restartPolicy`, restartPolicy, ['OnFailure', 'Never']));
  }
  if (spec.podReplacementPolicy != null) {
    if (!['TerminatedOrFailed', 'Failed'].includes(spec.podReplacementPolicy)) {
      errs.push(fieldErrors.notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed', 'TerminatedOrFailed']));
    } else if (spec.podFailurePolicy != null && spec.podReplacementPolicy !== 'Failed') {
      errs.push(fieldErrors.notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']));
    }
  }
  return errs;
}

const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validatePodFailurePolicy(policy: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (policy.rules ?? []).forEach((rule: Obj, i: number) => {
    const f = `${field}.rules[${i}]`;
    if (!POD_FAILURE_ACTIONS.includes(rule.action)) errs.push(fieldErrors.notSupported(`${f}.action`, rule.action ?? '', POD_FAILURE_ACTIONS));
    const hasExit = rule.onExitCodes != null;
    const hasConds = (rule.onPodConditions ?? []).length > 0;
    // field.Invalid with OmitValueType: the message carries no value
    const omitted = (detail: string): FieldError => ({ type: 'FieldValueInvalid', field: f, message: `Invalid value: ${detail}` });
    if (hasExit && hasConds) errs.push(omitted('specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!hasExit && !hasConds) errs.push(omitted('specifying one of OnExitCodes and OnPodConditions is required'));
    if (hasExit) {
      const op = rule.onExitCodes.operator;
      if (op !== 'In' && op !== 'NotIn') errs.push(fieldErrors.notSupported(`${f}.onExitCodes.operator`, op ?? '', ['In', 'NotIn']));
      const values: number[] = rule.onExitCodes.values ?? [];
      if (!values.length) errs.push(fieldErrors.required(`${f}.onExitCodes.values`, 'at least one value is required'));
      values.forEach((v, j) => {
        if (op === 'In' && v === 0) errs.push(fieldErrors.invalid(`${f}.onExitCodes.values[${j}]`, v, 'must not be 0 for the In operator'));
        if (j > 0 && values[j - 1] >= v) errs.push(fieldErrors.invalid(`${f}.onExitCodes.values[${j}]`, v, 'must be ordered'));
      });
    }
  });
  return errs;
}

/** ValidateJobSpec: the common checks plus a selector that matches the template */
function validateJobSpec(spec: Obj | undefined, field = 'spec'): FieldError[] {
  const s = spec ?? {};
  const errs = validateJobSpecCommon(s, field);
  if (s.selector == null) errs.push(fieldErrors.required(`${field}.selector`));
  else errs.push(...validateLabelSelector(s.selector, `${field}.selector`));
  if (s.selector != null && selectorConvertible(s.selector) && !selectorMatches(s.selector, s.template?.metadata?.labels)) {
    errs.push(fieldErrors.invalidRendered(`${field}.template.metadata.labels`, renderStringMap(s.template?.metadata?.labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

export function validateJob(job: Obj): FieldError[] {
  return [...validateObjectMeta(job.metadata, true, nameIsDNSSubdomain), ...validateJobSpec(job.spec)];
}

export function validateJobUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata), ...validateJobSpec(job.spec)];
  const s: Obj = job.spec ?? {};
  const o: Obj = old.spec ?? {};
  errs.push(...immutable(s.completions, o.completions, 'spec.completions'));
  errs.push(...immutable(s.selector, o.selector, 'spec.selector', renderLabelSelector(s.selector)));
  // the template may change only while the job is suspended and has never started
  const mutableTemplate = o.suspend === true && old.status?.startTime == null;
  if (!mutableTemplate) errs.push(...immutable(s.template, o.template, 'spec.template', 'core.PodTemplateSpec{...}'));
  errs.push(...immutable(s.completionMode, o.completionMode, 'spec.completionMode'));
  errs.push(...immutable(s.podFailurePolicy, o.podFailurePolicy, 'spec.podFailurePolicy', 'batch.PodFailurePolicy{...}'));
  errs.push(...immutable(s.backoffLimitPerIndex, o.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  return errs;
}

export function validateJobStatusUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const s: Obj = job.status ?? {};
  for (const k of ['active', 'succeeded', 'failed', 'terminating', 'ready']) {
    if (s[k] != null) errs.push(...nonNegative(s[k], `status.${k}`));
  }
  return errs;
}

// ---- CronJob -------------------------------------------------------------------------

/** validateTimeZone: an IANA name that the runtime knows */
function validateTimeZone(tz: unknown, field: string): FieldError[] {
  if (tz == null) return [];
  if (tz === '') return [fieldErrors.invalid(field, tz, 'timeZone must be nil or non-empty string')];
  const name = String(tz);
  for (const part of name.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z._+\-0-9]+$/.test(part)) {
      return [fieldErrors.invalid(field, tz, `unknown time zone ${name}`)];
    }
  }
  if (name.toLowerCase() === 'local') {
    return [fieldErrors.invalid(field, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
  } catch {
    return [fieldErrors.invalid(field, tz, `unknown time zone ${name}`)];
  }
  return [];
}

function validateScheduleFormat(schedule: string, allowTZ: boolean, timeZone: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = parseCronSchedule(schedule);
  if ('error' in parsed) errs.push(fieldErrors.invalid(field, schedule, parsed.error));
  if (allowTZ && schedule.includes('TZ') && timeZone != null) {
    errs.push(fieldErrors.invalid(field, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(fieldErrors.invalid(field, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

/** ValidateJobTemplateSpec: the selector is always generated for a cron job's jobs */
function validateJobTemplateSpec(template: Obj | undefined, field: string): FieldError[] {
  const spec: Obj = template?.spec ?? {};
  const errs = validateJobSpecCommon(spec, `${field}.spec`);
  if (spec.selector != null) errs.push(fieldErrors.invalidRendered(`${field}.spec.selector`, renderLabelSelector(spec.selector), '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(fieldErrors.notSupported(`${field}.spec.manualSelector`, true, ['nil', 'false']));
  return errs;
}

function validateCronJobSpec(spec: Obj | undefined, old: Obj | undefined, field = 'spec'): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (!s.schedule) errs.push(fieldErrors.required(`${field}.schedule`));
  else errs.push(...validateScheduleFormat(String(s.schedule), String(old?.schedule ?? '').includes('TZ'), s.timeZone, `${field}.schedule`));
  if (s.startingDeadlineSeconds != null) errs.push(...nonNegative(s.startingDeadlineSeconds, `${field}.startingDeadlineSeconds`));
  if (old === undefined || old.timeZone !== s.timeZone) errs.push(...validateTimeZone(s.timeZone, `${field}.timeZone`));
  const policy = s.concurrencyPolicy ?? '';
  if (policy === '') errs.push(fieldErrors.required(`${field}.concurrencyPolicy`));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy)) errs.push(fieldErrors.notSupported(`${field}.concurrencyPolicy`, policy, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateJobTemplateSpec(s.jobTemplate, `${field}.jobTemplate`));
  if (s.successfulJobsHistoryLimit != null) errs.push(...nonNegative(s.successfulJobsHistoryLimit, `${field}.successfulJobsHistoryLimit`));
  if (s.failedJobsHistoryLimit != null) errs.push(...nonNegative(s.failedJobsHistoryLimit, `${field}.failedJobsHistoryLimit`));
  return errs;
}

export function validateCronJob(cj: Obj): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  const name: string = cj.metadata?.name ?? '';
  if (name.length > CRONJOB_NAME_MAX) errs.push(fieldErrors.invalid('metadata.name', name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
  return [...errs, ...validateCronJobSpec(cj.spec, undefined)];
}

export function validateCronJobUpdate(cj: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj.spec, old.spec ?? {})];
}
