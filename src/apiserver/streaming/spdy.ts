// SPDY/3.1 framing, just enough for Kubernetes' remotecommand streams (kubectl 1.20's only
// exec transport, 1.32's fallback): frames, header blocks compressed with the SPDY/3
// dictionary, and a server-side connection that accepts client streams.
//
// Header blocks: one zlib context per direction. Ours are written as zlib *stored* blocks
// each followed by an empty stored block (the sync marker 00 00 00 ff ff): Go's flate reader
// (moby/spdystream's framer) otherwise hits a sticky EOF and the second SYN_REPLY stalls.
// Theirs are inflated by replaying every header byte received so far with Z_SYNC_FLUSH.

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export type Headers = Record<string, string>;

export type Frame =
  | { type: 'DATA'; streamId: number; flags: number; data: Buffer }
  | { type: 'SYN_STREAM'; streamId: number; associatedId: number; priority: number; slot: number; flags: number; headers: Headers }
  | { type: 'SYN_REPLY'; streamId: number; flags: number; headers: Headers }
  | { type: 'RST_STREAM'; streamId: number; status: number }
  | { type: 'SETTINGS'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'PING'; id: number }
  | { type: 'GOAWAY'; lastGoodStreamId: number; status: number }
  | { type: 'HEADERS'; streamId: number; flags: number; headers: Headers }
  | { type: 'WINDOW_UPDATE'; streamId: number; delta: number }
  | { type: 'UNKNOWN'; frameType: number; flags: number; data: Buffer };

/**
 * The SPDY/3 header compression dictionary (draft-mbelshe-httpbis-spdy-00 §2.6.10.1): the
 * length-prefixed names below, then a run of common values. 1423 bytes, adler32 0xe3c6a7c2.
 */
export const SPDY3_DICTIONARY: Buffer = (() => {
  const names = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
    'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
    'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
    'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
    'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
    'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
    'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
    '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
    '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
    'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
    'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
    'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';
  const parts: Buffer[] = [];
  for (const n of names) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(n.length);
    parts.push(len, Buffer.from(n, 'latin1'));
  }
  parts.push(Buffer.from(tail, 'latin1'));
  return Buffer.concat(parts);
})();

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < buf.length; i++) {
    a = (a + buf[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** the uncompressed header block: count, then (name, value) with 32-bit lengths; several values joined by NUL */
export function encodeHeaderBlock(headers: Headers): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase(), 'utf8');
    const vb = Buffer.from(v, 'utf8');
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): Headers {
  if (buf.length < 4) throw new Error('spdy: short header block');
  const n = buf.readUInt32BE(0);
  let off = 4;
  const out: Headers = {};
  const take = () => {
    if (off + 4 > buf.length) throw new Error('spdy: short header block');
    const len = buf.readUInt32BE(off);
    off += 4;
    if (off + len > buf.length) throw new Error('spdy: short header block');
    const s = buf.subarray(off, off + len).toString('utf8');
    off += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const k = take();
    out[k] = take();
  }
  return out;
}

/** our direction's zlib context: stored blocks, each flushed with the sync marker */
export class HeaderCompressor {
  private started = false;

  compress(raw: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window), FLG 0xbb (FDICT, level 2, check bits), then the dictionary id
      parts.push(Buffer.from([0x78, 0xbb]), u32(adler32(SPDY3_DICTIONARY)));
    }
    for (let off = 0; off < raw.length || off === 0; off += 0xffff) {
      const chunk = raw.subarray(off, off + 0xffff);
      parts.push(storedBlockHeader(chunk.length), chunk);
      if (raw.length === 0) break;
    }
    parts.push(storedBlockHeader(0)); // 00 00 00 ff ff
    return Buffer.concat(parts);
  }
}

function storedBlockHeader(len: number): Buffer {
  const b = Buffer.alloc(5);
  b[0] = 0; // BFINAL 0, BTYPE 00, padded to the byte boundary
  b.writeUInt16LE(len, 1);
  b.writeUInt16LE(~len & 0xffff, 3);
  return b;
}

/** the peer's zlib context, one per connection direction */
export class HeaderDecompressor {
  private input: Buffer[] = [];
  private produced = 0;

