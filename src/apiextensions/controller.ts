// The apiextensions-apiserver's controllers, client-go style (an informer on CRDs, a queue of
// CRD names, an idempotent reconcile), run by every API server:
// - naming (pkg/controller/status): accepts a CRD's names unless another CRD of the group has
//   taken them (NamesAccepted), and marks it Installing;
// - establishing (pkg/controller/establish): Established once the names are accepted;
// - serving: the server's ResourceTable follows each CRD (served versions once Established);
// - finalizer (pkg/controller/finalizer): a CRD being deleted loses its custom objects first.

import type { ApiClient, KubeObject, ResourceRef } from '../client/types.js';
import type { Clock } from '../clock/clock.js';
import type { ResourceTable } from '../api/resources.js';
import { Informer } from '../client/informer.js';
import { WorkQueue, runWorkers } from '../client/workqueue.js';
import { ApiError } from '../api/errors.js';
import { rfc3339 } from '../apiserver/objects.js';
import { CLEANUP_FINALIZER, findCondition, isConditionTrue, setCondition, type CRD } from './conditions.js';
import { crdResources, CRD_GROUP } from './crd.js';

export const CRD_RESOURCE: ResourceRef = { group: CRD_GROUP, version: 'v1', plural: 'customresourcedefinitions' };

type CRDObject = CRD & KubeObject;

interface Names {
  plural: string;
  singular?: string;
  shortNames?: string[];
  kind: string;
  listKind?: string;
  categories?: string[];
}

/** the names a CRD may have, given the names other CRDs of its group already hold */
function acceptNames(crd: CRD, others: CRD[]): { names: Names; reason: string; message: string; ok: boolean } {
  const requested = crd.spec.names as Names;
  const taken = { plural: new Set<string>(), singular: new Set<string>(), short: new Set<string>(), kind: new Set<string>(), listKind: new Set<string>() };
  for (const o of others) {
    if (o.spec?.group !== crd.spec.group || o.metadata?.name === crd.metadata?.name) continue;
    const a = o.status?.acceptedNames;
    if (!a) continue;
    if (a.plural) taken.plural.add(a.plural);
    if (a.singular) taken.singular.add(a.singular);
    for (const s of a.shortNames ?? []) taken.short.add(s);
    if (a.kind) taken.kind.add(a.kind);
    if (a.listKind) taken.listKind.add(a.listKind);
  }
  const conflict = (reason: string, name: string) => ({ names: (crd.status?.acceptedNames ?? { kind: '', plural: '' }) as Names, reason, message: `"${name}" is already in use`, ok: false });
  if (taken.plural.has(requested.plural) || taken.singular.has(requested.plural)) return conflict('PluralConflict', requested.plural);
  if (requested.singular && (taken.plural.has(requested.singular) || taken.singular.has(requested.singular))) return conflict('SingularConflict', requested.singular);
  for (const s of requested.shortNames ?? []) if (taken.short.has(s)) return conflict('ShortNamesConflict', s);
  if (taken.kind.has(requested.kind) || taken.listKind.has(requested.kind)) return conflict('KindConflict', requested.kind);
  if (requested.listKind && (taken.kind.has(requested.listKind) || taken.listKind.has(requested.listKind))) return conflict('ListKindConflict', requested.listKind);
  return { names: requested, reason: 'NoConflicts', message: 'no conflicts found', ok: true };
}

export interface CRDControllerOptions {
  /** called with reconcile errors (default: ignored, the key is retried) */
  onError?: (err: unknown) => void;
}

