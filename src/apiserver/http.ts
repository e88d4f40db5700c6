// The HTTP face of the API server: routing of Kubernetes REST paths onto the registry,
// content negotiation (JSON, YAML, protobuf requests; JSON and Table responses), watch
// streams, metav1.Status errors, bearer-token authentication.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { resourceFor, groupVersion, type ResourceInfo } from '../api/resources.js';
import { ApiError, badRequest, fieldErrors, internalError, notFound, requestEntityTooLarge, resourceNotFound, unauthorized, unsupportedMediaType } from '../api/errors.js';
import type { DeleteOptions, KubeObject, PatchType, WatchEvent } from '../client/types.js';
import type { Registry } from './registry.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, type ExtraGroup } from './discovery.js';
import { toTable } from '../api/printers/index.js';
import { decodeProtobufObject, isProtobufBody } from '../api/protobuf/index.js';
import { findDuplicateFields } from '../api/openapi/fields.js';
import { bearerMatches } from './bearer.js';
import type { HubEvent } from './watchhub.js';
import { getJson, listJson } from './rawjson.js';
import { dryRunErrors, invalidOptions, parseWriteOptions, queryBool, queryInt, queryOptionalBool } from './query.js';
import { exceedsJsonDepth, exceedsDepth, MAX_JSON_DEPTH } from './jsondepth.js';

/** upstream's limit for request bodies (apiserver MaxRequestBodyBytes) */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface Extension {
  /** handle a request the core router does not know; return false to pass */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> | boolean;
}

export interface HttpHandlerOptions {
  registry: Registry;
  token?: string;
  version: { major: string; minor: string; gitVersion: string };
  /** the address clients reach the server at, for /api's serverAddressByClientCIDRs */
  serverAddress: () => string;
  extraGroups?: ExtraGroup[];
  /** subresource and path handlers added by other parts (logs, exec, metrics, openapi) */
  extensions?: Extension[];
  /** handlers that run before authentication: the web view's login pages and its session cookie (src/ui) */
  preAuth?: Extension[];
  now: () => number;
  isReady?: () => boolean;
}

export interface ParsedPath {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  info: ResourceInfo;
  watchPrefix: boolean;
}

/** parse /api/v1/... and /apis/<g>/<v>/... into a resource path; undefined when it is not one */
export function parseResourcePath(
  pathname: string,
  lookup: (group: string, version: string, plural: string) => ResourceInfo | undefined = resourceFor,
): ParsedPath | undefined | 'notfound' {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else return undefined;
  if (!rest.length) return undefined;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = lookup(group, version, rest[2]);
    if (candidate && candidate.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [plural, name, subresource, ...extra] = rest;
  const info = lookup(group, version, plural);
  if (!info || extra.length) return 'notfound';
  if (info.namespaced === false && namespace) return 'notfound';
  return { group, version, namespace, plural, name, subresource, info, watchPrefix };
}

/** a JSON response as Go's encoder writes it: the document and a newline */
function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${typeof body === 'string' ? body : JSON.stringify(body)}\n`;
  // a big body is encoded once (Buffer.byteLength and then res.end would each walk it)
  const data = text.length > 65_536 ? Buffer.from(text, 'utf8') : text;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': typeof data === 'string' ? Buffer.byteLength(data) : data.length, ...headers });
  res.end(data);
}

/**
 * JavaScript's JSON encoder and the patch code recurse; a body nested a few thousand levels in
 * a field the type keeps (Go's decoder allows 10,000) overflows them before anything is stored:
 * the client hears it is too deep, not a 500
 */
function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && err.message.includes('Maximum call stack size exceeded');
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (isStackOverflow(err)) err = badRequest('the request body is nested too deeply for kindling to process (it keeps fewer levels than Go\'s 10,000 in encoded fields)');
  const apiErr = err instanceof ApiError ? err : internalError(err);
  if (!(err instanceof ApiError)) console.error('kindling: internal error:', err);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, apiErr.code, apiErr.toStatus());
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** decode a request body as an object: JSON (also with no Content-Type), YAML, or protobuf */
export function decodeBody(body: Buffer, contentType: string, info?: ResourceInfo): unknown {
  if (contentType === 'application/vnd.kubernetes.protobuf' || (!contentType && isProtobufBody(body))) {
    return decodeProtobufObject(body);
  }
  const text = body.toString('utf8');
  const what = info ? `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ` : '';
  if (contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml') {
    let doc: unknown;
    try {
      doc = parseYaml(text, { version: '1.1' });
    } catch (err) {
      throw badRequest(`${what}error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
    if (exceedsDepth(doc, MAX_JSON_DEPTH)) throw badRequest(`${what}error converting YAML to JSON: yaml: exceeded max depth of ${MAX_JSON_DEPTH}`);
    return doc;
  }
  if (contentType && !['application/json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', '*/*'].includes(contentType)) {
    throw unsupportedMediaType(contentType);
  }
  // Go's decoder refuses nesting deeper than 10,000 before it builds anything
  const deep = exceedsJsonDepth(text, MAX_JSON_DEPTH);
  if (deep) throw badRequest(`${what}couldn't get version/kind; json parse error: invalid character '${deep}' exceeded max depth`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`${what}${jsonErrorMessage(text, err as Error)}`);
  }
}

