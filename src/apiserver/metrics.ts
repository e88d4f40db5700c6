// metrics.k8s.io/v1beta1 as metrics-server serves it (for `kubectl top`): NodeMetrics and
// PodMetrics, list and get, with label and field selectors, usage taken from the simulated
// kubelet. Served as an API server extension plus a discovery group.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiClient, KubeObject } from '../client/types.js';
import { R } from '../client/types.js';
import { ApiError, notFound, methodNotSupported } from '../api/errors.js';
import type { Extension } from './http.js';
import type { ExtraGroup } from './discovery.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const PREFIX = `/apis/${METRICS_GROUP}/${METRICS_VERSION}`;
/** metrics-server's default resolution */
export const METRICS_WINDOW_SECONDS = 15;

/** millicores and bytes */
export interface Usage {
  cpu: number;
  memory: number;
}

/** where usage comes from: the simulated kubelet (NodeSimulator) */
export interface UsageSource {
  nodeUsage(name: string): Usage | undefined;
  podUsage(namespace: string, name: string): (Usage & { containers: ({ name: string } & Usage)[] }) | undefined;
}

export const metricsGroup: ExtraGroup = {
  group: METRICS_GROUP,
  version: METRICS_VERSION,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};

/** a CPU quantity from millicores as metrics-server writes it (nanocores, canonical: "1234567n", "50m", "2") */
export function formatCPU(milli: number): string {
  const n = Math.round(milli * 1e6);
  if (n === 0) return '0';
  if (n % 1e9 === 0) return `${n / 1e9}`;
  if (n % 1e6 === 0) return `${n / 1e6}m`;
  if (n % 1e3 === 0) return `${n / 1e3}u`;
  return `${n}n`;
}

/** a memory quantity from bytes in canonical BinarySI form ("12345Ki", "5Mi", "1000") */
export function formatMemory(bytes: number): string {
  let b = Math.round(bytes);
  if (b === 0) return '0';
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && b % 1024 === 0) {
    b /= 1024;
    i++;
  }
  return `${b}${suffixes[i]}`;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export interface MetricsOptions {
  client: ApiClient;
  usage: UsageSource;
  now: () => number;
}

/** the objects, for in-process callers and the extension */
export class MetricsApi {
  constructor(private readonly o: MetricsOptions) {}

  private stamps(): { creationTimestamp: string; timestamp: string } {
    const now = this.o.now();
    // the last scrape: metrics-server samples every window
    const scraped = now - (now % (METRICS_WINDOW_SECONDS * 1000));
    return { creationTimestamp: rfc3339(now), timestamp: rfc3339(scraped) };
  }

  private nodeMetrics(node: KubeObject): KubeObject | undefined {
    const u = this.o.usage.nodeUsage(node.metadata.name ?? '');
    if (!u) return undefined;
    const { creationTimestamp, timestamp } = this.stamps();
    return {
      kind: 'NodeMetrics',
      apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
      metadata: { name: node.metadata.name, creationTimestamp, ...(node.metadata.labels ? { labels: node.metadata.labels } : {}) },
      timestamp,
      window: `${METRICS_WINDOW_SECONDS}s`,
      usage: { cpu: formatCPU(u.cpu), memory: formatMemory(u.memory) },
    };
  }

  private podMetrics(pod: KubeObject): KubeObject | undefined {
    const u = this.o.usage.podUsage(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    if (!u || !u.containers.length) return undefined;
    const { creationTimestamp, timestamp } = this.stamps();
    return {
      kind: 'PodMetrics',
      apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
      metadata: {
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        creationTimestamp,
        ...(pod.metadata.labels ? { labels: pod.metadata.labels } : {}),
      },
      timestamp,
      window: `${METRICS_WINDOW_SECONDS}s`,
      containers: u.containers.map((c) => ({ name: c.name, usage: { cpu: formatCPU(c.cpu), memory: formatMemory(c.memory) } })),
    };
  }

  private list(kind: string, items: KubeObject[]): KubeObject {
    return { kind, apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, metadata: {}, items } as KubeObject;
  }

  async listNodes(opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeObject> {
    const nodes = await this.o.client.list(R.nodes, undefined, opts);
    return this.list('NodeMetricsList', nodes.items.map((n) => this.nodeMetrics(n)).filter((x): x is KubeObject => !!x));
  }

  async getNode(name: string): Promise<KubeObject> {
    const node = await this.o.client.get(R.nodes, undefined, name).catch((e) => {
      if ((e as ApiError).code === 404) throw notFound({ group: '', resource: 'node' }, name);
      throw e;
    });
    const m = this.nodeMetrics(node);
    if (!m) throw notFound({ group: METRICS_GROUP, resource: 'nodemetrics' }, name);
    return m;
  }

  async listPods(namespace: string | undefined, opts: { labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeObject> {
    const pods = await this.o.client.list(R.pods, namespace, opts);
    return this.list('PodMetricsList', pods.items.map((p) => this.podMetrics(p)).filter((x): x is KubeObject => !!x));
  }

  async getPod(namespace: string, name: string): Promise<KubeObject> {
    const pod = await this.o.client.get(R.pods, namespace, name).catch((e) => {
      if ((e as ApiError).code === 404) throw notFound({ group: '', resource: 'pod' }, name);
      throw e;
    });
    const m = this.podMetrics(pod);
    if (!m) throw notFound({ group: METRICS_GROUP, resource: 'podmetrics' }, `${namespace}/${name}`);
    return m;
  }
}

/** the HTTP extension for /apis/metrics.k8s.io/v1beta1/{nodes,pods,namespaces/<ns>/pods}[/<name>] */
export function metricsExtension(opts: MetricsOptions): Extension {
  const api = new MetricsApi(opts);
  return {
    async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
      if (!url.pathname.startsWith(`${PREFIX}/`)) return false;
      const parts = url.pathname.slice(PREFIX.length + 1).split('/').filter(Boolean).map(decodeURIComponent);
      const q = url.searchParams;
      const sel = { labelSelector: q.get('labelSelector') || undefined, fieldSelector: q.get('fieldSelector') || undefined };
      let body: (() => Promise<KubeObject>) | undefined;
      let resource = '';
      if (parts[0] === 'nodes' && parts.length <= 2) {
        resource = 'nodes';
        body = () => (parts[1] ? api.getNode(parts[1]) : api.listNodes(sel));
      } else if (parts[0] === 'pods' && parts.length === 1) {
        resource = 'pods';
        body = () => api.listPods(undefined, sel);
      } else if (parts[0] === 'namespaces' && parts[2] === 'pods' && parts.length <= 4) {
        resource = 'pods';
        body = () => (parts[3] ? api.getPod(parts[1], parts[3]) : api.listPods(parts[1], sel));
      } else return false;
      if ((req.method ?? 'GET') !== 'GET') throw methodNotSupported({ group: METRICS_GROUP, resource }, (req.method ?? '').toLowerCase());
      if (q.get('watch') === 'true' || q.get('watch') === '1') throw methodNotSupported({ group: METRICS_GROUP, resource }, 'watch');
      const json = JSON.stringify(await body());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
      res.end(json);
      return true;
    },
  };
}
