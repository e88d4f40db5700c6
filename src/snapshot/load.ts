// Build a cluster's objects from a snapshot, through the API client, before the controllers
// start (so none of them acts on a half-loaded cluster). As kwok's loader: objects are created
// owners first; each ownerReference is relinked by (kind, namespace, name, old uid) to the new
// owner's uid; an object whose owner is not in the snapshot is skipped and named. Nodes keep
// their status (capacity, allocatable, conditions); pods keep their nodes.

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { ApiError } from '../api/errors.js';
import { resourceForKind } from '../api/resources.js';
import { R, type ApiClient, type KubeObject, type OwnerReference } from '../client/types.js';
import { revisionData } from '../controllers/daemonset/revision.js';
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL, TEMPLATE_GENERATION_ANNOTATION } from '../controllers/daemonset/util.js';
import type { NodePlan } from '../cluster/nodes.js';
import { describe, SNAPSHOT_KINDS } from './kinds.js';
import type { Problem } from './parse.js';

export interface LoadReport {
  /** objects created, by kind */
  loaded: Record<string, number>;
  /** objects the new cluster already had (its namespaces, built-in priority classes) */
  existing: number;
  problems: Problem[];
}

const isReady = (n: Node) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** the simulated nodes a snapshot asks for: its nodes' names; a node not Ready starts stopped */
export function snapshotNodePlans(objects: KubeObject[], kubernetesVersion: string): NodePlan[] {
  return objects
    .filter((o) => o.kind === 'Node')
    .map((o, index) => {
      const n = o as unknown as Node;
      const labels = n.metadata?.labels ?? {};
      const control = 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels;
      return {
        name: n.metadata!.name!,
        role: control ? ('control-plane' as const) : ('worker' as const),
        index,
        labels: { ...labels },
        taints: [...(n.spec?.taints ?? [])],
        kubernetesVersion: n.status?.nodeInfo?.kubeletVersion || kubernetesVersion,
        ...(isReady(n) ? {} : { stopped: true }),
      };
    });
}

const ownerKey = (kind: string, namespace: string | undefined, name: string | undefined, uid: string | undefined) => `${kind}/${namespace ?? ''}/${name}/${uid}`;

/** what the API server sets again on create */
function forCreate(obj: KubeObject): KubeObject {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields: _m, deletionGracePeriodSeconds: _d, ...meta } = obj.metadata;
  const { status: _s, ...rest } = obj;
  return { ...rest, metadata: meta } as KubeObject;
}

