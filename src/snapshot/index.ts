// A cluster built from a snapshot: the nodes it asks for and the loader the runtime runs before
// its controllers start. Used by `kindling create cluster --snapshot` (in the server process)
// and by startCluster({ snapshot }).

import type { ApiClient } from '../client/types.js';
import type { NodePlan } from '../cluster/nodes.js';
import { loadSnapshot, snapshotNodePlans, type LoadReport } from './load.js';
import { parseSnapshot, type Problem } from './parse.js';

export { exportSnapshot } from './export.js';
export { parseSnapshot, type Problem } from './parse.js';
export type { LoadReport } from './load.js';

export interface SnapshotReport extends LoadReport {
  /** objects of the file that were not loaded at all (not YAML, unknown kinds), besides `problems` */
  skipped: Problem[];
}

export class SnapshotRefused extends Error {}

export function problemLines(problems: Problem[]): string[] {
  return problems.map((p) => `${p.object}: ${p.message}`);
}

/** --strict: a snapshot with any object that cannot be loaded is refused, nothing is kept */
function refuse(problems: Problem[]): never {
  const lines = problemLines(problems);
  throw new SnapshotRefused(`the snapshot has ${lines.length} object(s) that cannot be loaded (--strict): ${lines.slice(0, 5).join('; ')}${lines.length > 5 ? '; ...' : ''}`);
}

export interface PreparedSnapshot {
  plans: NodePlan[];
  /** what the file holds that cannot be loaded (named per object) */
  skipped: Problem[];
  /** create the snapshot's objects (ClusterRuntimeOptions.preload); resolves with what happened */
  load(client: ApiClient): Promise<SnapshotReport>;
}

export function prepareSnapshot(text: string, o: { kubernetesVersion: string; strict?: boolean }): PreparedSnapshot {
  const parsed = parseSnapshot(text);
  if (o.strict && parsed.problems.length) refuse(parsed.problems);
  const plans = snapshotNodePlans(parsed.objects, o.kubernetesVersion);
  if (plans.length === 0) throw new Error('the snapshot has no nodes');
  return {
    plans,
    skipped: parsed.problems,
    async load(client) {
      const report = await loadSnapshot(client, parsed.objects, plans);
      if (o.strict && report.problems.length) refuse(report.problems);
      return { ...report, skipped: parsed.problems };
    },
  };
}
