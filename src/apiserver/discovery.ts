// Legacy discovery documents (/api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>),
// built from the server's resource table (built-ins and custom resources). kubectl learns
// short names, kinds and verbs only here.

import type { ResourceInfo, ResourceTable } from '../api/resources.js';

/** extra group versions served outside the registry (metrics) */
export interface ExtraGroup {
  group: string;
  version: string;
  resources: { name: string; singularName: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

function resourceEntries(infos: ResourceInfo[]): unknown[] {
  const out: unknown[] = [];
  for (const info of infos) {
    const entry: Record<string, unknown> = {
      name: info.plural,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: info.verbs,
    };
    if (info.shortNames) entry.shortNames = info.shortNames;
    if (info.categories) entry.categories = info.categories;
    // storageVersionHash is optional; omit
    out.push(entry);
    for (const sub of info.subresources ?? []) {
      const subKind: Record<string, [string, string[], string?]> = {
        status: [info.kind, ['get', 'patch', 'update']],
        scale: ['Scale', ['get', 'patch', 'update'], 'autoscaling'],
        binding: ['Binding', ['create']],
        eviction: ['Eviction', ['create'], 'policy'],
        log: ['Pod', ['get']],
        exec: ['PodExecOptions', ['create', 'get']],
        attach: ['PodAttachOptions', ['create', 'get']],
        portforward: ['PodPortForwardOptions', ['create', 'get']],
        proxy: [`${info.kind}ProxyOptions`, ['create', 'delete', 'get', 'patch', 'update']],
        ephemeralcontainers: [info.kind, ['get', 'patch', 'update']],
        finalize: [info.kind, ['update']],
        approval: [info.kind, ['get', 'patch', 'update']],
      };
      const [kind, verbs, group] = subKind[sub] ?? [info.kind, ['get']];
      const e: Record<string, unknown> = { name: `${info.plural}/${sub}`, singularName: '', namespaced: info.namespaced, kind, verbs };
      if (group) {
        e.group = group;
        e.version = group === 'autoscaling' ? 'v1' : 'v1';
      }
      out.push(e);
    }
  }
  return out;
}

export function apiVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(extra: ExtraGroup[], resources: ResourceTable): unknown {
  const groups = new Map<string, string[]>();
  for (const gv of resources.groupVersions()) {
    if (!gv.group) continue;
    const list = groups.get(gv.group) ?? [];
    list.push(gv.version);
    groups.set(gv.group, list);
  }
  for (const e of extra) groups.set(e.group, [...(groups.get(e.group) ?? []), e.version]);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups.entries()].map(([name, versions]) => apiGroupEntry(name, versions)),
  };
}

/** version.CompareKubeAwareVersionStrings: GA before beta before alpha, higher numbers first */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [Number(m[1]), m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, Number(m[3] ?? 0)] as const;
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa[1] !== pb[1]) return pb[1] - pa[1];
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  return pb[2] - pa[2];
}

function apiGroupEntry(name: string, unsorted: string[]): unknown {
  const versions = [...unsorted].sort(compareKubeVersions);
  return {
    name,
    versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
  };
}

export function apiGroup(group: string, extra: ExtraGroup[], resources: ResourceTable): unknown | undefined {
  const versions = [
    ...new Set([
      ...resources.groupVersions().filter((gv) => gv.group === group).map((gv) => gv.version),
      ...extra.filter((e) => e.group === group).map((e) => e.version),
    ]),
  ];
  if (!versions.length) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroupEntry(group, versions) as object) };
}

export function apiResourceList(group: string, version: string, extra: ExtraGroup[], resources: ResourceTable): unknown | undefined {
  const infos = resources.all().filter((r) => r.group === group && r.version === version);
  const ex = extra.find((e) => e.group === group && e.version === version);
  if (!infos.length && !ex) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: [...resourceEntries(infos), ...(ex?.resources ?? [])],
  };
}
