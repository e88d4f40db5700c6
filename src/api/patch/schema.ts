// Patch metadata per field (strategy and merge key), resolved from the swagger definitions by
// following $refs from a root definition. This stands in for the Go struct tags
// (patchStrategy / patchMergeKey) that upstream's server-side strategic merge patch reads.
import { loadSwaggerDocument, type SwaggerSchema } from './swagger.js';

const DEFINITION_PREFIX = '#/definitions/';

/** what strategic merge patch needs to know about one field */
export interface FieldPatchMeta {
  /** the schema of the field's value (for a list: of its elements) */
  schema: PatchSchema;
  /** e.g. ['merge'], ['merge', 'retainKeys'], [] */
  strategies: string[];
  mergeKey: string;
}

export type PatchSchemaNode =
  | { kind: 'object'; definition: string }
  | { kind: 'map'; value: SwaggerSchema | undefined }
  | { kind: 'unknown' };

const metaCache = new Map<string, Map<string, FieldPatchMeta>>();

export class PatchSchema {
  /** use forDefinition / unknown */
  constructor(private readonly node: PatchSchemaNode) {}

  /** the schema rooted at a swagger definition, e.g. io.k8s.api.apps.v1.DaemonSet */
  static forDefinition(definition: string): PatchSchema {
    const defs = loadSwaggerDocument().definitions;
    if (!defs[definition]) throw new Error(`unknown swagger definition ${definition}`);
    return new PatchSchema({ kind: 'object', definition });
  }

  /** a schema that knows nothing: maps merge, lists replace */
  static unknown(): PatchSchema {
    return UNKNOWN;
  }

  /** the name upstream's messages use for a struct-backed schema */
  get name(): string {
    return 'struct';
  }

  /** metadata for key; an unknown key gets an unknown schema and no strategy */
  lookup(key: string): FieldPatchMeta {
    const node = this.node;
    if (node.kind === 'map') return { schema: PatchSchema.fromSchema(node.value), strategies: [], mergeKey: '' };
    if (node.kind === 'unknown') return UNKNOWN_FIELD;
    let fields = metaCache.get(node.definition);
    if (!fields) {
      fields = new Map();
      metaCache.set(node.definition, fields);
    }
    let meta = fields.get(key);
    if (!meta) {
      const prop = loadSwaggerDocument().definitions[node.definition]?.properties?.[key];
      meta = prop ? PatchSchema.fieldMeta(prop) : UNKNOWN_FIELD;
      fields.set(key, meta);
    }
    return meta;
  }

  private static fieldMeta(prop: SwaggerSchema): FieldPatchMeta {
    const strategy = prop['x-kubernetes-patch-strategy'];
    const strategies = strategy ? strategy.split(',') : [];
    const mergeKey = prop['x-kubernetes-patch-merge-key'] ?? '';
    const valueSchema = prop.type === 'array' ? prop.items : prop;
    return { schema: PatchSchema.fromSchema(valueSchema), strategies, mergeKey };
  }

  private static fromSchema(s: SwaggerSchema | undefined): PatchSchema {
    if (!s) return UNKNOWN;
    if (typeof s.$ref === 'string' && s.$ref.startsWith(DEFINITION_PREFIX)) {
      const name = s.$ref.slice(DEFINITION_PREFIX.length);
      const def = loadSwaggerDocument().definitions[name];
      if (!def) return UNKNOWN;
      if (def.properties) return new PatchSchema({ kind: 'object', definition: name });
      return PatchSchema.fromSchema({ ...def, $ref: undefined });
    }
    if (s.properties) return UNKNOWN; // inline object schemas do not occur in the k8s swagger
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return new PatchSchema({ kind: 'map', value: s.additionalProperties });
    }
    return UNKNOWN;
  }
}

const UNKNOWN = new PatchSchema({ kind: 'unknown' });
const UNKNOWN_FIELD: FieldPatchMeta = { schema: UNKNOWN, strategies: [], mergeKey: '' };
