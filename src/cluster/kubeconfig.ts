// kubeconfig files the way kind writes them: entries named kind-<cluster> (cluster, user,
// context), merged into an existing file (same-name entries replaced, others kept), current
// context set; KUBECONFIG with several paths picks the file kubectl would merge into.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { parse, stringify } from 'yaml';

export interface NamedEntry {
  name: string;
  [k: string]: unknown;
}

export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  preferences?: unknown;
  clusters?: NamedEntry[];
  users?: NamedEntry[];
  contexts?: NamedEntry[];
  'current-context'?: string;
  [k: string]: unknown;
}

/** kind's context, cluster and user name for a cluster */
export function kindContextName(cluster: string): string {
  return `kind-${cluster}`;
}

export interface KubeconfigOptions {
  cluster: string;
  server: string;
  /** PEM; omitted for --insecure-http */
  caCert?: string;
  token?: string;
}

export function buildKubeconfig(o: KubeconfigOptions): Kubeconfig {
  const key = kindContextName(o.cluster);
  const cluster: Record<string, unknown> = { server: o.server };
  if (o.caCert) cluster['certificate-authority-data'] = Buffer.from(o.caCert).toString('base64');
  else if (o.server.startsWith('https:')) cluster['insecure-skip-tls-verify'] = true;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: key, cluster }],
    users: [{ name: key, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name: key, context: { cluster: key, user: key } }],
    'current-context': key,
  };
}

export function kubeconfigToYaml(cfg: Kubeconfig): string {
  // kubectl's own order of top-level keys
  const ordered: Kubeconfig = {
    apiVersion: cfg.apiVersion ?? 'v1',
    clusters: cfg.clusters ?? [],
    contexts: cfg.contexts ?? [],
    'current-context': cfg['current-context'] ?? '',
    kind: cfg.kind ?? 'Config',
    preferences: cfg.preferences ?? {},
    users: cfg.users ?? [],
  };
  for (const [k, v] of Object.entries(cfg)) if (!(k in ordered)) ordered[k] = v;
  // sigs.k8s.io/yaml (kind, kubectl) sorts keys and does not indent sequences under their key
  return stringify(ordered, { version: '1.1', sortMapEntries: true, indentSeq: false });
}

type Env = Record<string, string | undefined>;

/** the files kubectl reads: --kubeconfig alone, else KUBECONFIG's list, else ~/.kube/config */
export function kubeconfigPaths(explicitPath?: string, env: Env = process.env): string[] {
  if (explicitPath) return [explicitPath];
  const list = [...new Set((env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== ''))];
  if (list.length) return list;
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** where kind writes: the only path, else the first that exists, else the last */
export function pathForMerge(explicitPath?: string, env: Env = process.env): string {
  const paths = kubeconfigPaths(explicitPath, env);
  if (paths.length === 1) return paths[0];
  return paths.find(isFile) ?? paths[paths.length - 1];
}

export function readKubeconfig(path: string): Kubeconfig {
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') return {};
  const doc = parse(text, { version: '1.1' }) as Kubeconfig | null;
  if (doc === null || typeof doc !== 'object') throw new Error(`failed to read kubeconfig ${path}: not a YAML mapping`);
  return doc;
}

/** kubectl's current context: the first current-context set in the files it reads */
export function currentContext(explicitPath?: string, env: Env = process.env): string | undefined {
  for (const p of kubeconfigPaths(explicitPath, env)) {
    const ctx = readKubeconfig(p)['current-context'];
    if (ctx) return ctx;
  }
  return undefined;
}

function upsert(list: NamedEntry[] | undefined, entry: NamedEntry): NamedEntry[] {
  const out = [...(list ?? [])];
  const i = out.findIndex((e) => e.name === entry.name);
  if (i >= 0) out[i] = entry;
  else out.push(entry);
  return out;
}

/** kind's merge: replace same-name cluster/user/context, append new ones, set current-context */
export function mergeKubeconfig(existing: Kubeconfig, kind: Kubeconfig): Kubeconfig {
  const out: Kubeconfig = { ...existing };
  out.apiVersion = existing.apiVersion ?? kind.apiVersion ?? 'v1';
  out.kind = existing.kind ?? kind.kind ?? 'Config';
  if (out.preferences === undefined) out.preferences = kind.preferences ?? {};
  out.clusters = upsert(existing.clusters, kind.clusters![0]);
  out.users = upsert(existing.users, kind.users![0]);
  out.contexts = upsert(existing.contexts, kind.contexts![0]);
  out['current-context'] = kind['current-context'];
  return out;
}

/** drop kind-<cluster> entries; clears current-context if it was that one. Returns whether anything changed. */
export function removeFromKubeconfig(cfg: Kubeconfig, cluster: string): boolean {
  const key = kindContextName(cluster);
  let changed = false;
  for (const field of ['clusters', 'users', 'contexts'] as const) {
    const list = cfg[field];
    if (!list) continue;
    const kept = list.filter((e) => e.name !== key);
    if (kept.length !== list.length) changed = true;
    cfg[field] = kept;
  }
  if (cfg['current-context'] === key) {
    cfg['current-context'] = '';
    changed = true;
  }
  return changed;
}

function writeFile0600(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, text, { mode: 0o600 });
}

/** merge the cluster's entries into the file kubectl would use; returns that file's path */
export function writeMergedKubeconfig(kind: Kubeconfig, explicitPath?: string, env: Env = process.env): string {
  const path = pathForMerge(explicitPath, env);
  writeFile0600(path, kubeconfigToYaml(mergeKubeconfig(readKubeconfig(path), kind)));
  return path;
}

/** remove the cluster's entries from every file kubectl reads */
export function removeKindFromKubeconfigs(cluster: string, explicitPath?: string, env: Env = process.env): void {
  for (const path of kubeconfigPaths(explicitPath, env)) {
    if (!existsSync(path)) continue;
    const cfg = readKubeconfig(path);
    if (removeFromKubeconfig(cfg, cluster)) writeFile0600(path, kubeconfigToYaml(cfg));
  }
}
