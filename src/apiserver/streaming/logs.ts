// GET pods/<name>/log: the API server's half (pod lookup, PodLogOptions validation, container
// choice; upstream pkg/registry/core/pod/rest/log.go + strategy.go LogLocation) and the
// kubelet's half through the node's ContainerLogSource. text/plain; follow=true streams chunks
// until the container stops or the client goes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, fieldErrors, invalid, type FieldError } from '../../api/errors.js';
import type { ApiClient } from '../../client/types.js';
import type { ContainerLogSource, LogOptions } from '../../nodes/exec.js';
import { chooseContainer, getPod } from './pods.js';
import { queryBool, queryInt } from '../query.js';


export interface ParsedLogOptions extends LogOptions {
  container?: string;
  follow: boolean;
}

/** PodLogOptions from the query, validated as upstream's ValidatePodLogOptions */
export function parseLogOptions(q: URLSearchParams, podName: string, now: number): ParsedLogOptions {
  const opts: ParsedLogOptions = {
    container: q.get('container') ?? undefined,
    follow: queryBool(q.get('follow')),
    previous: queryBool(q.get('previous')),
    timestamps: queryBool(q.get('timestamps')),
    tailLines: queryInt(q, 'tailLines'),
    limitBytes: queryInt(q, 'limitBytes'),
    sinceSeconds: queryInt(q, 'sinceSeconds'),
  };
  const sinceTime = q.get('sinceTime');
  const errs: FieldError[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) errs.push(fieldErrors.invalid('tailLines', opts.tailLines, 'must be greater than or equal to 0'));
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) errs.push(fieldErrors.invalid('limitBytes', opts.limitBytes, 'must be greater than 0'));
  if (sinceTime && opts.sinceSeconds !== undefined) errs.push(fieldErrors.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) errs.push(fieldErrors.invalid('sinceSeconds', opts.sinceSeconds, 'must be greater than 0'));
  if (errs.length) throw invalid('PodLogOptions', '', podName, errs);
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new ApiError(400, 'BadRequest', `parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    opts.sinceSeconds = Math.max(1, Math.ceil((now - t) / 1000));
  }
  return opts;
}

export interface LogsDeps {
  client: ApiClient;
  /** the runtime serving a node's containers; undefined = no kubelet answers for it */
  logsFor(nodeName: string): ContainerLogSource | undefined;
  now(): number;
}

/** serve GET …/pods/<name>/log; errors are thrown as ApiErrors before any byte is written */
export async function serveLogs(deps: LogsDeps, req: IncomingMessage, res: ServerResponse, url: URL, namespace: string, name: string): Promise<void> {
  const opts = parseLogOptions(url.searchParams, name, deps.now());
  const pod = await getPod(deps.client, namespace, name);
  const container = chooseContainer(pod, opts.container);
  const nodeName = pod.spec?.nodeName;
  const headers = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' };
  if (!nodeName) {
    // upstream: no host yet = an empty location = an empty 200
    res.writeHead(200, { ...headers, 'Content-Length': 0 });
    res.end();
    return;
  }
  const source = deps.logsFor(nodeName);
  if (!source) throw new ApiError(500, 'InternalError', `Internal error occurred: no kubelet answers for node "${nodeName}"`);
  const logOpts: LogOptions = { tailLines: opts.tailLines, previous: opts.previous, timestamps: opts.timestamps, sinceSeconds: opts.sinceSeconds, limitBytes: opts.limitBytes };
  // the kubelet's refusals (waiting to start, no previous container) come before the stream
  const now = await source.getLogs(namespace, name, container, logOpts);
  if (!opts.follow) {
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(now) });
    res.end(now);
    return;
  }
  res.writeHead(200, { ...headers, 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const abort = new AbortController();
  const stop = () => abort.abort();
  req.on('close', stop);
  res.on('close', stop);
  let left = opts.limitBytes ?? Infinity;
  try {
    for await (const chunk of source.followLogs(namespace, name, container, logOpts, abort.signal)) {
      if (abort.signal.aborted) break;
      let buf = Buffer.from(chunk);
      if (buf.length > left) buf = buf.subarray(0, left);
      left -= buf.length;
      if (buf.length) res.write(buf);
      if (left <= 0) break;
    }
  } catch {
    // the container or pod went away mid-stream: end the stream as the kubelet does
  } finally {
    req.off('close', stop);
    res.off('close', stop);
    abort.abort();
    res.end();
  }
}