/** the revision hash the DaemonSet's current pods carry (their pod-template-generation is the DaemonSet's) */
function podsHash(ds: KubeObject, pods: KubeObject[]): string | undefined {
  const uid = ds.metadata.uid;
  const mine = pods.filter((p) => (p.metadata.ownerReferences ?? []).some((o) => o.controller && o.uid === uid && o.kind === 'DaemonSet'));
  const gen = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  const current = mine.filter((p) => gen !== undefined && p.metadata.labels?.[TEMPLATE_GENERATION_LABEL] === gen);
  const counts = new Map<string, number>();
  for (const p of current.length ? current : mine) {
    const h = p.metadata.labels?.[REVISION_HASH_LABEL];
    if (h) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export async function loadSnapshot(client: ApiClient, objects: KubeObject[], plans: NodePlan[]): Promise<LoadReport> {
  const report: LoadReport = { loaded: {}, existing: 0, problems: [] };
  const problem = (o: KubeObject, message: string) => report.problems.push({ object: describe(o), message });
  const uids = new Map<string, string>();
  const stopped = new Set(plans.filter((p) => p.stopped).map((p) => p.name));
  const nodes = new Set(plans.map((p) => p.name));
  const pods = objects.filter((o) => o.kind === 'Pod');
  const dsWithRevisions = new Set(objects.filter((o) => o.kind === 'ControllerRevision').flatMap((o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid)));
  const order = new Map(SNAPSHOT_KINDS.map((k, i) => [k.kind, i]));
  const sorted = [...objects].sort((a, b) => order.get(a.kind!)! - order.get(b.kind!)!);

  const create = async (obj: KubeObject): Promise<KubeObject | undefined> => {
    const info = resourceForKind(obj.apiVersion ?? '', obj.kind ?? '');
    if (!info) return void problem(obj, `${obj.apiVersion} ${obj.kind} is not served by this kindling`);
    const ref = { group: info.group, version: info.version, plural: info.plural };
    const ns = info.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    try {
      const created = await client.create(ref, ns, forCreate(obj), { fieldValidation: 'Ignore' });
      report.loaded[obj.kind!] = (report.loaded[obj.kind!] ?? 0) + 1;
      return created;
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && (obj.kind === 'Namespace' || obj.kind === 'PriorityClass')) {
        report.existing++;
        return client.get(ref, ns, obj.metadata.name!);
      }
      return void problem(obj, e instanceof ApiError ? e.message : String(e));
    }
  };

  for (const obj of sorted) {
    const m = obj.metadata;
    if (m.deletionTimestamp) {
      problem(obj, 'was being deleted when the snapshot was taken');
      continue;
    }
    if (obj.kind === 'Pod') {
      const pod = obj as unknown as Pod;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        problem(obj, `finished (${phase}); only pods that hold their node are loaded`);
        continue;
      }
      if (pod.spec?.nodeName && !nodes.has(pod.spec.nodeName)) {
        problem(obj, `its node ${pod.spec.nodeName} is not in the snapshot`);
        continue;
      }
    }
    // relink owners to the uids they have now
    const owners: OwnerReference[] = [];
    const missing: string[] = [];
    for (const r of m.ownerReferences ?? []) {
      const ownerNs = r.kind === 'Node' ? undefined : m.namespace;
      const uid = uids.get(ownerKey(r.kind, ownerNs, r.name, r.uid));
      if (uid) owners.push({ ...r, uid });
      else missing.push(`${r.kind} ${ownerNs ? `${ownerNs}/` : ''}${r.name}`);
    }
    if (missing.length) {
      problem(obj, `its owner ${missing.join(', ')} is not in the snapshot`);
      continue;
    }
    const created = await create(owners.length ? { ...obj, metadata: { ...m, ownerReferences: owners } } : obj);
    if (!created) continue;
    uids.set(ownerKey(obj.kind!, obj.kind === 'Node' || obj.kind === 'Namespace' || obj.kind === 'PriorityClass' ? undefined : (m.namespace ?? 'default'), m.name, m.uid), created.metadata.uid!);

    if (obj.kind === 'Node' && obj.status) {
      // capacity, allocatable, conditions, addresses as the snapshot has them
      await client.update(R.nodes, undefined, { ...created, status: obj.status }, {}, 'status').catch((e) => problem(obj, `status not kept: ${(e as Error).message}`));
    }
    if (obj.kind === 'Pod' && obj.status && stopped.has((obj as unknown as Pod).spec?.nodeName ?? '')) {
      // no kubelet runs on a stopped node: the pod stays as the snapshot saw it
      await client.update(R.pods, created.metadata.namespace, { ...created, status: obj.status }, {}, 'status').catch((e) => problem(obj, `status not kept: ${(e as Error).message}`));
    }
    if (obj.kind === 'DaemonSet' && !dsWithRevisions.has(m.uid ?? '')) {
      // plain `kubectl get ds,pods -o yaml` has no ControllerRevisions: name the revision the
      // pods carry, so the controller sees them up to date instead of rolling every one
      const hash = podsHash(obj, pods);
      const ds = created as unknown as DaemonSet;
      if (hash) {
        const cr: KubeObject = {
          apiVersion: 'apps/v1',
          kind: 'ControllerRevision',
          metadata: {
            name: `${m.name}-${hash}`,
            namespace: created.metadata.namespace,
            labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: m.name!, uid: created.metadata.uid!, controller: true, blockOwnerDeletion: true }],
          },
          data: JSON.parse(revisionData(ds)),
          revision: 1,
        };
        await client.create(R.controllerrevisions, created.metadata.namespace, cr).catch((e) => problem(obj, `revision ${hash} not recorded: ${(e as Error).message}`));
      }
    }
  }
  return report;
}
