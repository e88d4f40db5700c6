// Column descriptions. Upstream takes most of them from the API types' SwaggerDoc(), the
// same text as the OpenAPI document's field descriptions; we read them from swagger.json
// at run time (never copied into code) and fall back to a short text when it is absent.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Definitions = Record<string, { properties?: Record<string, { description?: string }> }>;

let definitions: Definitions | null | undefined;

/** where swagger.json may be: $KINDLING_SWAGGER, else a k8s-openapi folder next to an ancestor */
function findSwagger(): string | undefined {
  const fromEnv = process.env.KINDLING_SWAGGER;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    for (const candidate of [join(dir, 'k8s-openapi', 'swagger.json'), join(dir, 'shared', 'k8s-openapi', 'swagger.json')]) {
      if (existsSync(candidate)) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function loadDefinitions(): Definitions | null {
  if (definitions !== undefined) return definitions;
  definitions = null;
  const path = findSwagger();
  if (path) {
    try {
      definitions = (JSON.parse(readFileSync(path, 'utf8')) as { definitions?: Definitions }).definitions ?? null;
    } catch {
      definitions = null;
    }
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
