// Locating and loading the Kubernetes OpenAPI v2 document that drives strategic merge patch.
// It is read lazily, once, through the shared loader.
import { loadSwagger, swaggerPath } from '../openapi/swagger.js';

export type SwaggerSchema = {
  $ref?: string;
  type?: string;
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  [key: string]: unknown;
};

export interface SwaggerDocument {
  definitions: Record<string, SwaggerSchema>;
}

/** where the swagger document is (the one loader in src/api/openapi/swagger.ts decides) */
export function swaggerLocation(): string {
  return swaggerPath();
}

/** the swagger document, shared with the OpenAPI documents (parsed once per process) */
export function loadSwaggerDocument(): SwaggerDocument {
  return loadSwagger() as unknown as SwaggerDocument;
}