  decompress(compressed: Buffer): Buffer {
    this.input.push(compressed);
    const all = Buffer.concat(this.input);
    this.input = [all];
    const out = zlib.inflateSync(all, { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const fresh = out.subarray(this.produced);
    this.produced = out.length;
    return fresh;
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | (payload.length & 0xffffff), 4);
  return Buffer.concat([h, payload]);
}

/** encode a frame; frames with headers use (and advance) the given compressor */
export function encodeFrame(f: Frame, comp?: HeaderCompressor): Buffer {
  const hdrs = (h: Headers) => {
    if (!comp) throw new Error('spdy: a header compressor is needed');
    return comp.compress(encodeHeaderBlock(h));
  };
  switch (f.type) {
    case 'DATA': {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE(((f.flags & 0xff) << 24) | (f.data.length & 0xffffff), 4);
      return Buffer.concat([h, f.data]);
    }
    case 'SYN_STREAM': {
      const p = Buffer.alloc(10);
      p.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      p.writeUInt32BE(f.associatedId & 0x7fffffff, 4);
      p[8] = (f.priority & 7) << 5;
      p[9] = f.slot & 0xff;
      return control(FrameType.SYN_STREAM, f.flags, Buffer.concat([p, hdrs(f.headers)]));
    }
    case 'SYN_REPLY':
      return control(FrameType.SYN_REPLY, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), hdrs(f.headers)]));
    case 'HEADERS':
      return control(FrameType.HEADERS, f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), hdrs(f.headers)]));
    case 'RST_STREAM':
      return control(FrameType.RST_STREAM, 0, Buffer.concat([u32(f.streamId & 0x7fffffff), u32(f.status)]));
    case 'SETTINGS': {
      const parts = [u32(f.entries.length)];
      for (const e of f.entries) parts.push(u32(((e.flags & 0xff) << 24) | (e.id & 0xffffff)), u32(e.value));
      return control(FrameType.SETTINGS, f.flags, Buffer.concat(parts));
    }
    case 'PING':
      return control(FrameType.PING, 0, u32(f.id));
    case 'GOAWAY':
      return control(FrameType.GOAWAY, 0, Buffer.concat([u32(f.lastGoodStreamId & 0x7fffffff), u32(f.status)]));
    case 'WINDOW_UPDATE':
      return control(FrameType.WINDOW_UPDATE, 0, Buffer.concat([u32(f.streamId & 0x7fffffff), u32(f.delta & 0x7fffffff)]));
    case 'UNKNOWN':
      return control(f.frameType, f.flags, f.data);
  }
}

