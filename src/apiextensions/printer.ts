// additionalPrinterColumns as the apiextensions-apiserver's table convertor prints them
// (pkg/registry/customresource/tableconvertor): Name, then each column's JSONPath value typed
// by the column (integer, number, boolean, string, date as an age); no columns means Age.

import type { CustomResourceColumnDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { KubeObject } from '../client/types.js';
import type { Cell, Printer, TableColumnDefinition } from '../api/printers/printers.js';
import { translateTimestampSince } from '../api/printers/duration.js';
import { fieldDescription } from '../api/printers/descriptions.js';
import { evaluateJsonPath } from './jsonpath.js';

const META = 'meta.v1.ObjectMeta';

const DEFAULT_COLUMNS: CustomResourceColumnDefinition[] = [
  {
    name: 'Age',
    type: 'date',
    jsonPath: '.metadata.creationTimestamp',
    description: fieldDescription(META, 'creationTimestamp', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  },
];

/** Go's fmt of a JSON value, as kubectl's JSONPath printer writes non-strings */
function goString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    return `map[${Object.keys(v as object)
      .sort()
      .map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function cellFor(type: string, v: unknown, now: number): Cell | null {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'string':
      return typeof v === 'string' ? v : goString(v);
    case 'date':
      if (typeof v !== 'string') return null;
      return Number.isNaN(Date.parse(v)) ? '<invalid>' : translateTimestampSince(v, now);
    default:
      return null;
  }
}

export function columnPrinter(columns: CustomResourceColumnDefinition[] | undefined): Printer {
  const cols = columns?.length ? columns : DEFAULT_COLUMNS;
  const definitions: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: fieldDescription(META, 'name', 'Name must be unique within a namespace.'), priority: 0 },
    ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
  ];
  return {
    columns: () => definitions.map((d) => ({ ...d })),
    cells(obj: KubeObject, now: number): Cell[] {
      const cells: (Cell | null)[] = [obj.metadata.name ?? ''];
      for (const c of cols) cells.push(cellFor(c.type, evaluateJsonPath(c.jsonPath, obj)[0], now));
      // a nil cell is JSON null (kubectl prints <none>)
      return cells as Cell[];
    },
  };
}
