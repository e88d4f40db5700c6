// A small protobuf wire-format reader: just enough to walk the fields of a message.
// Kubernetes' generated.proto messages use only varints and length-delimited fields
// (plus fixed64/fixed32 that we skip), and never groups.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface WireField {
  num: number;
  wireType: number;
  /** for varints: the raw unsigned 64-bit value */
  varint?: bigint;
  /** for length-delimited fields: the bytes */
  bytes?: Buffer;
}

export class WireError extends Error {}

/** read a varint at `pos`; returns [value, next position] */
export function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireError('unexpected end of data in varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), pos];
    shift += 7n;
  }
  throw new WireError('varint too long');
}

/** every field of one message, in wire order */
export function* readFields(buf: Buffer): Generator<WireField> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const num = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (num === 0) throw new WireError('invalid field number 0');
    switch (wireType) {
      case WIRE_VARINT: {
        const [v, next] = readVarint(buf, pos);
        pos = next;
        yield { num, wireType, varint: v };
        break;
      }
      case WIRE_LEN: {
        const [len, next] = readVarint(buf, pos);
        const end = next + Number(len);
        if (end > buf.length) throw new WireError(`field ${num}: length ${len} runs past the end of the data`);
        pos = end;
        yield { num, wireType, bytes: buf.subarray(next, end) };
        break;
      }
      case WIRE_FIXED64:
        if (pos + 8 > buf.length) throw new WireError('unexpected end of data in fixed64');
        yield { num, wireType, varint: buf.readBigUInt64LE(pos) };
        pos += 8;
        break;
      case WIRE_FIXED32:
        if (pos + 4 > buf.length) throw new WireError('unexpected end of data in fixed32');
        yield { num, wireType, varint: BigInt(buf.readUInt32LE(pos)) };
        pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType} for field ${num}`);
    }
  }
}

/** a varint as a signed int32 / int64 JS number (int64 beyond 2^53 loses precision, as JSON does) */
export function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
export function toInt64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
