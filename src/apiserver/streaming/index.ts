// Pod streaming subresources on the API server: GET pods/<name>/log, and pods/<name>/exec and
// pods/<name>/attach over WebSocket or SPDY. The nodes' runtime (NodeStreams from
// src/nodes/exec.ts: the simulated kubelet, or the process runtime) serves the containers;
// useExecutor() puts another executor in front, for all nodes or one.
//
//   const streaming = installPodStreaming(server, { nodes: simulator });
//   const undo = streaming.useExecutor(myRuntime);        // every node
//   streaming.useExecutor(myRuntime, 'kind-worker');      // one node

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest } from '../../api/errors.js';
import type { ApiClient } from '../../client/types.js';
import type { ContainerExecutor, ContainerLogSource, NodeStreams } from '../../nodes/exec.js';
import { sendError, type Extension } from '../http.js';
import type { ApiServer } from '../server.js';
import { parsePodSubresource } from './pods.js';
import { serveLogs } from './logs.js';
import { isSpdyUpgrade, isWebSocketUpgrade, rejectUpgrade, resolveExec, runRemoteCommand, serveSpdy, serveWebSocket } from './exec.js';

export type { NodeStreams, ContainerExecutor, ContainerLogSource } from '../../nodes/exec.js';

export interface PodStreamingOptions {
  client: ApiClient;
  now?: () => number;
  /** the runtime behind every node (logs and exec) */
  nodes?: NodeStreams;
}

export class PodStreaming {
  private nodes: NodeStreams | undefined;
  private readonly executors = new Map<string, ContainerExecutor>();
  private readonly logSources = new Map<string, ContainerLogSource>();
  private readonly client: ApiClient;
  private readonly now: () => number;
  /** exec/attach sessions started, by transport (diagnostics; tests check which protocol a client used) */
  readonly sessions = { websocket: 0, spdy: 0 };

  constructor(opts: PodStreamingOptions) {
    this.client = opts.client;
    this.nodes = opts.nodes;
    this.now = opts.now ?? Date.now;
  }

  /** the runtime behind every node without an override */
  setNodeStreams(nodes: NodeStreams | undefined): void {
    this.nodes = nodes;
  }

  /** run exec/attach for one node (or every node: '*') through this executor; returns the undo */
  useExecutor(executor: ContainerExecutor, nodeName = '*'): () => void {
    this.executors.set(nodeName, executor);
    return () => {
      if (this.executors.get(nodeName) === executor) this.executors.delete(nodeName);
    };
  }

  /** serve one node's (or every node's) logs from this source; returns the undo */
  useLogSource(source: ContainerLogSource, nodeName = '*'): () => void {
    this.logSources.set(nodeName, source);
    return () => {
      if (this.logSources.get(nodeName) === source) this.logSources.delete(nodeName);
    };
  }

  execFor(nodeName: string): ContainerExecutor | undefined {
    return this.executors.get(nodeName) ?? this.executors.get('*') ?? this.nodes;
  }

  logsFor(nodeName: string): ContainerLogSource | undefined {
    return this.logSources.get(nodeName) ?? this.logSources.get('*') ?? this.nodes;
  }

  /** the HTTP extension: pods/log, and exec/attach requests that did not upgrade */
  extension(): Extension {
    return {
      handle: async (req: IncomingMessage, res: ServerResponse, url: URL) => {
        const p = parsePodSubresource(url.pathname);
        if (!p || !['log', 'exec', 'attach'].includes(p.subresource)) return false;
        try {
          if (p.subresource === 'log') {
            if (req.method !== 'GET') throw methodNotAllowed();
            await serveLogs({ client: this.client, logsFor: (n) => this.logsFor(n), now: this.now }, req, res, url, p.namespace, p.pod);
          } else {
            if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
            await resolveExec({ client: this.client, execFor: (n) => this.execFor(n) }, url.searchParams, p.namespace, p.pod, p.subresource === 'attach');
            throw badRequest('Upgrade request required');
          }
        } catch (err) {
          sendError(res, err);
        }
        return true;
      },
    };
  }

  /** the upgrade handler: exec/attach over WebSocket or SPDY */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<boolean> {
    const p = parsePodSubresource(url.pathname);
    if (!p || (p.subresource !== 'exec' && p.subresource !== 'attach')) return false;
    const attach = p.subresource === 'attach';
    const ws = isWebSocketUpgrade(req);
    if (!ws && !isSpdyUpgrade(req)) {
      rejectUpgrade(socket, badRequest('Upgrade request required'));
      return true;
    }
    let resolved;
    try {
      if (req.method !== 'GET' && req.method !== 'POST') throw methodNotAllowed();
      resolved = await resolveExec({ client: this.client, execFor: (n) => this.execFor(n) }, url.searchParams, p.namespace, p.pod, attach);
    } catch (err) {
      rejectUpgrade(socket, err);
      return true;
    }
    const { opts, executor } = resolved;
    const run = (io: Parameters<ContainerExecutor['execInContainer']>[4]) => runRemoteCommand(executor, p.namespace, p.pod, opts, io, attach);
    this.sessions[ws ? 'websocket' : 'spdy']++;
    if (ws) serveWebSocket(req, socket, head, run, opts);
    else serveSpdy(req, socket, head, run, opts);
    return true;
  }
}

function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** serve pods/log, pods/exec and pods/attach on this API server */
export function installPodStreaming(server: ApiServer, opts: { nodes?: NodeStreams; now?: () => number } = {}): PodStreaming {
  const streaming = new PodStreaming({ client: server.client, nodes: opts.nodes, now: opts.now });
  server.addExtension(streaming.extension());
  server.addUpgradeHandler((req, socket, head, url) => streaming.handleUpgrade(req, socket, head, url));
  return streaming;
}
