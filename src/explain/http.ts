// explain over the cluster's own HTTPS server, behind the same authentication as the API
// (extensions run after it). The contract is in README.md beside this file.
//
//   GET  /kindling/v1alpha1/explain/namespaces/{ns}/daemonsets/{name}[?node=NODE]
//   POST /kindling/v1alpha1/explain/daemonsets[?node=NODE]                 body: a DaemonSet (JSON or YAML)
//   POST /kindling/v1alpha1/explain/namespaces/{ns}/daemonsets[?node=NODE]
//
// A posted DaemonSet is defaulted and validated by the API server as a dry run (an update of
// the stored one of the same name, else a create) and never stored.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import { ApiError, badRequest, notFound } from '../api/errors.js';
import { decodeBody, sendError, MAX_BODY_BYTES, type Extension } from '../apiserver/http.js';
import { R, type ApiClient, type KubeObject } from '../client/types.js';
import type { ClusterView } from './view.js';

export const EXPLAIN_PREFIX = '/kindling/v1alpha1/explain';

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'RequestEntityTooLarge', `limit is ${MAX_BODY_BYTES}`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

/** the posted DaemonSet as the API server would store it (defaults, validation), not stored */
async function dryRun(client: ApiClient, body: unknown, pathNamespace: string | undefined): Promise<{ ds: DaemonSet; stored: DaemonSet | undefined }> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the request body must be a DaemonSet');
  const obj = body as KubeObject;
  if (obj.kind !== undefined && obj.kind !== 'DaemonSet') throw badRequest(`the request body must be a DaemonSet, not ${obj.kind}`);
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'apps/v1') throw badRequest(`DaemonSet in version "${obj.apiVersion}" cannot be handled: explain takes apps/v1`);
  const meta = { ...(obj.metadata ?? {}) };
  if (pathNamespace && meta.namespace && meta.namespace !== pathNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const namespace = pathNamespace ?? meta.namespace ?? 'default';
  const candidate: KubeObject = { ...obj, apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { ...meta, namespace } };
  let stored: KubeObject | undefined;
  if (meta.name) {
    try {
      stored = await client.get(R.daemonsets, namespace, meta.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
  const opts = { dryRun: ['All'] };
  const ds = stored
    ? await client.update(R.daemonsets, namespace, { ...candidate, metadata: { ...candidate.metadata, uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion } }, opts)
    : await client.create(R.daemonsets, namespace, candidate, opts);
  return { ds: ds as DaemonSet, stored: stored as DaemonSet | undefined };
}

export function explainExtension(client: ApiClient, view: ClusterView): Extension {
  return {
    async handle(req, res, url) {
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== EXPLAIN_PREFIX && !path.startsWith(`${EXPLAIN_PREFIX}/`)) return false;
      const method = req.method ?? 'GET';
      const parts = path.slice(EXPLAIN_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
      const node = url.searchParams.get('node') ?? undefined;
      try {
        let namespace: string | undefined;
        let rest = parts;
        if (rest[0] === 'namespaces' && rest.length >= 2) {
          namespace = rest[1];
          rest = rest.slice(2);
        }
        if (rest[0] !== 'daemonsets' || rest.length > 2 || (rest.length === 2 && !namespace)) {
          throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
        }
        if (rest.length === 2) {
          if (method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
          const stored = await view.storedDaemonSet(namespace!, rest[1]);
          if (!stored) throw notFound({ group: 'apps', resource: 'daemonsets' }, rest[1]);
          return sendJson(res, await view.explain(stored, stored, node)), true;
        }
        if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
        const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        const { ds, stored } = await dryRun(client, decodeBody(await readBody(req), contentType), namespace);
        return sendJson(res, await view.explain(ds, stored, node)), true;
      } catch (e) {
        sendError(res, e);
        return true;
      }
    },
  };
}
