// Column descriptions. Upstream takes most of them from the API types' SwaggerDoc(), the
// same text as the OpenAPI document's field descriptions; we read them from swagger.json
// at run time (never copied into code) and fall back to a short text when it is absent.

import { loadSwagger } from '../openapi/swagger.js';

type Definitions = Record<string, { properties?: Record<string, { description?: string }> }>;

let definitions: Definitions | null | undefined;

/** the swagger's definitions (one shared, cached load), or null when the document is absent */
function loadDefinitions(): Definitions | null {
  if (definitions !== undefined) return definitions;
  try {
    definitions = loadSwagger().definitions as unknown as Definitions;
  } catch {
    definitions = null;
  }
  return definitions;
}

/** the OpenAPI description of `field` in `definition` (short names: 'core.v1.PodStatus'), or the fallback */
export function fieldDescription(definition: string, field: string, fallback: string): string {
  const defs = loadDefinitions();
  const full = definition.startsWith('io.k8s.') ? definition : expand(definition);
  return defs?.[full]?.properties?.[field]?.description ?? fallback;
}

function expand(short: string): string {
  return short.startsWith('meta.') ? `io.k8s.apimachinery.pkg.apis.${short}` : `io.k8s.api.${short}`;
}

/** true when swagger.json was found (tests use it to know which text to expect) */
export function swaggerAvailable(): boolean {
  return loadDefinitions() !== null;
}
