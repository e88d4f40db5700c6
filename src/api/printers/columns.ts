// Column and cell helpers every printer file shares (pkg/printers/internalversion/printers.go).

import type { Container } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../client/types.js';
import { fieldDescription } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import type { TableRowCondition } from './pod.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean;

export interface Printer {
  columns(): TableColumnDefinition[];
  cells(obj: KubeObject, now: number): Cell[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}

// ---- column helpers ----------------------------------------------------------------

export type Desc = string | [definition: string, field: string, fallback: string];

export function col(name: string, type: string, desc: Desc, opts: { format?: string; priority?: number } = {}): () => TableColumnDefinition {
  return () => ({
    name,
    type,
    format: opts.format ?? '',
    description: typeof desc === 'string' ? desc : fieldDescription(desc[0], desc[1], desc[2]),
    priority: opts.priority ?? 0,
  });
}

export const META = 'meta.v1.ObjectMeta';
export const nameCol = col('Name', 'string', [META, 'name', 'Name must be unique within a namespace.'], { format: 'name' });
export const ageCol = col('Age', 'string', [META, 'creationTimestamp', 'CreationTimestamp is a timestamp representing the server time when this object was created.']);
export const containersCol = col('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
export const imagesCol = col('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 });

export function printer(
  columns: (() => TableColumnDefinition)[],
  cells: (obj: any, now: number) => Cell[],
  conditions?: (obj: any) => TableRowCondition[] | undefined,
): Printer {
  return { columns: () => columns.map((c) => c()), cells, conditions };
}

// ---- shared cell helpers ----------------------------------------------------------

/** any object with metadata, as both kubernetes-types and KubeObject have it */
export interface WithMeta {
  metadata?: { name?: string; creationTimestamp?: string };
}

export function age(obj: WithMeta, now: number): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

export function name(obj: WithMeta): string {
  return obj.metadata?.name ?? '';
}

/** layoutContainerCells: names and images joined by commas */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** net.JoinHostPort */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** "a,b,c + N more..." with at most 3 items, as upstream's endpoint and slice columns */
export function listWithMore(list: string[], more: boolean, count: number, max: number, empty: string): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? empty : ret;
}

