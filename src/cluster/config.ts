// kind's Cluster config (kind.x-k8s.io/v1alpha4), read the way kind reads it: strict about
// unknown fields (kind decodes with KnownFields), defaulting like kind, and a warning that
// names every option kind has but kindling does not act on.

import { parseAllDocuments, parse } from 'yaml';
import type { Taint } from 'kubernetes-types/core/v1.js';

export const KIND_API_VERSION = 'kind.x-k8s.io/v1alpha4';
export const DEFAULT_CLUSTER_NAME = 'kind';
export const DEFAULT_KUBERNETES_VERSION = 'v1.32.4';
export const DEFAULT_POD_SUBNET = '10.244.0.0/16';
export const DEFAULT_SERVICE_SUBNET = '10.96.0.0/16';

export type NodeRole = 'control-plane' | 'worker';

export interface NodeSpec {
  role: NodeRole;
  /** Kubernetes version from nodes[].image (kindest/node:vX.Y.Z), if given */
  kubernetesVersion?: string;
  labels: Record<string, string>;
  /** taints from kubeadm nodeRegistration; undefined = kind's default for the role */
  taints?: Taint[];
}

export interface ClusterSpec {
  name: string;
  kubernetesVersion: string;
  /** the node image as kind shows it in "Ensuring node image (...)" */
  image: string;
  podSubnet: string;
  serviceSubnet: string;
  nodes: NodeSpec[];
}

export interface ParseOptions {
  /** --name: wins over the config's name, as in kind */
  name?: string;
  /** the name when neither --name nor the config gives one (kind: $KIND_CLUSTER_NAME, else "kind") */
  defaultName?: string;
  /** --image kindest/node:vX.Y.Z */
  image?: string;
  /** --kubernetes-version vX.Y.Z */
  kubernetesVersion?: string;
  /** --workers N (kindling): without a config, one control-plane and N workers; with one, adds workers */
  workers?: number;
}

export interface ParsedConfig {
  spec: ClusterSpec;
  warnings: string[];
}

/** the config error kind reports (kind wraps these as "ERROR: failed to create cluster: ...") */
export class KindConfigError extends Error {}

const VALID_NAME = /^[a-z0-9.-]+$/;

// Fields of v1alpha4 types; anything else is an error, as in kind's strict decoding.
const CLUSTER_FIELDS = new Set([
  'kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig',
  'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902',
]);
const NODE_FIELDS = new Set([
  'role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902',
]);
const NETWORKING_FIELDS = new Set([
  'ipFamily', 'apiServerPort', 'apiServerAddress', 'podSubnet', 'serviceSubnet', 'disableDefaultCNI', 'kubeProxyMode', 'dnsSearch',
]);

/** Kubernetes version of a kind node image: kindest/node:v1.32.4@sha256:... -> v1.32.4 */
export function versionFromImage(image: string): string {
  const m = /:(v\d+\.\d+\.\d+[^@]*)(@.*)?$/.exec(image);
  if (!m) throw new KindConfigError(`cannot tell the Kubernetes version of node image "${image}" (expected kindest/node:vX.Y.Z)`);
  return m[1];
}

export function normalizeVersion(v: string): string {
  const version = v.startsWith('v') ? v : `v${v}`;
  if (!/^v\d+\.\d+\.\d+/.test(version)) throw new KindConfigError(`invalid Kubernetes version "${v}" (expected vX.Y.Z)`);
  return version;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKnown(obj: Record<string, unknown>, known: Set<string>, type: string): void {
  const unknown = Object.keys(obj).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new KindConfigError(
      `unable to decode config: ${unknown.map((k) => `field ${k} not found in type ${type}`).join(', ')}`,
    );
  }
}