/** upstream reports JSON syntax errors like encoding/json with an offset */
function jsonErrorMessage(text: string, err: Error): string {
  if (!text.trim()) return "Object 'Kind' is missing in ''";
  const m = /position (\d+)/.exec(err.message);
  const offset = m ? Number(m[1]) : text.length;
  const ch = text[offset];
  if (ch === undefined) return `couldn't get version/kind; json parse error: unexpected end of JSON input`;
  return `couldn't get version/kind; json parse error: invalid character '${ch}' looking for beginning of object key string`;
}

/** duplicate keys of a JSON body, reported per fieldValidation (YAML's parser refuses them itself) */
function duplicateFields(raw: Buffer, contentType: string, mode: string): string[] {
  if (mode === 'Ignore' || contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml') return [];
  if (contentType === 'application/vnd.kubernetes.protobuf' || contentType === 'application/json-patch+json' || (!contentType && isProtobufBody(raw))) return [];
  return findDuplicateFields(raw.toString('utf8'));
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

interface TableRequest {
  includeObject: 'None' | 'Metadata' | 'Object';
}

/** does the Accept header ask for a meta.k8s.io Table? */
export function wantsTable(req: IncomingMessage, url: URL): TableRequest | undefined {
  const accept = req.headers.accept ?? '';
  const asTable = accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && (params.includes('g=meta.k8s.io') || !params.some((p) => p.startsWith('g=')));
  });
  if (!asTable) return undefined;
  const inc = url.searchParams.get('includeObject');
  return { includeObject: inc === 'None' || inc === 'Object' ? inc : 'Metadata' };
}

function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  // node joins array header values with ', ' unless set through setHeader; a single line is fine for kubectl
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}

