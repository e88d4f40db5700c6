// The OpenAPI v3 documents kindling serves at /openapi/v3 (index) and /openapi/v3/<gv>:
// the restricted v2 document converted the way kube-openapi converts v2 to v3
// (components.schemas, $refs wrapped in allOf when they have siblings, parameters inlined
// with a schema, body parameters as requestBody per consumed type, responses per produced type).
import { openapiV2Document, contentHash } from './v2.js';
import { DEFINITION_PREFIX, PARAMETER_PREFIX, isObject, type Json, type JsonObject, type Swagger } from './swagger.js';
import { collectRefs } from './v2.js';

const V3_SCHEMA_PREFIX = '#/components/schemas/';
const VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/** the v3 document a path belongs to: /apis/apps/v1/... -> apis/apps/v1, /api/ -> api, /version/ -> version */
export function groupVersionOfPath(path: string): string {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api') return parts.slice(0, 2).join('/');
  if (parts[0] === 'apis') return parts.slice(0, 3).join('/');
  return parts[0] ?? '';
}

/** a v2 schema as a v3 schema: refs into components, a $ref with siblings wrapped in allOf */
export function convertSchema(v2: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(v2)) {
    if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.startsWith(DEFINITION_PREFIX) ? V3_SCHEMA_PREFIX + v.slice(DEFINITION_PREFIX.length) : v;
    } else if (k === 'properties' && isObject(v)) {
      out.properties = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convertSchema(s as JsonObject)]));
    } else if ((k === 'items' || k === 'additionalProperties') && isObject(v)) {
      out[k] = convertSchema(v);
    } else if (k === 'items' && Array.isArray(v)) {
      out.items = v.map((s) => convertSchema(s as JsonObject));
    } else if (k === 'allOf' && Array.isArray(v)) {
      out.allOf = v.map((s) => convertSchema(s as JsonObject));
    } else {
      out[k] = v;
    }
  }
  if (typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return { ...rest, allOf: [{ $ref }] };
  }
  return out;
}

function resolveParameter(swagger: Swagger, p: JsonObject): JsonObject {
  if (typeof p.$ref === 'string' && p.$ref.startsWith(PARAMETER_PREFIX)) {
    const target = swagger.parameters[p.$ref.slice(PARAMETER_PREFIX.length)];
    if (target) return target;
  }
  return p;
}

/** a non-body v2 parameter as a v3 parameter: the simple type moves into `schema` */
function convertParameter(p: JsonObject): JsonObject {
  const out: JsonObject = { name: p.name!, in: p.in! };
  if (p.description !== undefined) out.description = p.description;
  if (p.required !== undefined) out.required = p.required;
  if (p.allowEmptyValue !== undefined) out.allowEmptyValue = p.allowEmptyValue;
  if (isObject(p.schema)) {
    out.schema = convertSchema(p.schema);
  } else {
    const schema: JsonObject = {};
    for (const k of ['type', 'format', 'items', 'default', 'enum', 'uniqueItems', 'minimum', 'maximum', 'pattern']) {
      if (p[k] !== undefined) schema[k] = k === 'items' && isObject(p[k]) ? convertSchema(p[k]) : p[k]!;
    }
    out.schema = schema;
  }
  for (const [k, v] of Object.entries(p)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

function convertResponses(responses: JsonObject, produces: Json[]): JsonObject {
  const out: JsonObject = {};
  for (const [code, r] of Object.entries(responses)) {
    if (!isObject(r)) continue;
    const res: JsonObject = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'schema' && isObject(v)) {
        const schema = convertSchema(v);
        res.content = Object.fromEntries(produces.map((type) => [String(type), { schema }]));
      } else {
        res[k] = v;
      }
    }
    out[code] = res;
  }
  return out;
}