/** parse a kind Cluster config (text may be empty: kind's default, one control-plane node) */
export function parseKindConfig(text: string | undefined, opts: ParseOptions = {}): ParsedConfig {
  const warnings: string[] = [];
  const warn = (what: string) => warnings.push(`kindling does not support ${what}; it is ignored`);
  let raw: Record<string, unknown> = { kind: 'Cluster', apiVersion: KIND_API_VERSION };
  if (text !== undefined && text.trim() !== '') {
    let doc: unknown;
    try {
      doc = parse(text, { version: '1.1' });
    } catch (e) {
      throw new KindConfigError(`could not determine kind / apiVersion for config: ${(e as Error).message}`);
    }
    if (!isObject(doc)) throw new KindConfigError('could not determine kind / apiVersion for config: not a YAML mapping');
    raw = doc;
  }
  if (raw.apiVersion !== KIND_API_VERSION) throw new KindConfigError(`unknown apiVersion: ${String(raw.apiVersion ?? '')}`);
  if (raw.kind !== 'Cluster') throw new KindConfigError(`unknown kind ${String(raw.kind ?? '')} for apiVersion: ${KIND_API_VERSION}`);
  checkKnown(raw, CLUSTER_FIELDS, 'v1alpha4.Cluster');

  const name = opts.name || (typeof raw.name === 'string' && raw.name) || opts.defaultName || DEFAULT_CLUSTER_NAME;
  if (!VALID_NAME.test(name)) {
    throw new KindConfigError(`'${name}' is not a valid cluster name, cluster names must match \`${VALID_NAME.source}\``);
  }

  let kubernetesVersion = DEFAULT_KUBERNETES_VERSION;
  if (opts.image) kubernetesVersion = versionFromImage(opts.image);
  else if (opts.kubernetesVersion) kubernetesVersion = normalizeVersion(opts.kubernetesVersion);
  const image = opts.image ?? `kindest/node:${kubernetesVersion}`;

  let podSubnet = DEFAULT_POD_SUBNET;
  let serviceSubnet = DEFAULT_SERVICE_SUBNET;
  if (raw.networking !== undefined) {
    if (!isObject(raw.networking)) throw new KindConfigError('unable to decode config: networking must be a mapping');
    const net = raw.networking;
    checkKnown(net, NETWORKING_FIELDS, 'v1alpha4.Networking');
    for (const k of Object.keys(net)) {
      if (k === 'podSubnet' && typeof net.podSubnet === 'string' && /^\d+\.\d+\.0\.0\/16$/.test(net.podSubnet)) {
        podSubnet = net.podSubnet;
      } else if (k === 'serviceSubnet' && net.serviceSubnet === DEFAULT_SERVICE_SUBNET) {
        serviceSubnet = DEFAULT_SERVICE_SUBNET;
      } else if (k === 'ipFamily' && net.ipFamily === 'ipv4') {
        // the default; nothing to do
      } else {
        warn(`networking.${k}`);
      }
    }
  }
  for (const k of ['featureGates', 'runtimeConfig', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902']) {
    if (raw[k] !== undefined) warn(k);
  }
  const clusterPatches = stringList(raw.kubeadmConfigPatches, 'kubeadmConfigPatches');

  const rawNodes = raw.nodes === undefined ? [{ role: 'control-plane' }] : raw.nodes;
  if (!Array.isArray(rawNodes)) throw new KindConfigError('unable to decode config: nodes must be a list');
  const nodes: NodeSpec[] = [];
  let seenControlPlane = false;
  rawNodes.forEach((n: unknown, i: number) => {
    if (!isObject(n)) throw new KindConfigError(`unable to decode config: nodes[${i}] must be a mapping`);
    checkKnown(n, NODE_FIELDS, 'v1alpha4.Node');
    const role = (n.role ?? 'control-plane') as string;
    if (role !== 'control-plane' && role !== 'worker') {
      throw new KindConfigError(`invalid configuration for node ${i}: "${role}" is not a valid node role`);
    }
    const spec: NodeSpec = { role, labels: {} };
    if (n.image !== undefined) spec.kubernetesVersion = versionFromImage(String(n.image));
    if (n.labels !== undefined) {
      if (!isObject(n.labels)) throw new KindConfigError(`unable to decode config: nodes[${i}].labels must be a mapping`);
      for (const [k, v] of Object.entries(n.labels)) spec.labels[k] = String(v);
    }
    for (const k of ['extraMounts', 'extraPortMappings', 'kubeadmConfigPatchesJSON6902']) {
      if (n[k] !== undefined) warn(`nodes[${i}].${k}`);
    }
    // kind's first control-plane runs `kubeadm init`, every other node `kubeadm join`
    const kubeadmKind = role === 'control-plane' && !seenControlPlane ? 'InitConfiguration' : 'JoinConfiguration';
    if (role === 'control-plane') seenControlPlane = true;
    const patches = [...clusterPatches, ...stringList(n.kubeadmConfigPatches, `nodes[${i}].kubeadmConfigPatches`)];
    for (const p of patches) applyKubeadmPatch(p, kubeadmKind, spec, i, warn);
    nodes.push(spec);
  });
  for (let w = 0; w < (opts.workers ?? 0); w++) nodes.push({ role: 'worker', labels: {} });
  if (!nodes.some((n) => n.role === 'control-plane')) throw new KindConfigError('must have at least one control-plane node');

  // a cluster-wide patch is seen once per node; report it once
  return { spec: { name, kubernetesVersion, image, podSubnet, serviceSubnet, nodes }, warnings: [...new Set(warnings)] };
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) {
    throw new KindConfigError(`unable to decode config: ${what} must be a list of strings`);
  }
  return v as string[];
}

