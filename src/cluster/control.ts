// The cluster's control channel: what `kindling node stop|start|condition` and `kindling rules set`
// ask of the running server. Paths under /kindling/v1 on the cluster's own API server, behind
// the same bearer token as the Kubernetes API; errors are metav1.Status like the API's.
//
//   POST /kindling/v1/nodes/{name}/stop          the node's kubelet stops (heartbeats, pods)
//   POST /kindling/v1/nodes/{name}/start         it comes back
//   POST /kindling/v1/nodes/{name}/conditions    {"type":"MemoryPressure","status":"True","reason"?,"message"?}
//   GET  /kindling/v1/rules                      the lifecycle rules in effect (JSON)
//   PUT  /kindling/v1/rules                      replace them (JSON or YAML body, validated)

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { ApiError, badRequest, notFound } from '../api/errors.js';
import { sendError, type Extension } from '../apiserver/http.js';
import { validateRules } from '../nodes/rules.js';
import type { LifecycleRules } from '../nodes/rules.js';

import { CONTROL_PREFIX } from './controlpath.js';

export { CONTROL_PREFIX };

/** a node the cluster does not simulate */
export class NodeNotFoundError extends Error {
  constructor(readonly node: string) {
    super(`nodes "${node}" not found`);
  }
}

/** what the control channel drives (a ClusterRuntime) */
export interface ControlTarget {
  stopNode(name: string): void;
  startNode(name: string): void;
  setNodeCondition(name: string, type: string, status: string, reason?: string, message?: string): Promise<void>;
  setRules(rules: LifecycleRules): void;
  getRules(): LifecycleRules;
}

/**
 * The reason and message kubelet reports with a condition status (pkg/kubelet/nodestatus/setters.go);
 * undefined = the simulator's usual one (the healthy state) or none.
 */
export function kubeletConditionReason(type: string, status: string): { reason: string; message: string } | undefined {
  const table: Record<string, Record<string, { reason: string; message: string }>> = {
    MemoryPressure: { True: { reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' } },
    DiskPressure: { True: { reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' } },
    PIDPressure: { True: { reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' } },
    Ready: {
      False: {
        reason: 'KubeletNotReady',
        message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      },
    },
  };
  return table[type]?.[status];
}

/** parse TYPE=STATUS as the CLI takes it; STATUS is True, False or Unknown */
export function parseConditionArg(arg: string): { type: string; status: string } {
  const m = /^([A-Za-z][A-Za-z0-9]*)=(True|False|Unknown)$/.exec(arg);
  if (!m) throw new Error(`invalid condition "${arg}", expected TYPE=STATUS with STATUS one of True, False, Unknown (e.g. MemoryPressure=True)`);
  return { type: m[1], status: m[2] };
}

const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw badRequest('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function methodNotAllowed(method: string, path: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
}

function parseBody(text: string, contentType: string): unknown {
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`cannot parse the request body: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** the /kindling/v1 handler for the API server (authentication is the server's, before extensions) */
export function controlExtension(target: ControlTarget): Extension {
  return {
    async handle(req, res, url) {
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== CONTROL_PREFIX && !path.startsWith(`${CONTROL_PREFIX}/`)) return false;
      const method = req.method ?? 'GET';
      const parts = path.slice(CONTROL_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
      try {
        if (parts[0] === 'nodes' && parts.length === 3) {
          const [, name, action] = parts;
          if (!['stop', 'start', 'conditions'].includes(action)) throw notFound({ group: '', resource: 'nodes' }, `${name}/${action}`);
          if (method !== 'POST') throw methodNotAllowed(method, path);
          if (action === 'stop') target.stopNode(name);
          else if (action === 'start') target.startNode(name);
          else {
            const body = parseBody(await readBody(req), req.headers['content-type'] ?? '') as Record<string, unknown> | null;
            const type = body?.type;
            const status = body?.status;
            if (typeof type !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(type)) throw badRequest('condition type: a name like MemoryPressure is required');
            if (status !== 'True' && status !== 'False' && status !== 'Unknown') throw badRequest(`condition status: supported values: "True", "False", "Unknown"`);
            const dflt = kubeletConditionReason(type, status);
            const reason = typeof body?.reason === 'string' ? body.reason : dflt?.reason;
            const message = typeof body?.message === 'string' ? body.message : dflt?.message;
            await target.setNodeCondition(name, type, status, reason, message);
          }
          return sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' }), true;
        }
        if (parts.length === 1 && parts[0] === 'rules') {
          if (method === 'GET') return sendJson(res, 200, target.getRules()), true;
          if (method !== 'PUT') throw methodNotAllowed(method, path);
          const body = parseBody(await readBody(req), req.headers['content-type'] ?? '');
          let rules: LifecycleRules;
          try {
            rules = validateRules(body);
          } catch (e) {
            throw badRequest(`invalid lifecycle rules: ${(e as Error).message}`);
          }
          target.setRules(rules);
          return sendJson(res, 200, rules), true;
        }
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      } catch (e) {
        if (e instanceof NodeNotFoundError) sendError(res, notFound({ group: '', resource: 'nodes' }, e.node));
        else if (e instanceof ApiError) sendError(res, e);
        else sendError(res, new ApiError(500, 'InternalError', (e as Error).message));
        return true;
      }
    },
  };
}
