// Installing CustomResourceDefinitions for a test suite, as envtest's CRDInstallOptions do:
// CRDs from files, folders (every .yaml, .yml and .json in them) or objects are created (or
// updated when they exist), then the call waits until every served version is in discovery.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { ApiClient, KubeObject } from '../client/types.js';
import type { ResourceTable } from '../api/resources.js';
import { ApiError } from '../api/errors.js';
import { CRD_RESOURCE } from './controller.js';

/** a CRD: a path to a manifest or a folder of manifests, or the object itself */
export type CRDSource = string | CustomResourceDefinition | Record<string, unknown>;

export interface InstallCRDsOptions {
  /** how long to wait for every CRD to be served (envtest's MaxTime; default 10 s) */
  timeoutMs?: number;
}

const MANIFEST = new Set(['.yaml', '.yml', '.json']);

function manifestFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`CRD path ${path} does not exist: give a manifest file or a folder of them`);
  }
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => MANIFEST.has(extname(f)))
    .sort()
    .map((f) => join(path, f));
}

/** the CustomResourceDefinitions in the sources (other kinds in the manifests are skipped, as envtest does) */
export function readCRDs(sources: CRDSource[]): CustomResourceDefinition[] {
  const out: CustomResourceDefinition[] = [];
  for (const src of sources) {
    if (typeof src !== 'string') {
      out.push(src as CustomResourceDefinition);
      continue;
    }
    for (const file of manifestFiles(src)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'), { version: '1.1' })) {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
        const obj = doc.toJS() as KubeObject | null;
        if (obj?.kind === 'CustomResourceDefinition') out.push(obj as unknown as CustomResourceDefinition);
      }
    }
  }
  return out;
}

/** create or update each CRD, then wait until all of their served versions are served */
export async function installCRDs(client: ApiClient & { resources: ResourceTable }, sources: CRDSource[], o: InstallCRDsOptions = {}): Promise<CustomResourceDefinition[]> {
  const crds = readCRDs(sources);
  for (const crd of crds) {
    const body = structuredClone(crd) as unknown as KubeObject;
    try {
      await client.create(CRD_RESOURCE, undefined, body);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      const current = await client.get(CRD_RESOURCE, undefined, body.metadata.name ?? '');
      await client.update(CRD_RESOURCE, undefined, { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } });
    }
  }
  const served = () =>
    crds.every((crd) => crd.spec.versions.filter((v) => v.served).every((v) => client.resources.lookup(crd.spec.group, v.name, crd.spec.names.plural)));
  if (served()) return crds;
  const timeoutMs = o.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      const missing = crds.filter((crd) => !client.resources.lookup(crd.spec.group, crd.spec.versions.find((v) => v.served)?.name ?? '', crd.spec.names.plural));
      reject(new Error(`CustomResourceDefinitions not served after ${timeoutMs} ms: ${missing.map((c) => c.metadata?.name).join(', ')} (kubectl get crd <name> -o yaml shows their conditions)`));
    }, timeoutMs);
    const stop = client.resources.onChange(() => {
      if (!served()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
  return crds;
}
