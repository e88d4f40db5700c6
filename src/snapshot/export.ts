// Read a live cluster (any conformant API server) into a snapshot: one YAML List of what
// matters for placement and rollouts (SNAPSHOT_KINDS), paged as client-go's pager does.
// Secrets and ConfigMaps are never read.

import { stringify } from 'yaml';
import type { KubeObject } from '../client/types.js';
import { parseAnswer, type RemoteServer } from '../cluster/remote.js';
import { SNAPSHOT_KINDS, type SnapshotKind } from './kinds.js';

const PAGE = 500;

export interface ExportResult {
  /** the snapshot file's text */
  text: string;
  counts: Record<string, number>;
  /** kinds the server does not serve (e.g. no StatefulSets), left out */
  notServed: string[];
}

/** server-set fields a new cluster sets again; the uid stays, owners are relinked by it */
function clean(obj: KubeObject, k: SnapshotKind): KubeObject {
  const { managedFields: _m, resourceVersion: _r, selfLink: _s, ...meta } = obj.metadata as KubeObject['metadata'] & { selfLink?: string };
  if (meta.annotations) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...rest } = meta.annotations;
    meta.annotations = Object.keys(rest).length ? rest : undefined;
    if (!meta.annotations) delete meta.annotations;
  }
  return { apiVersion: k.apiVersion, kind: k.kind, ...obj, metadata: meta } as KubeObject;
}

async function listAll(server: RemoteServer, k: SnapshotKind): Promise<KubeObject[] | undefined> {
  const items: KubeObject[] = [];
  let cont = '';
  do {
    const path = `${k.path}?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
    const r = await server.request('GET', path);
    if (r.status === 404) return undefined;
    const list = parseAnswer<{ items: KubeObject[]; metadata?: { continue?: string } }>(r, path);
    for (const o of list.items ?? []) items.push(clean(o, k));
    cont = list.metadata?.continue ?? '';
  } while (cont);
  return items;
}

export async function exportSnapshot(server: RemoteServer, now = new Date()): Promise<ExportResult> {
  const counts: Record<string, number> = {};
  const notServed: string[] = [];
  const items: KubeObject[] = [];
  for (const k of SNAPSHOT_KINDS) {
    const got = await listAll(server, k);
    if (!got) {
      notServed.push(k.kind);
      continue;
    }
    counts[k.kind] = got.length;
    items.push(...got);
  }
  const what = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const header = `# kindling snapshot of ${server.server} (context ${server.context}) at ${now.toISOString()}: ${what}\n`;
  // sigs.k8s.io/yaml style (kubectl -o yaml): YAML 1.1 quoting, sequences not indented
  const text = header + stringify({ apiVersion: 'v1', kind: 'List', items }, { version: '1.1', indentSeq: false, lineWidth: 0 });
  return { text, counts, notServed };
}
