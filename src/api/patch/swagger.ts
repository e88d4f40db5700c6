// Locating and loading the Kubernetes OpenAPI v2 document that drives strategic merge patch.
// It is read lazily, once per path, because it is large and most processes patch rarely.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/** $KINDLING_SWAGGER, else ../shared/k8s-openapi/swagger.json beside the repo root */
export function swaggerLocation(): string {
  const fromEnv = process.env.KINDLING_SWAGGER;
  if (fromEnv) return fromEnv;
  // this file is <repo>/src/api/patch/swagger.ts (or <repo>/dist/api/patch/swagger.js)
  return fileURLToPath(new URL('../../../../shared/k8s-openapi/swagger.json', import.meta.url));
}

let loaded: { path: string; doc: SwaggerDocument } | undefined;

export function loadSwaggerDocument(): SwaggerDocument {
  const path = swaggerLocation();
  if (loaded?.path === path) return loaded.doc;
  const doc = JSON.parse(readFileSync(path, 'utf8')) as SwaggerDocument;
  if (!doc || typeof doc !== 'object' || typeof doc.definitions !== 'object') {
    throw new Error(`${path} is not an OpenAPI v2 document (no definitions)`);
  }
  loaded = { path, doc };
  return doc;
}
