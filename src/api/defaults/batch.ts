// batch/v1 defaulting (pkg/apis/batch/v1/defaults.go, Kubernetes 1.32 with its default
// feature gates: JobPodReplacementPolicy on).

import { defaultPodTemplateSpec } from './pod.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const MAX_INT32 = 2147483647;

/** SetDefaults_Job */
export function defaultJob(job: Obj): void {
  const spec = (job.spec ??= {});
  // a non-parallel job may leave both unset: both become 1
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  const templateLabels = spec.template?.metadata?.labels;
  const meta = (job.metadata ??= {});
  if (templateLabels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...templateLabels };
  if (spec.completionMode == null) spec.completionMode = 'NonIndexed';
  if (spec.suspend == null) spec.suspend = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) if (!pattern.status) pattern.status = 'True';
  }
  if (spec.podReplacementPolicy == null) spec.podReplacementPolicy = spec.podFailurePolicy != null ? 'Failed' : 'TerminatedOrFailed';
  defaultPodTemplateSpec(spec.template);
}

/** SetDefaults_CronJob; the job template's pod template gets the pod defaults (nested defaulters) */
export function defaultCronJob(cj: Obj): void {
  const spec = (cj.spec ??= {});
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  defaultPodTemplateSpec(spec.jobTemplate?.spec?.template);
}
