// pods/<name>/exec and pods/<name>/attach: the remotecommand protocol (kubelet's
// pkg/kubelet/cri/streaming/remotecommand) over WebSocket (v5.channel.k8s.io / v4, kubectl
// 1.32) and SPDY/3.1 (v4/v5 streams, kubectl 1.20 and 1.32's fallback). The command itself is
// run by the node's ContainerExecutor (src/nodes/exec.ts).

import type { IncomingMessage } from 'node:http';
import { PassThrough, Writable, type Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, badRequest, internalError, type Status } from '../../api/errors.js';
import type { ApiClient } from '../../client/types.js';
import type { ContainerExecutor, ExecIO, TerminalSize } from '../../nodes/exec.js';
import { SpdyServerConnection, type SpdyStream } from './spdy.js';
import { chooseContainer, getPod } from './pods.js';
import { queryBool } from '../query.js';

/** channel numbers of the binary WebSocket protocols */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export const WS_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
export const SPDY_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface ExecOptions {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecDeps {
  client: ApiClient;
  execFor(nodeName: string): ContainerExecutor | undefined;
}

/** the status the kubelet writes on the error channel when the command has run */
export function exitStatus(exitCode: number, command: string[]): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    // containerd's CodeExitError text, wrapped by the kubelet
    message: `command terminated with non-zero exit code: error executing command ${goStrings(command)}, exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

const goStrings = (a: string[]) => `[${a.join(' ')}]`;

/** an error from the runtime as the kubelet reports it on the error channel (v4 JSON) */
export function failureStatus(err: unknown, attach: boolean): Record<string, unknown> {
  const apiErr = err instanceof ApiError ? err : internalError(new Error(`${attach ? 'error attaching to container' : 'error executing command in container'}: ${(err as Error)?.message ?? String(err)}`));
  const s: Partial<Status> = apiErr.toStatus();
  delete s.kind;
  delete s.apiVersion;
  return s;
}

/** answer an upgrade request with an HTTP error (before any protocol switch) */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : internalError(err);
  const body = JSON.stringify(apiErr.toStatus());
  socket.end(
    `HTTP/1.1 ${apiErr.code} ${STATUS_TEXT[apiErr.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' };

/** the exec/attach options from the query; container checked against the pod */
export async function resolveExec(deps: ExecDeps, q: URLSearchParams, namespace: string, name: string, attach: boolean): Promise<{ opts: ExecOptions; executor: ContainerExecutor; nodeName: string }> {
  const pod = await getPod(deps.client, namespace, name);
  const container = chooseContainer(pod, q.get('container'));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const opts: ExecOptions = {
    command: q.getAll('command'),
    container,
    stdin: queryBool(q.get('stdin')),
    stdout: queryBool(q.get('stdout')),
    stderr: queryBool(q.get('stderr')),
    tty: queryBool(q.get('tty')),
  };
  if (!attach && opts.command.length === 0) throw badRequest('you must specify at least one command for the container');
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const executor = deps.execFor(nodeName);
  if (!executor) throw internalError(new Error(`no kubelet answers for node "${nodeName}"`));
  return { opts, executor, nodeName };
}

/** run the command through the executor; the status for the error channel */
export async function runRemoteCommand(executor: ContainerExecutor, namespace: string, pod: string, opts: ExecOptions, io: ExecIO, attach: boolean): Promise<Record<string, unknown>> {
  try {
    if (attach) {
      if (!executor.attachContainer) throw new Error('attach is not supported by this runtime');
      const r = await executor.attachContainer(namespace, pod, opts.container, io);
      return exitStatus(r.exitCode, opts.command);
    }
    const r = await executor.execInContainer(namespace, pod, opts.container, opts.command, io);
    return exitStatus(r.exitCode, opts.command);
  } catch (err) {
    return failureStatus(err, attach);
  }
}

function sink(write: (b: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      cb();
    },
  });
}

function parseSize(data: Buffer): TerminalSize | undefined {
  try {
    const o = JSON.parse(data.toString('utf8')) as { Width?: number; Height?: number };
    return { width: o.Width ?? 0, height: o.Height ?? 0 };
  } catch {
    return undefined;
  }
}

function selectProtocol(offered: string, supported: string[]): string | undefined {
  const list = offered.split(',').map((p) => p.trim()).filter(Boolean);
  return list.find((p) => supported.includes(p));
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/3');
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (protocols) => [...protocols].find((p) => WS_PROTOCOLS.includes(p)) ?? false });