function convertOperation(swagger: Swagger, op: JsonObject): JsonObject {
  const out: JsonObject = {};
  const consumes = Array.isArray(op.consumes) ? op.consumes : [];
  const produces = Array.isArray(op.produces) ? op.produces : [];
  for (const [k, v] of Object.entries(op)) {
    if (k === 'consumes' || k === 'produces' || k === 'schemes') continue;
    if (k === 'parameters' && Array.isArray(v)) {
      const params: Json[] = [];
      for (const raw of v) {
        const p = resolveParameter(swagger, raw as JsonObject);
        if (p.in === 'body') {
          const schema = convertSchema((p.schema ?? {}) as JsonObject);
          const body: JsonObject = { content: Object.fromEntries(consumes.map((type) => [String(type), { schema }])) };
          if (p.description !== undefined) body.description = p.description;
          if (p.required !== undefined) body.required = p.required;
          out.requestBody = body;
        } else {
          params.push(convertParameter(p));
        }
      }
      if (params.length) out.parameters = params;
    } else if (k === 'responses' && isObject(v)) {
      out.responses = convertResponses(v, produces);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function convertPathItem(swagger: Swagger, item: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(item)) {
    if (VERBS.includes(k) && isObject(v)) out[k] = convertOperation(swagger, v);
    else if (k === 'parameters' && Array.isArray(v)) out.parameters = v.map((p) => convertParameter(resolveParameter(swagger, p as JsonObject)));
    else out[k] = v;
  }
  return out;
}

/** the v3 document for the paths of one group version, with the schemas they reach */
export function buildV3Document(swagger: Swagger, gv: string): JsonObject | undefined {
  const paths = Object.entries(swagger.paths).filter(([p]) => groupVersionOfPath(p) === gv);
  if (!paths.length) return undefined;
  const convertedPaths = Object.fromEntries(paths.map(([p, item]) => [p, convertPathItem(swagger, item)]));
  const names = new Set<string>();
  const pending: string[] = [];
  const follow = (ref: string) => {
    if (!ref.startsWith(V3_SCHEMA_PREFIX)) return;
    const name = ref.slice(V3_SCHEMA_PREFIX.length);
    if (!names.has(name) && swagger.definitions[name]) {
      names.add(name);
      pending.push(name);
    }
  };
  collectRefs(convertedPaths, follow);
  const schemas: JsonObject = {};
  while (pending.length) {
    const name = pending.pop()!;
    const schema = convertSchema(swagger.definitions[name]!);
    schemas[name] = schema;
    collectRefs(schema, follow);
  }
  const components: JsonObject = {
    schemas: Object.fromEntries(Object.keys(schemas).sort().map((n) => [n, schemas[n]!])),
  };
  if (isObject(swagger.securityDefinitions)) components.securitySchemes = swagger.securityDefinitions;
  const doc: JsonObject = { openapi: '3.0.0', info: swagger.info, paths: convertedPaths, components };
  if (swagger.security !== undefined) doc.security = swagger.security;
  return doc;
}

let v3: Map<string, { json: Buffer; hash: string }> | undefined;

function servedV3() {
  if (!v3) {
    const swagger = openapiV2Document();
    const gvs = [...new Set(Object.keys(swagger.paths).map(groupVersionOfPath))].filter(Boolean).sort();
    v3 = new Map();
    for (const gv of gvs) {
      const doc = buildV3Document(swagger, gv);
      if (!doc) continue;
      const json = Buffer.from(JSON.stringify(doc));
      v3.set(gv, { json, hash: contentHash(json) });
    }
  }
  return v3;
}

/** the /openapi/v3 index: {"paths":{"apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=..."}}} */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, { hash }] of servedV3()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
  return { paths };
}

/** the JSON body of /openapi/v3/<gv> ('api/v1', 'apis/apps/v1', 'apis/apps', 'api', 'apis', 'version'), or undefined */
export function openapiV3Document(gv: string): Buffer | undefined {
  return servedV3().get(gv.replace(/^\/+|\/+$/g, ''))?.json;
}

/** the hash of one v3 document (the `hash` query value and the ETag, unquoted) */
export function openapiV3Hash(gv: string): string | undefined {
  return servedV3().get(gv.replace(/^\/+|\/+$/g, ''))?.hash;
}
