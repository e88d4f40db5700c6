// The scale subresource (autoscaling/v1 Scale) of deployments and replicasets, as
// pkg/registry/apps/{deployment,replicaset}/storage ScaleREST: GET reads spec.replicas,
// status.replicas and the selector; PUT and PATCH change only spec.replicas of the parent
// (a Scale's resourceVersion is the parent's, and a precondition when given).

import type { ApiClient, KubeObject, PatchType, ResourceRef, WriteOptions } from '../client/types.js';
import { ApiError, conflict, fieldErrors, invalid, methodNotSupported, notFound, OPTIMISTIC_LOCK_MESSAGE } from '../api/errors.js';
import { resourceFor, type ResourceInfo } from '../api/resources.js';
import { getPath, setPath } from '../apiextensions/jsonpath.js';
import { applyJsonPatch, applyMergePatch } from '../api/patch/index.js';

const SCALABLE = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController']);
const MAX_RETRIES = 10;

type Obj = KubeObject & { spec?: Record<string, any>; status?: Record<string, any> };

export interface ScaleObject extends KubeObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

/** a client that can tell what a resource is (the registry, with its custom resources) */
type Resolving = ApiClient & { info?(res: ResourceRef): ResourceInfo };

function infoOf(client: Resolving, res: ResourceRef): ResourceInfo | undefined {
  try {
    return client.info ? client.info(res) : resourceFor(res.group, res.version, res.plural);
  } catch {
    return undefined;
  }
}

/** does this resource have a scale subresource? */
export function hasScale(res: ResourceRef, client?: Resolving): boolean {
  const info = client ? infoOf(client, res) : resourceFor(res.group, res.version, res.plural);
  return !!info && (SCALABLE.has(info.kind) || !!info.custom?.scale);
}

/** where a resource keeps replicas and its selector: the built-ins' fields or a CRD's paths */
function scalePaths(info: ResourceInfo | undefined): { spec: string; status: string; selector?: string } {
  const custom = info?.custom?.scale;
  if (custom) return { spec: custom.specReplicasPath, status: custom.statusReplicasPath, selector: custom.labelSelectorPath };
  return { spec: '.spec.replicas', status: '.status.replicas' };
}

function gr(res: ResourceRef) {
  return { group: res.group, resource: res.plural };
}

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key */
export function selectorString(sel: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined): string {
  if (!sel) return '';
  const reqs: { key: string; s: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, s: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, s: `${e.key} in (${vals})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, s: `${e.key} notin (${vals})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, s: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, s: `!${e.key}` });
        break;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.s).join(',');
}

/** scaleFromDeployment / scaleFromReplicaSet; a custom resource's from its CRD's scale paths */
export function toScale(obj: Obj, info?: ResourceInfo): ScaleObject {
  const paths = scalePaths(info);
  const replicas = (path: string) => {
    const v = getPath(obj, path);
    return typeof v === 'number' ? v : 0;
  };
  const status: ScaleObject['status'] = { replicas: replicas(paths.status) };
  // a custom resource's labelSelectorPath holds the selector as a string already
  const selector = info?.custom ? (paths.selector ? String(getPath(obj, paths.selector) ?? '') : '') : selectorString(obj.spec?.selector);
  if (selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: replicas(paths.spec) },
    status,
  };
}

function check(client: Resolving, res: ResourceRef, verb: string): ResourceInfo | undefined {
  if (!hasScale(res, client)) throw methodNotSupported(gr(res), verb);
  return infoOf(client, res);
}

export async function getScale(client: ApiClient, res: ResourceRef, namespace: string | undefined, name: string): Promise<ScaleObject> {
  const info = check(client, res, 'get');
  return toScale(await client.get<Obj>(res, namespace, name), info);
}

/** apply the new scale to the parent; `next` computes it from the current scale */
async function writeScale(
  client: ApiClient,
  res: ResourceRef,
  namespace: string | undefined,
  name: string,
  next: (current: ScaleObject) => unknown,
  opts: WriteOptions | undefined,
): Promise<ScaleObject> {
  const info = infoOf(client, res);
  for (let attempt = 0; ; attempt++) {
    const parent = await client.get<Obj>(res, namespace, name);
    const current = toScale(parent, info);
    const scale = next(current) as ScaleObject;
    if (!scale || typeof scale !== 'object' || Array.isArray(scale)) throw new ApiError(400, 'BadRequest', 'the body of the request is not a valid object');
    const replicas = scale.spec?.replicas;
    const errs = [];
    if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) {
      throw new ApiError(400, 'BadRequest', `json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`);
    }
    if ((replicas ?? 0) < 0) errs.push(fieldErrors.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
    if (errs.length) throw invalid('Scale', 'autoscaling', name, errs);
    if (scale.metadata?.name !== undefined && scale.metadata.name !== name) {
      throw new ApiError(400, 'BadRequest', `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`);
    }
    const precondition = scale.metadata?.resourceVersion;
    if (precondition && precondition !== parent.metadata.resourceVersion) throw conflict(gr(res), name, OPTIMISTIC_LOCK_MESSAGE);
    const updated = structuredClone(parent);
    setPath(updated, scalePaths(info).spec, replicas ?? 0);
    try {
      return toScale(await client.update<Obj>(res, namespace, updated, opts), info);
    } catch (e) {
      // a conflict we did not ask for (the parent changed meanwhile): read again and retry
      if (e instanceof ApiError && e.code === 409 && !precondition && attempt < MAX_RETRIES) continue;
      throw e;
    }
  }
}

export async function updateScale(
  client: ApiClient,
  res: ResourceRef,
  namespace: string | undefined,
  name: string,
  scale: KubeObject,
  opts?: WriteOptions,
): Promise<ScaleObject> {
  check(client, res, 'update');
  try {
    await client.get(res, namespace, name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) throw notFound(gr(res), name);
    throw e;
  }
  return writeScale(client, res, namespace, name, () => scale, opts);
}

export async function patchScale(
  client: ApiClient,
  res: ResourceRef,
  namespace: string | undefined,
  name: string,
  type: PatchType,
  patch: unknown,
  opts?: WriteOptions,
): Promise<ScaleObject> {
  check(client, res, 'patch');
  return writeScale(
    client,
    res,
    namespace,
    name,
    (current) => {
      // a Scale has no lists with merge keys: a strategic merge patch is a merge patch
      const applied = type === 'json' ? applyJsonPatch<ScaleObject>(current, patch) : applyMergePatch<ScaleObject>(current, patch);
      // the patched resourceVersion only matters if the patch set it
      if (applied.metadata?.resourceVersion === current.metadata.resourceVersion) delete applied.metadata.resourceVersion;
      return applied;
    },
    opts,
  );
}
