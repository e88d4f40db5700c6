// The three patch types kubectl sends, applied to plain JSON objects.
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './jsonpatch.js';
export { applyMergePatch } from './merge.js';
export { applyStrategicMergePatch } from './strategic.js';
export { PatchSchema, type FieldPatchMeta } from './schema.js';
export { swaggerLocation, loadSwaggerDocument } from './swagger.js';