/**
 * The part of a kubeadm patch kindling understands: nodeRegistration's kubelet node-labels /
 * register-with-taints and taints, for the kubeadm config this node uses. Everything else is
 * reported.
 */
function applyKubeadmPatch(text: string, kubeadmKind: string, spec: NodeSpec, index: number, warn: (w: string) => void): void {
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    const patch: unknown = doc.toJS();
    if (!isObject(patch)) continue;
    const kind = String(patch.kind ?? '');
    if (kind !== 'InitConfiguration' && kind !== 'JoinConfiguration') {
      warn(`kubeadmConfigPatches of kind ${kind || '(none)'}`);
      continue;
    }
    if (kind !== kubeadmKind) continue; // kind only applies patches that match the node's kubeadm config
    for (const k of Object.keys(patch)) {
      if (k !== 'kind' && k !== 'apiVersion' && k !== 'nodeRegistration') warn(`kubeadmConfigPatches ${kind}.${k} (node ${index})`);
    }
    const reg = patch.nodeRegistration;
    if (!isObject(reg)) continue;
    for (const k of Object.keys(reg)) {
      if (k !== 'kubeletExtraArgs' && k !== 'taints') warn(`kubeadmConfigPatches ${kind}.nodeRegistration.${k} (node ${index})`);
    }
    if (Array.isArray(reg.taints)) spec.taints = reg.taints.map((t) => toTaint(t, index));
    for (const [arg, value] of kubeletArgs(reg.kubeletExtraArgs)) {
      if (arg === 'node-labels') {
        for (const pair of value.split(',').filter(Boolean)) {
          const eq = pair.indexOf('=');
          spec.labels[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? '' : pair.slice(eq + 1);
        }
      } else if (arg === 'register-with-taints') {
        spec.taints = [...(spec.taints ?? []), ...value.split(',').filter(Boolean).map(parseTaint)];
      } else {
        warn(`kubeletExtraArgs ${arg} (node ${index})`);
      }
    }
  }
}

/** kubeadm v1beta3 has kubeletExtraArgs as a map, v1beta4 as a list of {name, value} */
function kubeletArgs(v: unknown): [string, string][] {
  if (Array.isArray(v)) return v.filter(isObject).map((a) => [String(a.name), String(a.value ?? '')]);
  if (isObject(v)) return Object.entries(v).map(([k, val]) => [k, String(val)]);
  return [];
}

function toTaint(t: unknown, index: number): Taint {
  if (!isObject(t) || typeof t.key !== 'string' || typeof t.effect !== 'string') {
    throw new KindConfigError(`invalid configuration for node ${index}: a taint needs key and effect`);
  }
  const taint: Taint = { key: t.key, effect: t.effect };
  if (t.value !== undefined && t.value !== '') taint.value = String(t.value);
  return taint;
}

/** key[=value]:Effect, as kubectl taint and kubelet --register-with-taints write it */
export function parseTaint(s: string): Taint {
  const colon = s.lastIndexOf(':');
  if (colon < 0) throw new KindConfigError(`invalid taint spec: ${s}`);
  const effect = s.slice(colon + 1);
  if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
    throw new KindConfigError(`invalid taint effect: ${effect}, unsupported taint effect`);
  }
  const kv = s.slice(0, colon);
  const eq = kv.indexOf('=');
  const taint: Taint = { key: eq < 0 ? kv : kv.slice(0, eq), effect };
  if (eq >= 0 && kv.slice(eq + 1) !== '') taint.value = kv.slice(eq + 1);
  if (!taint.key) throw new KindConfigError(`invalid taint spec: ${s}`);
  return taint;
}
