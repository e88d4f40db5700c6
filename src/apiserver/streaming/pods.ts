// What the pod streaming subresources (log, exec, attach) share: path parsing and upstream's
// container selection (pkg/registry/core/pod/strategy.go).

import type { Pod } from 'kubernetes-types/core/v1.js';
import { badRequest } from '../../api/errors.js';
import { R, type ApiClient, type KubeObject } from '../../client/types.js';

export interface PodSubresourcePath {
  namespace: string;
  pod: string;
  subresource: string;
}

/** /api/v1/namespaces/<ns>/pods/<name>/<sub>, else undefined */
export function parsePodSubresource(pathname: string): PodSubresourcePath | undefined {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (parts.length !== 7 || parts[0] !== 'api' || parts[1] !== 'v1' || parts[2] !== 'namespaces' || parts[4] !== 'pods') return undefined;
  try {
    return { namespace: decodeURIComponent(parts[3]), pod: decodeURIComponent(parts[5]), subresource: decodeURIComponent(parts[6]) };
  } catch {
    return undefined;
  }
}

export async function getPod(client: ApiClient, namespace: string, name: string): Promise<Pod & KubeObject> {
  return client.get<Pod & KubeObject>(R.pods, namespace, name);
}

const names = (cs: { name: string }[] | undefined) => (cs ?? []).map((c) => c.name).join(' ');

/** upstream's container choice: the only container by default, else a 400 naming the choices */
export function chooseContainer(pod: Pod, requested: string | undefined | null): string {
  const name = pod.metadata?.name ?? '';
  const spec = pod.spec;
  if (!requested) {
    const containers = spec?.containers ?? [];
    if (containers.length === 1) return containers[0].name;
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${names(containers)}]`;
    if (spec?.initContainers?.length) msg += ` or one of the init containers: [${names(spec.initContainers)}]`;
    throw badRequest(msg);
  }
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []), ...(spec?.ephemeralContainers ?? [])];
  if (!all.some((c) => c.name === requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}