/** splits a byte stream into frames; header blocks go through the given decompressor */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly decomp: HeaderDecompressor = new HeaderDecompressor()) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const head = this.buf.subarray(0, 8);
      const payload = this.buf.subarray(8, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      frames.push(this.decode(head, Buffer.from(payload)));
    }
    return frames;
  }

  private decode(head: Buffer, p: Buffer): Frame {
    const flags = head[4];
    if (!(head[0] & 0x80)) return { type: 'DATA', streamId: head.readUInt32BE(0) & 0x7fffffff, flags, data: p };
    const version = head.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw new Error(`spdy: unsupported version ${version}`);
    const type = head.readUInt16BE(2);
    const id = () => p.readUInt32BE(0) & 0x7fffffff;
    switch (type) {
      case FrameType.SYN_STREAM:
        return {
          type: 'SYN_STREAM',
          streamId: id(),
          associatedId: p.readUInt32BE(4) & 0x7fffffff,
          priority: p[8] >> 5,
          slot: p[9],
          flags,
          headers: decodeHeaderBlock(this.decomp.decompress(p.subarray(10))),
        };
      case FrameType.SYN_REPLY:
        return { type: 'SYN_REPLY', streamId: id(), flags, headers: decodeHeaderBlock(this.decomp.decompress(p.subarray(4))) };
      case FrameType.HEADERS:
        return { type: 'HEADERS', streamId: id(), flags, headers: decodeHeaderBlock(this.decomp.decompress(p.subarray(4))) };
      case FrameType.RST_STREAM:
        return { type: 'RST_STREAM', streamId: id(), status: p.readUInt32BE(4) };
      case FrameType.SETTINGS: {
        const n = p.readUInt32BE(0);
        const entries = [];
        for (let i = 0; i < n; i++) {
          const fi = p.readUInt32BE(4 + i * 8);
          entries.push({ flags: fi >>> 24, id: fi & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
        }
        return { type: 'SETTINGS', flags, entries };
      }
      case FrameType.PING:
        return { type: 'PING', id: p.readUInt32BE(0) };
      case FrameType.GOAWAY:
        return { type: 'GOAWAY', lastGoodStreamId: id(), status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
      case FrameType.WINDOW_UPDATE:
        return { type: 'WINDOW_UPDATE', streamId: id(), delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'UNKNOWN', frameType: type, flags, data: p };
    }
  }
}

/** one client-opened stream on a server connection */
export class SpdyStream extends EventEmitter {
  /** the peer sent FIN */
  remoteClosed = false;
  /** we sent FIN */
  localClosed = false;
  constructor(
    private readonly conn: SpdyServerConnection,
    readonly id: number,
    readonly headers: Headers,
  ) {
    super();
  }

  write(data: Buffer | string): void {
    if (this.localClosed || this.conn.closed) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < buf.length; off += 0xffff) {
      this.conn.send({ type: 'DATA', streamId: this.id, flags: 0, data: buf.subarray(off, off + 0xffff) });
    }
  }

  /** half-close: DATA with FIN */
  end(): void {
    if (this.localClosed || this.conn.closed) return;
    this.localClosed = true;
    this.conn.send({ type: 'DATA', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
  }

  /** @internal */
  receive(data: Buffer, fin: boolean): void {
    if (data.length) this.emit('data', data);
    if (fin && !this.remoteClosed) {
      this.remoteClosed = true;
      this.emit('end');
    }
  }
}

/**
 * The server side of a SPDY/3.1 session on an upgraded socket: answers each SYN_STREAM with a
 * SYN_REPLY, echoes PINGs, ignores SETTINGS and WINDOW_UPDATE. Events: 'stream' (SpdyStream),
 * 'close'.
 */
export class SpdyServerConnection extends EventEmitter {
  readonly streams = new Map<number, SpdyStream>();
  closed = false;
  private readonly comp = new HeaderCompressor();
  private readonly parser = new FrameParser();
  private lastStreamId = 0;
  private socketGone = false;

  constructor(private readonly socket: Duplex, head?: Buffer) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    if (head?.length) queueMicrotask(() => this.onData(head));
  }

  send(f: Frame): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(f, this.comp));
  }

  /** GOAWAY, then close the socket once written */
  goAway(status = 0): void {
    if (this.closed) return;
    this.send({ type: 'GOAWAY', lastGoodStreamId: this.lastStreamId, status });
    this.closed = true;
    this.socket.end();
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.goAway(1); // PROTOCOL_ERROR
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'SYN_STREAM': {
        this.lastStreamId = Math.max(this.lastStreamId, f.streamId);
        const s = new SpdyStream(this, f.streamId, f.headers);
        this.streams.set(f.streamId, s);
        this.send({ type: 'SYN_REPLY', streamId: f.streamId, flags: 0, headers: {} });
        this.emit('stream', s);
        if (f.flags & FLAG_FIN) s.receive(Buffer.alloc(0), true);
        return;
      }
      case 'DATA':
        this.streams.get(f.streamId)?.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      case 'RST_STREAM': {
        const s = this.streams.get(f.streamId);
        if (s) {
          s.localClosed = true;
          s.receive(Buffer.alloc(0), true);
          s.emit('reset', f.status);
        }
        return;
      }
      case 'PING':
        this.send({ type: 'PING', id: f.id });
        return;
      case 'GOAWAY':
        this.emit('goaway');
        return;
      default:
        return;
    }
  }

  private onClose(): void {
    if (this.socketGone) return;
    this.socketGone = true;
    this.closed = true;
    for (const s of this.streams.values()) s.receive(Buffer.alloc(0), true);
    this.emit('close');
  }
}
