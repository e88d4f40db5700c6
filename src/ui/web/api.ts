// The page's way to the cluster: the Kubernetes API on the same origin, authenticated by the
// session cookie. list+watch like client-go's reflector: list, then watch from the list's
// resourceVersion; on a broken stream watch again from the last version seen; on 410 Gone list again.

export interface Status {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly reason?: string) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const s = JSON.parse(text) as Status;
    if (s.message) return new ApiError(res.status, s.message, s.reason);
  } catch {
    // not a Status
  }
  return new ApiError(res.status, text.trim() || `${res.status} ${res.statusText}`);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, signal });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** a write: the body is JSON, contentType says which patch (strategic merge, merge, JSON) */
export async function send<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export interface KubeItem {
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string };
}

export interface ReflectorHandlers<T extends KubeItem> {
  /** the whole set after a list (replaces what came before) */
  replace(items: T[]): void;
  added(item: T): void;
  modified(item: T): void;
  deleted(item: T): void;
  /** true while a watch stream is open */
  live?(up: boolean): void;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** list+watch path (a collection URL, with its query) until signal aborts */
export async function reflect<T extends KubeItem>(path: string, h: ReflectorHandlers<T>, signal: AbortSignal): Promise<void> {
  const sep = path.includes('?') ? '&' : '?';
  let backoff = 250;
  let rv: string | undefined;
  while (!signal.aborted) {
    try {
      if (rv === undefined) {
        const list = await getJson<{ items: T[]; metadata: { resourceVersion: string } }>(path, signal);
        h.replace(list.items);
        rv = list.metadata.resourceVersion;
      }
      const res = await fetch(`${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, { headers: { Accept: 'application/json' }, signal });
      if (!res.ok || !res.body) throw await failure(res);
      h.live?.(true);
      backoff = 250;
      rv = await readEvents(res.body, rv, h);
    } catch (e) {
      if (signal.aborted) break;
      if (e instanceof ApiError && e.code === 410) rv = undefined;
      h.live?.(false);
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 5000);
      continue;
    }
    h.live?.(false);
  }
}

/** apply a watch stream's events; returns the last resourceVersion (undefined after 410 Gone) */
async function readEvents<T extends KubeItem>(body: ReadableStream<Uint8Array>, rv: string | undefined, h: ReflectorHandlers<T>): Promise<string | undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return rv;
    buf += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { type: string; object: T & Status };
      if (ev.type === 'ERROR') {
        if (ev.object.code === 410) return undefined;
        throw new ApiError(ev.object.code ?? 500, ev.object.message ?? 'watch failed');
      }
      rv = ev.object.metadata?.resourceVersion ?? rv;
      if (ev.type === 'ADDED') h.added(ev.object);
      else if (ev.type === 'MODIFIED') h.modified(ev.object);
      else if (ev.type === 'DELETED') h.deleted(ev.object);
    }
  }
}
