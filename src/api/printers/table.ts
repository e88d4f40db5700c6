// meta.k8s.io/v1 Table responses (Accept: application/json;as=Table;v=v1;g=meta.k8s.io),
// as the API server's asTable builds them from a resource's printer.

import type { KubeObject, ObjectMeta } from '../../client/types.js';
import { badRequest } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { TableRowCondition } from './pod.js';
import { printerFor, type Cell, type TableColumnDefinition } from './printers.js';

export type { TableColumnDefinition, Cell } from './printers.js';
export type { TableRowCondition } from './pod.js';

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  /** PartialObjectMetadata (default), the whole object (includeObject=Object) or null (None) */
  object: PartialObjectMetadata | KubeObject | null;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** null when noHeaders was asked (watch events after the first) */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** the current time in ms since the epoch (from the cluster clock), for AGE cells */
  now: number;
  includeObject?: IncludeObject | string;
  noHeaders?: boolean;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** keep metadata.managedFields in PartialObjectMetadata rows (dropped by default) */
  keepManagedFields?: boolean;
}

/** the column definitions of a resource, wide ones (priority 1) included */
export function columnDefinitions(resource: Pick<ResourceInfo, 'group' | 'kind'>): TableColumnDefinition[] {
  return printerFor(resource.group, resource.kind).columns();
}

function rowObject(resource: ResourceInfo, obj: KubeObject, opts: TableOptions): TableRow['object'] {
  const include = opts.includeObject ?? '';
  switch (include) {
    case 'Object': {
      const apiVersion = obj.apiVersion ?? (resource.group ? `${resource.group}/${resource.version}` : resource.version);
      return { ...obj, apiVersion, kind: obj.kind ?? resource.kind };
    }
    case 'Metadata':
    case '': {
      const metadata: ObjectMeta = { ...(obj.metadata ?? {}) };
      if (!opts.keepManagedFields) delete (metadata as Record<string, unknown>).managedFields;
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
    }
    case 'None':
      return null;
    default:
      throw badRequest(`unrecognized includeObject value: ${JSON.stringify(include)}`);
  }
}

/** print objects of one resource as a Table */
export function toTable(resource: ResourceInfo, objects: KubeObject[], opts: TableOptions): Table {
  const printer = resource.custom?.printer ?? printerFor(resource.group, resource.kind);
  const rows: TableRow[] = objects.map((obj) => {
    const row: TableRow = { cells: printer.cells(obj, opts.now), object: null };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    row.object = rowObject(resource, obj, opts);
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined && opts.remainingItemCount !== null) metadata.remainingItemCount = opts.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns(),
    rows,
  };
}
