// Custom resources in the OpenAPI documents, as the apiextensions-apiserver's openapi
// controller publishes them (pkg/controller/openapi/builder): a definition per served
// version (named with the group reversed, with x-kubernetes-group-version-kind), its List, and
// the REST paths with the same parameters built-in resources have. Paths are derived from the
// upstream swagger's apps/v1 Deployment paths (which have status and scale), renamed. The v2
// schema is the structural schema made v2-safe (no anyOf/oneOf/allOf/not, nullable and
// int-or-string untyped); v3 documents keep the CRD's schema as written.

import type { ResourceInfo, ResourceTable } from '../api/resources.js';
import { groupVersion } from '../api/resources.js';
import type { Json, JsonObject, Swagger } from '../api/openapi/swagger.js';
import { contentHash, gvPrefix, openapiV2Document, openapiV2ETag, openapiV2Json } from '../api/openapi/v2.js';
import { buildV3Document, convertSchema, openapiV3Document, openapiV3Index } from '../api/openapi/v3.js';
import { encodeGnostic, openapiV2Protobuf } from '../api/openapi/gnostic.js';
import type { Schema } from './schema.js';

const TEMPLATE_PREFIX = '/apis/apps/v1';
const TEMPLATE_DEF = 'io.k8s.api.apps.v1.Deployment';
const OBJECT_META = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

function camel(group: string): string {
  return group
    .split(/[.-]/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}

function gvk(info: ResourceInfo, kind: string): JsonObject {
  return { group: info.group, kind, version: info.version };
}

/** a structural schema as OpenAPI v2 can say it (kube-openapi ToStructuralOpenAPIV2) */
export function toV2(s: Schema): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(s)) {
    if (['anyOf', 'oneOf', 'allOf', 'not', 'nullable', 'x-kubernetes-validations'].includes(k) || v === undefined) continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, x]) => [p, toV2(x)]));
    else if ((k === 'items' || k === 'additionalProperties') && typeof v === 'object') out[k] = toV2(v as Schema);
    else out[k] = v as Json;
  }
  // kubectl's v2 validation cannot express these: leave them untyped
  if (s.nullable || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields']) {
    delete out.type;
    if (s.nullable || s['x-kubernetes-preserve-unknown-fields']) {
      delete out.items;
      delete out.properties;
      delete out.additionalProperties;
    }
  }
  return out;
}