export function createRequestHandler(opts: HttpHandlerOptions) {
  const { registry } = opts;

  function authenticate(req: IncomingMessage, path: string): void {
    if (!opts.token) return;
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path === '/version' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) return;
    if (!bearerMatches(req.headers.authorization, opts.token)) throw unauthorized();
  }

  async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, p: ParsedPath): Promise<void> {
    const { info, namespace, name, subresource } = p;
    const ref = { group: info.group, version: info.version, plural: info.plural };
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const table = wantsTable(req, url);
    const now = opts.now();

    if (subresource && !(info.subresources ?? []).includes(subresource)) throw resourceNotFound();
    if (subresource && !['status', 'binding', 'eviction', 'finalize', 'scale'].includes(subresource)) {
      for (const ext of opts.extensions ?? []) if (await ext.handle(req, res, url)) return;
      throw notFound({ group: info.group, resource: info.plural }, name ?? '');
    }

    if (method === 'GET') {
      const watch = p.watchPrefix || queryBool(q.get('watch'));
      if (watch) {
        const fieldSelector = name ? [q.get('fieldSelector'), `metadata.name=${name}`].filter(Boolean).join(',') : (q.get('fieldSelector') ?? undefined);
        return serveWatch(req, res, url, p, fieldSelector, table);
      }
      if (name) {
        if (!table && !subresource) {
          const json = await getJson(registry.store, info, namespace, name);
          if (json !== undefined) return sendJson(res, 200, json);
        }
        const obj = await registry.get(ref, namespace, name, subresource);
        if (table) return sendJson(res, 200, toTable(info, [obj], { now, includeObject: table.includeObject, resourceVersion: obj.metadata.resourceVersion }));
        return sendJson(res, 200, obj);
      }
      const limit = queryInt(q, 'limit');
      await registry.awaitResourceVersion(q.get('resourceVersion') ?? undefined, q.get('resourceVersionMatch') ?? undefined);
      if (!table && !q.get('labelSelector') && !q.get('fieldSelector')) {
        const json = await listJson(registry.store, info, namespace, {
          resourceVersion: q.get('resourceVersion') ?? undefined,
          resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
          limit,
          continue: q.get('continue') ?? undefined,
        });
        if (json !== undefined) return sendJson(res, 200, json);
      }
      const list = await registry.list(ref, namespace, {
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: q.get('fieldSelector') ?? undefined,
        resourceVersion: q.get('resourceVersion') ?? undefined,
        resourceVersionMatch: (q.get('resourceVersionMatch') as 'Exact' | 'NotOlderThan' | null) ?? undefined,
        limit,
        continue: q.get('continue') ?? undefined,
      });
      if (table) {
        return sendJson(res, 200, toTable(info, list.items, {
          now,
          includeObject: table.includeObject,
          resourceVersion: list.metadata.resourceVersion,
          continue: list.metadata.continue,
          remainingItemCount: list.metadata.remainingItemCount,
        }));
      }
      return sendJson(res, 200, list);
    }

    if (method === 'POST') {
      const wo = parseWriteOptions(q, 'CreateOptions');
      const raw = await readBody(req);
      const body = decodeBody(raw, mediaType(req), info) as KubeObject;
      const duplicates = duplicateFields(raw, mediaType(req), wo.fieldValidation);
      if (subresource) {
        const out = await registry.create(ref, namespace, { ...body, metadata: { ...(body?.metadata ?? {}), name: name ?? body?.metadata?.name } } as KubeObject, { ...wo, duplicateFields: duplicates }, subresource);
        return sendJson(res, 201, out, warningHeaders(wo.warnings));
      }
      if (name) throw methodNotAllowed(info, 'create');
      const out = await registry.create(ref, namespace, body, { ...wo, duplicateFields: duplicates });
      return sendJson(res, wo.dryRun ? 200 : 201, out, warningHeaders(wo.warnings));
    }

    if (method === 'PUT') {
      if (!name) throw methodNotAllowed(info, 'update');
      const wo = parseWriteOptions(q, 'UpdateOptions');
      const raw = await readBody(req);
      const body = decodeBody(raw, mediaType(req), info) as KubeObject;
      const duplicates = duplicateFields(raw, mediaType(req), wo.fieldValidation);
      if (body?.metadata?.name && body.metadata.name !== name) {
        throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      }
      const obj = { ...body, metadata: { ...(body?.metadata ?? {}), name } } as KubeObject;
      const out = await registry.update(ref, namespace, obj, { ...wo, duplicateFields: duplicates }, subresource);
      return sendJson(res, 200, out, warningHeaders(wo.warnings));
    }

    if (method === 'PATCH') {
      if (!name) throw methodNotAllowed(info, 'patch');
      const ct = mediaType(req);
      const type = PATCH_TYPES[ct];
      if (!type) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
      }
      const wo = parseWriteOptions(q, 'PatchOptions', type === 'apply');
      const raw = await readBody(req);
      const patch = decodeBody(raw, ct, info);
      const existed = type === 'apply' ? await registry.get(ref, namespace, name).then(() => true, () => false) : true;
      const out = await registry.patch(ref, namespace, name, type, patch, { ...wo, duplicateFields: duplicateFields(raw, ct, wo.fieldValidation) }, subresource);
      return sendJson(res, existed ? 200 : 201, out, warningHeaders(wo.warnings));
    }

    if (method === 'DELETE') {
      const raw = await readBody(req);
      let dopts: DeleteOptions = {};
      if (raw.length) dopts = decodeBody(raw, mediaType(req)) as DeleteOptions;
      if (!dopts || typeof dopts !== 'object' || Array.isArray(dopts)) throw badRequest('the body of the request is not a valid DeleteOptions');
      if (q.has('propagationPolicy')) dopts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
      const grace = queryInt(q, 'gracePeriodSeconds');
      if (grace !== undefined) dopts.gracePeriodSeconds = grace;
      const orphan = queryOptionalBool(q, 'orphanDependents');
      if (orphan !== undefined) dopts.orphanDependents = orphan;
      const dry = q.getAll('dryRun');
      if (dry.length) dopts.dryRun = dry;
      // ValidateDeleteOptions
      const policy = dopts.propagationPolicy;
      invalidOptions('DeleteOptions', [
        ...(dopts.orphanDependents !== undefined && policy !== undefined
          ? [fieldErrors.invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set')]
          : []),
        ...(policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)
          ? [fieldErrors.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil'])]
          : []),
        ...dryRunErrors(Array.isArray(dopts.dryRun) ? dopts.dryRun : []),
      ]);
      if (!name) {
        const out = await registry.deleteCollection(ref, namespace, {
          ...dopts,
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector: q.get('fieldSelector') ?? undefined,
        });
        return sendJson(res, 200, out);
      }
      const out = await registry.delete(ref, namespace, name, dopts);
      // upstream answers 200 with the object while it lingers (finalizers, grace), 200 with it when gone
      return sendJson(res, 200, out);
    }
    throw methodNotAllowed(info, method.toLowerCase());
  }

  function methodNotAllowed(info: ResourceInfo, _verb: string): ApiError {
    return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`, {
      group: info.group || undefined,
      kind: info.plural,
    });
  }

  async function serveWatch(req: IncomingMessage, res: ServerResponse, url: URL, p: ParsedPath, fieldSelector: string | undefined, table: TableRequest | undefined): Promise<void> {
    const q = url.searchParams;
    const { info } = p;
    const ref = { group: info.group, version: info.version, plural: info.plural };
    const timeoutSeconds = queryInt(q, 'timeoutSeconds') ?? 0;
    let firstTable = true;
    let ended = false;
    let unsubscribe: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      res.end();
    };
    const write = (line: string) => {
      if (!ended) res.write(line);
    };
    const emit = (type: WatchEvent['type'], obj: KubeObject, shared?: HubEvent) => {
      if (ended) return;
      if (table && type !== 'BOOKMARK' && type !== 'ERROR') {
        const t = toTable(info, [obj], { now: opts.now(), includeObject: table.includeObject, noHeaders: !firstTable, resourceVersion: obj.metadata.resourceVersion });
        firstTable = false;
        write(`{"type":"${type}","object":${JSON.stringify(t)}}\n`);
        return;
      }
      const json = shared && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') ? shared.json() : JSON.stringify(obj);
      write(`{"type":"${type}","object":${json}}\n`);
    };
    const onError = (err: ApiError | Error) => {
      const apiErr = err instanceof ApiError ? err : internalError(err);
      write(`{"type":"ERROR","object":${JSON.stringify(apiErr.toStatus())}}\n`);
      end();
    };
    try {
      unsubscribe = await registry.watchRaw(
        ref,
        p.namespace,
        {
          labelSelector: q.get('labelSelector') ?? undefined,
          fieldSelector,
          resourceVersion: q.get('resourceVersion') ?? undefined,
          allowWatchBookmarks: queryBool(q.get('allowWatchBookmarks')),
          sendInitialEvents: queryBool(q.get('sendInitialEvents')),
        },
        (type, obj, shared) => {
          if (!res.headersSent) start();
          emit(type, obj, shared);
        },
        onError,
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) {
        // upstream answers 200 and an ERROR event for a watch that starts too far back
        start();
        onError(err);
        return;
      }
      throw err;
    }
    if (!res.headersSent) start();
    if (ended) {
      unsubscribe?.();
      return;
    }
    if (timeoutSeconds > 0) timer = setTimeout(end, timeoutSeconds * 1000);
    req.on('close', end);
    res.on('close', end);

    function start() {
      if (res.headersSent) return;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
      // kubectl cannot cancel a watch whose headers have not arrived: send them now
      res.flushHeaders();
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://kindling');
    } catch {
      return sendError(res, badRequest('malformed URL'));
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    try {
      for (const ext of opts.preAuth ?? []) if (await ext.handle(req, res, url)) return;
      authenticate(req, path);
      switch (path) {
        case '/version':
          return sendJson(res, 200, {
            major: opts.version.major,
            minor: opts.version.minor,
            gitVersion: opts.version.gitVersion,
            gitCommit: '0000000000000000000000000000000000000000',
            gitTreeState: 'clean',
            buildDate: '2026-01-01T00:00:00Z',
            goVersion: 'go1.23.0',
            compiler: 'gc',
            platform: 'linux/amd64',
          });
        case '/healthz':
        case '/livez':
        case '/readyz': {
          const ok = path !== '/readyz' || (opts.isReady?.() ?? true);
          res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
          res.end(ok ? 'ok' : '[-]kindling not ready\nreadyz check failed');
          return;
        }
        case '/api':
          return sendJson(res, 200, apiVersions(opts.serverAddress()));
        case '/apis':
          return sendJson(res, 200, apiGroupList(opts.extraGroups ?? [], registry.resources));
        default:
          break;
      }
      for (const ext of opts.extensions ?? []) if (await ext.handle(req, res, url)) return;
      const parts = path.split('/').filter(Boolean);
      if (parts[0] === 'api' && parts.length === 2) {
        const list = apiResourceList('', parts[1], opts.extraGroups ?? [], registry.resources);
        if (list) return sendJson(res, 200, list);
      }
      if (parts[0] === 'apis' && parts.length === 2) {
        const g = apiGroup(parts[1], opts.extraGroups ?? [], registry.resources);
        if (g) return sendJson(res, 200, g);
      }
      if (parts[0] === 'apis' && parts.length === 3) {
        const list = apiResourceList(parts[1], parts[2], opts.extraGroups ?? [], registry.resources);
        if (list) return sendJson(res, 200, list);
      }
      const parsed = parseResourcePath(path, (g, v, p) => registry.resources.lookup(g, v, p));
      if (parsed && parsed !== 'notfound') return await handleResource(req, res, url, parsed);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    } catch (err) {
      sendError(res, err);
    }
  };
}

export { groupVersion };
