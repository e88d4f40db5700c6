import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { PassThrough } from 'node:stream';
import {
  adler32,
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameParser,
  HeaderCompressor,
  HeaderDecompressor,
  SPDY3_DICTIONARY,
  SpdyServerConnection,
  type Frame,
  type SpdyStream,
} from './spdy.js';

describe('SPDY/3 header compression', () => {
  it('has the 1423-byte SPDY/3 dictionary', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(adler32(SPDY3_DICTIONARY)).toBe(0xe3c6a7c2);
    expect(SPDY3_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')]));
  });

  it('writes stored blocks with the zlib dictionary header and a sync marker after each block', () => {
    const c = new HeaderCompressor();
    const first = c.compress(Buffer.from('abc'));
    expect([...first.subarray(0, 6)]).toEqual([0x78, 0xbb, 0xe3, 0xc6, 0xa7, 0xc2]);
    expect([...first.subarray(6)]).toEqual([0, 3, 0, 0xfc, 0xff, 0x61, 0x62, 0x63, 0, 0, 0, 0xff, 0xff]);
    const second = c.compress(Buffer.from('de'));
    expect([...second]).toEqual([0, 2, 0, 0xfd, 0xff, 0x64, 0x65, 0, 0, 0, 0xff, 0xff]);
    // a standard inflater (as Go's zlib reader) reads both blocks as one stream
    const out = zlib.inflateSync(Buffer.concat([first, second]), { dictionary: SPDY3_DICTIONARY, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(out.toString()).toBe('abcde');
  });

  it('reads header blocks a real deflater wrote with the dictionary, block by block', async () => {
    // what Go's zlib writer does: one context, Flush() (sync flush) after each header block
    const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
    const flushOut = (raw: Buffer) =>
      new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        const on = (c: Buffer) => chunks.push(c);
        deflate.on('data', on);
        deflate.write(raw);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          deflate.off('data', on);
          resolve(Buffer.concat(chunks));
        });
      });
    const d = new HeaderDecompressor();
    const a = await flushOut(encodeHeaderBlock({ streamtype: 'error' }));
    const b = await flushOut(encodeHeaderBlock({ streamtype: 'stdout' }));
    expect(decodeHeaderBlock(d.decompress(a))).toEqual({ streamtype: 'error' });
    expect(decodeHeaderBlock(d.decompress(b))).toEqual({ streamtype: 'stdout' });
    deflate.close();
  });

  it('rejects a truncated header block', () => {
    expect(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9, 0x61]))).toThrow('short header block');
  });
});

describe('SPDY/3 frames', () => {
  const frames: Frame[] = [
    { type: 'SYN_STREAM', streamId: 1, associatedId: 0, priority: 0, slot: 0, flags: 0, headers: { streamtype: 'error' } },
    { type: 'SYN_STREAM', streamId: 3, associatedId: 0, priority: 7, slot: 0, flags: FLAG_FIN, headers: { streamtype: 'stdin', 'x-a': 'b\u0000c' } },
    { type: 'SYN_REPLY', streamId: 3, flags: 0, headers: {} },
    { type: 'DATA', streamId: 5, flags: 0, data: Buffer.from('hello') },
    { type: 'DATA', streamId: 5, flags: FLAG_FIN, data: Buffer.alloc(0) },
    { type: 'RST_STREAM', streamId: 7, status: 5 },
    { type: 'SETTINGS', flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] },
    { type: 'PING', id: 1 },
    { type: 'GOAWAY', lastGoodStreamId: 9, status: 0 },
    { type: 'HEADERS', streamId: 9, flags: 0, headers: { a: '1' } },
    { type: 'WINDOW_UPDATE', streamId: 5, delta: 1024 },
  ];

  it('round-trips every frame type through one compression context per direction', () => {
    const comp = new HeaderCompressor();
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f, comp)));
    const parser = new FrameParser();
    // byte by byte: frames split anywhere across TCP reads
    const out: Frame[] = [];
    for (let i = 0; i < wire.length; i++) out.push(...parser.push(wire.subarray(i, i + 1)));
    expect(out).toEqual(frames);
  });

  it('encodes control frame headers as SPDY/3 (version 3, type, flags, 24-bit length)', () => {
    const ping = encodeFrame({ type: 'PING', id: 0x01020304 });
    expect([...ping]).toEqual([0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 1, 2, 3, 4]);
    const data = encodeFrame({ type: 'DATA', streamId: 5, flags: FLAG_FIN, data: Buffer.from('x') });
    expect([...data]).toEqual([0, 0, 0, 5, 1, 0, 0, 1, 0x78]);
  });
});

describe('SpdyServerConnection', () => {
  it('answers SYN_STREAM with SYN_REPLY, echoes PING, delivers data and FIN, ends with GOAWAY', async () => {
    const toServer = new PassThrough();
    const fromServer: Buffer[] = [];
    const socket = Object.assign(toServer, {}) as PassThrough;
    const origWrite = socket.write.bind(socket);
    // the server writes to the same duplex it reads from: capture writes instead
    socket.write = ((chunk: Buffer) => {
      fromServer.push(chunk);
      return true;
    }) as typeof socket.write;
    const conn = new SpdyServerConnection(socket);
    const streams: SpdyStream[] = [];
    const got: string[] = [];
    conn.on('stream', (s: SpdyStream) => {
      streams.push(s);
      s.on('data', (d: Buffer) => got.push(`${s.headers.streamtype}:${d}`));
      s.on('end', () => got.push(`${s.headers.streamtype}:EOF`));
    });
    const clientComp = new HeaderCompressor();
    const send = (f: Frame) => origWrite(encodeFrame(f, clientComp));
    send({ type: 'SYN_STREAM', streamId: 1, associatedId: 0, priority: 0, slot: 0, flags: 0, headers: { streamtype: 'error' } });
    send({ type: 'SYN_STREAM', streamId: 3, associatedId: 0, priority: 0, slot: 0, flags: 0, headers: { streamtype: 'stdin' } });
    send({ type: 'DATA', streamId: 3, flags: 0, data: Buffer.from('in') });
    send({ type: 'DATA', streamId: 3, flags: FLAG_FIN, data: Buffer.alloc(0) });
    send({ type: 'PING', id: 1 });
    await new Promise((r) => setImmediate(r));
    expect(streams.map((s) => [s.id, s.headers.streamtype])).toEqual([[1, 'error'], [3, 'stdin']]);
    expect(got).toEqual(['stdin:in', 'stdin:EOF']);
    streams[0].write('{"status":"Success"}');
    streams[0].end();
    conn.goAway();
    const replies = new FrameParser().push(Buffer.concat(fromServer));
    expect(replies).toEqual([
      { type: 'SYN_REPLY', streamId: 1, flags: 0, headers: {} },
      { type: 'SYN_REPLY', streamId: 3, flags: 0, headers: {} },
      { type: 'PING', id: 1 },
      { type: 'DATA', streamId: 1, flags: 0, data: Buffer.from('{"status":"Success"}') },
      { type: 'DATA', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
      { type: 'GOAWAY', lastGoodStreamId: 3, status: 0 },
    ]);
  });
});
