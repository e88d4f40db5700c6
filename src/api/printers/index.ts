// Server-side Table printing: see table.ts (toTable) and printers.ts (per-resource columns).
export { toTable, columnDefinitions } from './table.js';
export type { Table, TableRow, TableOptions, IncludeObject, PartialObjectMetadata, TableColumnDefinition, Cell, TableRowCondition } from './table.js';
export { humanDuration, translateTimestampSince } from './duration.js';
export { formatLabels, formatLabelSelector, selectorString, labelsString } from './selectors.js';
export { printerFor } from './printers.js';