function rootDefinition(info: ResourceInfo, schema: JsonObject, swagger: Swagger): JsonObject {
  const template = swagger.definitions[TEMPLATE_DEF]?.properties as JsonObject | undefined;
  const props = { ...((schema.properties as JsonObject) ?? {}) };
  delete props.metadata;
  const def: JsonObject = {
    ...schema,
    type: 'object',
    properties: {
      ...props,
      apiVersion: (template?.apiVersion as Json) ?? { type: 'string' },
      kind: (template?.kind as Json) ?? { type: 'string' },
      metadata: { $ref: OBJECT_META, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    },
    'x-kubernetes-group-version-kind': [gvk(info, info.kind)],
  };
  return def;
}

function listDefinition(info: ResourceInfo, def: string, swagger: Swagger): JsonObject {
  const template = swagger.definitions[`${TEMPLATE_DEF}List`]?.properties as JsonObject | undefined;
  return {
    description: `${info.listKind} is a list of ${info.kind}`,
    properties: {
      apiVersion: (template?.apiVersion as Json) ?? { type: 'string' },
      items: {
        description: `List of ${info.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: { $ref: `#/definitions/${def}` },
        type: 'array',
      },
      kind: (template?.kind as Json) ?? { type: 'string' },
      metadata: { $ref: LIST_META, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    required: ['items'],
    type: 'object',
    'x-kubernetes-group-version-kind': [gvk(info, info.listKind)],
  };
}

/** the template's paths renamed for one custom resource */
function resourcePaths(info: ResourceInfo, swagger: Swagger): [string, JsonObject][] {
  const def = info.definition;
  const subs = new Set(info.subresources ?? []);
  const out = new Map<string, JsonObject>();
  for (const [path, item] of Object.entries(swagger.paths)) {
    if (!path.startsWith(`${TEMPLATE_PREFIX}/`) || !/deployments/.test(path)) continue;
    const sub = /\/deployments\/\{name\}\/(\w+)$/.exec(path)?.[1];
    if (sub && !subs.has(sub)) continue;
    let p = path.replace(TEMPLATE_PREFIX, gvPrefix(info)).replace('deployments', info.plural);
    if (!info.namespaced) {
      if (!p.includes('/namespaces/{namespace}')) continue; // the all-namespaces list is the list itself
      p = p.replace('/namespaces/{namespace}', '');
    }
    let text = JSON.stringify(item)
      .replaceAll(`#/definitions/${TEMPLATE_DEF}List`, `#/definitions/${def}List`)
      .replaceAll(`#/definitions/${TEMPLATE_DEF}`, `#/definitions/${def}`)
      .replaceAll('"group":"apps"', `"group":${JSON.stringify(info.group)}`)
      .replaceAll('"kind":"Deployment"', `"kind":${JSON.stringify(info.kind)}`)
      .replaceAll('"kind":"DeploymentList"', `"kind":${JSON.stringify(info.listKind)}`)
      .replaceAll('"apps_v1"', JSON.stringify(`${camel(info.group).replace(/^./, (c) => c.toLowerCase())}_${info.version}`))
      .replaceAll('AppsV1', `${camel(info.group)}${camel(info.version)}`)
      .replaceAll('DeploymentForAllNamespaces', `${info.kind}ForAllNamespaces`)
      .replaceAll('Deployments', info.kind)
      .replaceAll('Deployment', info.kind)
      .replaceAll('deployments', info.plural)
      .replaceAll('"application/strategic-merge-patch+json",', '');
    if (!info.namespaced) text = text.replaceAll('Namespaced', '');
    const obj = JSON.parse(text) as JsonObject;
    if (!info.namespaced) {
      const dropNs = (params: Json | undefined) => (Array.isArray(params) ? params.filter((x) => !JSON.stringify(x).includes('namespace-')) : params);
      obj.parameters = dropNs(obj.parameters) as Json;
      for (const op of Object.values(obj)) if (op && typeof op === 'object' && !Array.isArray(op) && 'parameters' in op) (op as JsonObject).parameters = dropNs((op as JsonObject).parameters) as Json;
    }
    out.set(p, obj);
  }
  return [...out];
}

/** the v2 swagger with custom resources added (paths, definitions) */
export function withCustomResources(base: Swagger, custom: ResourceInfo[]): Swagger {
  const paths: Record<string, JsonObject> = { ...base.paths };
  const definitions: Record<string, JsonObject> = { ...base.definitions };
  for (const info of custom) {
    const schema = toV2((info.custom?.schema as Schema | undefined) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    definitions[info.definition] = rootDefinition(info, schema, base);
    definitions[`${info.definition}List`] = listDefinition(info, info.definition, base);
    for (const [p, item] of resourcePaths(info, base)) paths[p] = item;
    const prefix = `${gvPrefix(info)}/`;
    paths[prefix] ??= JSON.parse(JSON.stringify(base.paths[`${TEMPLATE_PREFIX}/`] ?? {}).replaceAll('AppsV1', `${camel(info.group)}${camel(info.version)}`).replaceAll('"apps_v1"', JSON.stringify(`${info.group}_${info.version}`)));
    paths[`/apis/${info.group}/`] ??= JSON.parse(JSON.stringify(base.paths['/apis/apps/'] ?? {}).replaceAll('Apps', camel(info.group)).replaceAll('"apps"', JSON.stringify(info.group)));
  }
  const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...base, paths: sorted(paths), definitions: sorted(definitions) };
}

/** v3: the CRD's own schema (nullable, anyOf, CEL rules kept) replaces the v2-safe one */
export function v3Schemas(custom: ResourceInfo[], swagger: Swagger): Map<string, { gv: string; name: string; schema: JsonObject }> {
  const out = new Map<string, { gv: string; name: string; schema: JsonObject }>();
  for (const info of custom) {
    const schema = (info.custom?.schema as JsonObject | undefined) ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const root = rootDefinition(info, schema, swagger);
    out.set(info.definition, { gv: `apis/${groupVersion(info)}`, name: info.definition, schema: convertSchema(root) });
  }
  return out;
}

export interface OpenAPIDocuments {
  v2Json(): Buffer;
  v2ETag(): string;
  v2Protobuf(): Buffer;
  v3Index(): { paths: Record<string, { serverRelativeURL: string }> };
  v3Document(gv: string): Buffer | undefined;
}

/** the documents a server publishes: the built-in ones, plus its custom resources when it has any */
export function openapiDocuments(resources: ResourceTable): OpenAPIDocuments {
  let cached: { generation: number; docs: OpenAPIDocuments } | undefined;
  const current = (): OpenAPIDocuments => {
    if (cached?.generation !== resources.generation) cached = { generation: resources.generation, docs: build(resources.all().filter((r) => r.custom)) };
    return cached.docs;
  };
  return {
    v2Json: () => current().v2Json(),
    v2ETag: () => current().v2ETag(),
    v2Protobuf: () => current().v2Protobuf(),
    v3Index: () => current().v3Index(),
    v3Document: (gv) => current().v3Document(gv),
  };
}

function build(custom: ResourceInfo[]): OpenAPIDocuments {
  if (!custom.length) {
    return { v2Json: openapiV2Json, v2ETag: openapiV2ETag, v2Protobuf: openapiV2Protobuf, v3Index: openapiV3Index, v3Document: openapiV3Document };
  }
  const base = openapiV2Document();
  const doc = withCustomResources(base, custom);
  const json = Buffer.from(JSON.stringify(doc));
  const etag = `"${contentHash(json)}"`;
  let proto: Buffer | undefined;
  const schemas = v3Schemas(custom, base);
  const v3 = new Map<string, { json: Buffer; hash: string }>();
  for (const gv of new Set([...schemas.values()].map((s) => s.gv))) {
    const d = buildV3Document(doc, gv);
    if (!d) continue;
    const components = (d.components as JsonObject).schemas as JsonObject;
    for (const s of schemas.values()) if (s.gv === gv) components[s.name] = s.schema;
    const body = Buffer.from(JSON.stringify(d));
    v3.set(gv, { json: body, hash: contentHash(body) });
  }
  return {
    v2Json: () => json,
    v2ETag: () => etag,
    v2Protobuf: () => (proto ??= encodeGnostic(doc)),
    v3Index() {
      const index = openapiV3Index();
      const paths = { ...index.paths };
      for (const [gv, { hash }] of v3) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
      return { paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => (a < b ? -1 : 1))) };
    },
    v3Document: (gv) => v3.get(gv.replace(/^\/+|\/+$/g, ''))?.json ?? openapiV3Document(gv),
  };
}