/** exec/attach over a WebSocket (binary channel protocol, v4 or v5) */
export function serveWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, run: (io: ExecIO) => Promise<Record<string, unknown>>, opts: ExecOptions): void {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '');
  if (!selectProtocol(offered, WS_PROTOCOLS)) {
    // upstream's handshake refuses; kubectl 1.32 then falls back to SPDY
    rejectUpgrade(socket, badRequest(`unable to upgrade: unable to negotiate protocol: client supports [${offered}], server supports [${WS_PROTOCOLS.join(' ')}]`));
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const send = (channel: number, data: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
    };
    const stdin = opts.stdin ? new PassThrough() : undefined;
    const resize = opts.tty ? new PassThrough({ objectMode: true }) : undefined;
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      stdin?.end();
      resize?.end();
    };
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as unknown as ArrayBuffer);
      if (!isBinary || data.length === 0) return;
      const ch = data[0];
      const payload = data.subarray(1);
      if (ch === Channel.stdin) {
        if (payload.length) stdin?.write(payload);
      } else if (ch === Channel.resize) {
        const size = parseSize(payload);
        if (size) resize?.write(size);
      } else if (ch === Channel.close && v5) {
        if (payload[0] === Channel.stdin) stdin?.end();
      }
    });
    ws.on('close', finish);
    ws.on('error', finish);
    const io: ExecIO = {
      stdin,
      stdout: sink((b) => send(Channel.stdout, b)),
      stderr: sink((b) => send(opts.tty ? Channel.stdout : Channel.stderr, b)),
      tty: opts.tty,
      resize,
    };
    void run(io).then((status) => {
      send(Channel.error, Buffer.from(JSON.stringify(status)));
      finish();
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });
  });
}

/** exec/attach over SPDY/3.1 (the client opens error, stdin, stdout, stderr, resize streams) */
export function serveSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, run: (io: ExecIO) => Promise<Record<string, unknown>>, opts: ExecOptions): void {
  const offered = String(req.headers['x-stream-protocol-version'] ?? '');
  const protocol = selectProtocol(offered, SPDY_PROTOCOLS);
  if (!protocol) {
    rejectUpgrade(
      socket,
      new ApiError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.split(',').map((s) => s.trim()).join(' ')}], server supports [${SPDY_PROTOCOLS.join(' ')}]`),
    );
    return;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const conn = new SpdyServerConnection(socket, head);
  const expected = new Set<string>(['error']);
  if (opts.stdin) expected.add('stdin');
  if (opts.stdout) expected.add('stdout');
  if (opts.stderr && !opts.tty) expected.add('stderr');
  if (opts.tty) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  const stdin = opts.stdin ? new PassThrough() : undefined;
  const resize = opts.tty ? new PassThrough({ objectMode: true }) : undefined;
  let started = false;
  // kubelet's streamCreationTimeout
  const timer = setTimeout(() => {
    if (!started) conn.goAway();
  }, 30_000);
  conn.on('close', () => {
    clearTimeout(timer);
    stdin?.end();
    resize?.end();
  });
  conn.on('stream', (s: SpdyStream) => {
    const type = s.headers.streamtype;
    streams.set(type, s);
    if (type === 'stdin') {
      s.on('data', (d: Buffer) => stdin?.write(d));
      s.on('end', () => stdin?.end());
    } else if (type === 'resize') {
      let buf = '';
      s.on('data', (d: Buffer) => {
        // one JSON object per write, decoded as a stream
        buf += d.toString('utf8');
        for (let i = buf.indexOf('}'); i >= 0; i = buf.indexOf('}')) {
          const size = parseSize(Buffer.from(buf.slice(0, i + 1)));
          buf = buf.slice(i + 1);
          if (size) resize?.write(size);
        }
      });
    }
    if (!started && [...expected].every((t) => streams.has(t))) {
      started = true;
      clearTimeout(timer);
      start();
    }
  });

  function start() {
    const out = streams.get('stdout');
    const err = streams.get('stderr');
    const io: ExecIO = {
      stdin,
      stdout: sink((b) => out?.write(b)),
      stderr: sink((b) => (opts.tty ? out : err)?.write(b)),
      tty: opts.tty,
      resize,
    };
    void run(io).then((status) => {
      const errStream = streams.get('error')!;
      errStream.write(JSON.stringify(status));
      for (const s of streams.values()) s.end();
      conn.goAway();
      resize?.end();
    });
  }
}

/** the Sec-WebSocket-Accept value for a key (RFC 6455), for tests */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}