export class CRDController {
  private readonly informer: Informer<CRDObject>;
  private readonly queue: WorkQueue<string>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    private readonly clock: Clock,
    private readonly resources: ResourceTable,
    private readonly opts: CRDControllerOptions = {},
  ) {
    this.informer = new Informer<CRDObject>(client, CRD_RESOURCE, { clock });
    this.queue = new WorkQueue(clock);
  }

  async start(): Promise<void> {
    const enqueue = (crd: CRDObject) => this.queue.add(crd.metadata.name ?? '');
    this.informer.addEventHandler({
      onAdd: enqueue,
      // a CRD's accepted names free or take names for the rest of its group
      onUpdate: (_a, b) => {
        enqueue(b);
        for (const o of this.informer.list()) if (o.spec?.group === b.spec?.group && o !== b && !isConditionTrue(o, 'NamesAccepted')) enqueue(o);
      },
      onDelete: (o) => {
        const crd = (o as { obj?: CRDObject }).obj ?? (o as CRDObject);
        enqueue(crd);
        for (const other of this.informer.list()) if (other.spec?.group === crd.spec?.group) enqueue(other);
      },
    });
    await this.informer.start();
    // serve what is already established before the server says it is ready
    for (const crd of this.informer.list()) this.resources.set(crd.metadata.name ?? '', crdResources(crd));
    this.running = runWorkers(this.queue, 2, (name) => this.reconcile(name), (_k, err) => this.opts.onError?.(err));
  }

  async stop(): Promise<void> {
    this.informer.stop();
    this.queue.shutdown();
    await this.running;
  }

  private now(): string {
    return rfc3339(this.clock.now());
  }

  async reconcile(name: string): Promise<void> {
    const cached = this.informer.get(name);
    if (!cached) {
      this.resources.set(name, []);
      return;
    }
    this.resources.set(name, crdResources(cached));
    const crd = structuredClone(cached);
    if (crd.metadata.deletionTimestamp) {
      if ((crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) await this.finalize(crd);
      return;
    }
    // naming, then establishing: two status writes, as upstream's two controllers make
    const naming = acceptNames(crd, this.informer.list());
    const now = this.now();
    let changed = setCondition(crd, { type: 'NamesAccepted', status: naming.ok ? 'True' : 'False', reason: naming.reason, message: naming.message }, now);
    if (naming.ok) {
      const names = { ...naming.names };
      if (JSON.stringify(crd.status!.acceptedNames) !== JSON.stringify(names)) {
        crd.status!.acceptedNames = names as NonNullable<CRD['status']>['acceptedNames'];
        changed = true;
      }
    }
    const established = findCondition(crd, 'Established');
    if (established?.status !== 'True') {
      if (naming.ok && established?.reason === 'Installing') {
        changed = setCondition(crd, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now) || changed;
      } else if (naming.ok) {
        changed = setCondition(crd, { type: 'Established', status: 'False', reason: 'Installing', message: 'the initial names have been accepted' }, now) || changed;
      } else {
        changed = setCondition(crd, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }, now) || changed;
      }
    }
    if (changed) await this.writeStatus(crd);
  }

  private async writeStatus(crd: CRDObject): Promise<void> {
    try {
      await this.client.update(CRD_RESOURCE, undefined, crd, {}, 'status');
    } catch (err) {
      // a newer version is on its way through the informer, which enqueues it again
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
  }

  /** delete every custom object of the CRD, then let the CRD go */
  private async finalize(crd: CRDObject): Promise<void> {
    if (setCondition(crd, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, this.now())) {
      await this.writeStatus(crd);
      return; // the status update comes back through the informer
    }
    const served = crdResources(crd)[0];
    if (served) {
      const ref = { group: served.group, version: served.version, plural: served.plural };
      await this.client.deleteCollection(ref, undefined, {});
      const left = await this.client.list(ref, undefined, { limit: 1 });
      if (left.items.length) {
        // finalizers of custom objects hold them: look again soon
        this.queue.addAfter(crd.metadata.name ?? '', 1000);
        return;
      }
    }
    setCondition(crd, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, this.now());
    try {
      crd.metadata.finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      const updated = await this.client.update(CRD_RESOURCE, undefined, crd, {}, 'status');
      updated.metadata.finalizers = (updated.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      await this.client.update(CRD_RESOURCE, undefined, updated);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
  }
}
