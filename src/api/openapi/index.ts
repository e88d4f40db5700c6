// OpenAPI documents (/openapi/v2 as JSON and protobuf, /openapi/v3) and schema-driven
// strict field validation, all derived from the upstream swagger at runtime.
export { loadSwagger, swaggerPath, type Swagger, type Json, type JsonObject } from './swagger.js';
export { openapiV2Json, openapiV2ETag, openapiV2Document, restrictSwagger, contentHash } from './v2.js';
export { openapiV2Protobuf, encodeGnostic, gnosticTypes, OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from './gnostic.js';
export { openapiV3Index, openapiV3Document, openapiV3Hash, convertSchema, groupVersionOfPath } from './v3.js';
export {
  findUnknownFields,
  pruneUnknownFields,
  findDuplicateFields,
  definitionFor,
  unknownFieldMessage,
  duplicateFieldMessage,
  strictFieldErrors,
  strictDecodingError,
  warningHeader,
} from './fields.js';
