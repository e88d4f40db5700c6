// The OpenAPI v2 document kindling serves at /openapi/v2: the upstream swagger restricted to
// the resources in the registry (and their subresources), with every definition and shared
// parameter those paths reach, so `kubectl explain` can walk any field.
import { createHash } from 'node:crypto';
import { RESOURCES, groupVersion, type ResourceInfo } from '../resources.js';
import {
  DEFINITION_PREFIX,
  PARAMETER_PREFIX,
  isObject,
  loadSwagger,
  type Json,
  type JsonObject,
  type Swagger,
} from './swagger.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** the URL prefix of a group version: /api/v1, /apis/apps/v1 */
export function gvPrefix(info: { group: string; version: string }): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

/** a matcher for every swagger path that belongs to one resource: list, item, watch, subresources */
function resourcePathPattern(info: ResourceInfo): RegExp {
  const base = escapeRegExp(gvPrefix(info));
  const ns = info.namespaced ? '(?:namespaces/\\{namespace\\}/)?' : '';
  const subs = (info.subresources ?? []).map(escapeRegExp).join('|');
  const sub = subs ? `(?:/(?:${subs})(?:/\\{path\\})?)?` : '';
  return new RegExp(`^${base}/(?:watch/)?${ns}${escapeRegExp(info.plural)}(?:/\\{name\\}${sub})?$`);
}

/** the discovery-level paths of the served groups: /api/, /apis/, /apis/apps/, /api/v1/, /version/ */
function rootPaths(): Set<string> {
  const out = new Set(['/api/', '/apis/', '/version/']);
  for (const info of RESOURCES) {
    out.add(`${gvPrefix(info)}/`);
    if (info.group) out.add(`/apis/${info.group}/`);
  }
  return out;
}

/** every `$ref` string anywhere inside a JSON value */
export function collectRefs(value: Json, into: (ref: string) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into(v);
      else collectRefs(v, into);
    }
  }
}

function sortedObject<T>(entries: [string, T][]): { [k: string]: T } {
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** restrict a swagger document to the given resources; exported for tests with other registries */
export function restrictSwagger(swagger: Swagger, resources: ResourceInfo[] = RESOURCES): Swagger {
  const patterns = resources.map(resourcePathPattern);
  const roots = rootPaths();
  const paths = Object.entries(swagger.paths).filter(([p]) => roots.has(p) || patterns.some((re) => re.test(p)));

  const definitions = new Map<string, JsonObject>();
  const parameters = new Map<string, JsonObject>();
  const pending: string[] = [];
  const follow = (ref: string) => {
    if (ref.startsWith(DEFINITION_PREFIX)) {
      const name = ref.slice(DEFINITION_PREFIX.length);
      if (!definitions.has(name) && swagger.definitions[name]) {
        definitions.set(name, swagger.definitions[name]);
        pending.push(name);
      }
    } else if (ref.startsWith(PARAMETER_PREFIX)) {
      const name = ref.slice(PARAMETER_PREFIX.length);
      const param = swagger.parameters[name];
      if (!parameters.has(name) && param) {
        parameters.set(name, param);
        collectRefs(param, follow);
      }
    }
  };
  for (const [, item] of paths) collectRefs(item, follow);
  // the registry's own definitions are served even if no path mentioned them
  for (const info of resources) follow(DEFINITION_PREFIX + info.definition);
  while (pending.length) collectRefs(definitions.get(pending.pop()!)!, follow);

  const out: Swagger = {
    ...swagger,
    paths: sortedObject(paths),
    definitions: sortedObject([...definitions]),
    parameters: sortedObject([...parameters]),
  };
  return out;
}

/** upstream's OpenAPI ETag/hash: uppercase hex SHA-512 of the served bytes */
export function contentHash(data: Buffer | string): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

let v2: { doc: Swagger; json: Buffer; etag: string } | undefined;

function servedV2() {
  if (!v2) {
    const doc = restrictSwagger(loadSwagger());
    const json = Buffer.from(JSON.stringify(doc));
    v2 = { doc, json, etag: `"${contentHash(json)}"` };
  }
  return v2;
}

/** the restricted v2 document as an object (shared, do not mutate) */
export function openapiV2Document(): Swagger {
  return servedV2().doc;
}

/** the /openapi/v2 JSON body, computed once */
export function openapiV2Json(): Buffer {
  return servedV2().json;
}

/** the ETag header value for /openapi/v2 (quoted, as upstream sends it) */
export function openapiV2ETag(): string {
  return servedV2().etag;
}
