// Loading the Kubernetes OpenAPI v2 document (data/swagger.json.gz, see data/README.md) once, at
// runtime. Everything else in this folder derives its documents and schemas from it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** a JSON value as read from the swagger document */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** the parts of a Swagger 2.0 document kindling uses; everything else is kept as-is */
export interface Swagger extends JsonObject {
  swagger: string;
  info: JsonObject;
  paths: { [path: string]: JsonObject };
  definitions: { [name: string]: JsonObject };
  parameters: { [name: string]: JsonObject };
}

/** where the swagger document is: $KINDLING_SWAGGER (.json or .json.gz), else the one shipped beside this file */
export function swaggerPath(): string {
  const fromEnv = process.env.KINDLING_SWAGGER;
  if (fromEnv) return fromEnv;
  // src/api/openapi/data/ in a checkout, dist/api/openapi/data/ once built (scripts/postbuild.mjs copies it)
  return fileURLToPath(new URL('./data/swagger.json.gz', import.meta.url));
}

let cached: { path: string; doc: Swagger } | undefined;

/** the parsed swagger document, read on first use and cached (per path) */
export function loadSwagger(): Swagger {
  const path = swaggerPath();
  if (cached?.path === path) return cached.doc;
  const bytes = readFileSync(path);
  const doc = JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as Swagger;
  if (typeof doc !== 'object' || !doc || !doc.definitions || !doc.paths) {
    throw new Error(`${path} is not an OpenAPI v2 document (no paths or definitions)`);
  }
  doc.parameters ??= {};
  cached = { path, doc };
  return doc;
}

export const DEFINITION_PREFIX = '#/definitions/';
export const PARAMETER_PREFIX = '#/parameters/';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
