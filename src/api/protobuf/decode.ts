// Decoding Kubernetes protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf):
// the magic "k8s\0", a runtime.Unknown envelope {1 TypeMeta, 2 raw, 3 contentEncoding,
// 4 contentType}, and in raw the object's own message. The result is the object as the
// JSON API carries it, with Go's omitempty rules, so defaulting and validation see the same.

import type { KubeObject } from '../../client/types.js';
import { ApiError, badRequest } from '../errors.js';
import { KINDS, MESSAGES, type FieldSpec, type MessageSpec, type ScalarType } from './schema.js';
import { readFields, toInt32, toInt64, WireError, WIRE_LEN, WIRE_VARINT, type WireField } from './wire.js';

export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** true when the body starts with the Kubernetes protobuf magic "k8s\0" */
export function isProtobufBody(buf: Buffer): boolean {
  return buf.length >= 4 && buf.subarray(0, 4).equals(PROTOBUF_MAGIC);
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function isZero(v: Json): boolean {
  return v === '' || v === 0 || v === false;
}

/** decode a scalar field; undefined when the wire type does not fit (field skipped) */
function scalar(type: ScalarType, w: WireField): Json | undefined {
  switch (type) {
    case 'string':
      return w.bytes?.toString('utf8');
    case 'bytes':
      return w.bytes?.toString('base64');
    case 'int32':
      return w.varint === undefined ? undefined : toInt32(w.varint);
    case 'int64':
      return w.varint === undefined ? undefined : toInt64(w.varint);
    case 'bool':
      return w.varint === undefined ? undefined : w.varint !== 0n;
    case 'time':
      return w.bytes ? decodeTime(w.bytes, false) : undefined;
    case 'microtime':
      return w.bytes ? decodeTime(w.bytes, true) : undefined;
    case 'intstr':
      return w.bytes ? decodeIntOrString(w.bytes) : undefined;
    case 'quantity':
      return w.bytes ? decodeQuantity(w.bytes) : undefined;
    case 'rawjson':
      return w.bytes ? decodeRawJson(w.bytes) : undefined;
  }
}

/**
 * metav1.Time and MicroTime: empty means the zero time (null in JSON, left out here); Time drops
 * the nanos as upstream does, MicroTime keeps microseconds (Go's "2006-01-02T15:04:05.000000Z07:00")
 */
function decodeTime(buf: Buffer, micro: boolean): Json {
  if (buf.length === 0) return null;
  let seconds = 0;
  let nanos = 0;
  for (const w of readFields(buf)) {
    if (w.num === 1 && w.varint !== undefined) seconds = toInt64(w.varint);
    else if (w.num === 2 && w.varint !== undefined) nanos = toInt32(w.varint);
  }
  const rfc3339 = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return micro ? rfc3339.replace('Z', `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`) : rfc3339;
}

/** metav1.FieldsV1 and runtime.RawExtension {1 raw}: the raw bytes are the JSON value (none: null, as Go marshals it) */
function decodeRawJson(buf: Buffer): Json {
  for (const w of readFields(buf)) if (w.num === 1 && w.bytes) return JSON.parse(w.bytes.toString('utf8')) as Json;
  return null;
}

function decodeIntOrString(buf: Buffer): Json {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const w of readFields(buf)) {
    if (w.num === 1 && w.varint !== undefined) type = toInt64(w.varint);
    else if (w.num === 2 && w.varint !== undefined) intVal = toInt32(w.varint);
    else if (w.num === 3 && w.bytes) strVal = w.bytes.toString('utf8');
  }
  return type === 1 ? strVal : intVal;
}

function decodeQuantity(buf: Buffer): Json {
  for (const w of readFields(buf)) if (w.num === 1 && w.bytes) return w.bytes.toString('utf8');
  return '';
}

/** a map entry {1 key, 2 value} */
function mapEntry(buf: Buffer, valueType: ScalarType): [string, Json] {
  let key = '';
  let value: Json = valueType === 'bytes' || valueType === 'string' || valueType === 'quantity' ? '' : 0;
  for (const w of readFields(buf)) {
    if (w.num === 1 && w.bytes) key = w.bytes.toString('utf8');
    else if (w.num === 2) {
      const v = scalar(valueType, w);
      if (v !== undefined) value = v;
    }
  }
  return [key, value];
}

/** values of a repeated scalar may come packed in one length-delimited field */
function repeatedScalars(type: ScalarType, w: WireField): Json[] {
  if (w.wireType === WIRE_LEN && (type === 'int32' || type === 'int64' || type === 'bool')) {
    const out: Json[] = [];
    // re-read the packed bytes as a run of varints with field number 1
    let pos = 0;
    const b = w.bytes!;
    while (pos < b.length) {
      let v = 0n;
      let shift = 0n;
      for (;;) {
        const byte = b[pos++];
        v |= BigInt(byte & 0x7f) << shift;
        if ((byte & 0x80) === 0) break;
        shift += 7n;
      }
      const s = scalar(type, { num: 1, wireType: WIRE_VARINT, varint: BigInt.asUintN(64, v) });
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  const s = scalar(type, w);
  return s === undefined ? [] : [s];
}

/** decode one message by its table into its JSON object */
export function decodeMessage(buf: Buffer, name: string): { [k: string]: Json } {
  const spec: MessageSpec | undefined = MESSAGES[name];
  if (!spec) throw new Error(`no protobuf table for ${name}`);
  const out: { [k: string]: Json } = {};
  for (const w of readFields(buf)) {
    const field: FieldSpec | undefined = spec[w.num];
    if (!field) continue; // unknown field numbers are skipped
    if (field.map) {
      if (!w.bytes) continue;
      const [k, v] = mapEntry(w.bytes, field.map);
      const m = (out[field.json] ??= {}) as { [k: string]: Json };
      m[k] = v;
      continue;
    }
    if (typeof field.type === 'object') {
      if (!w.bytes) continue;
      const value = decodeMessage(w.bytes, field.type.msg);
      if (field.repeated) ((out[field.json] ??= []) as Json[]).push(value);
      else if (field.inline) Object.assign(out, value);
      else out[field.json] = value;
      continue;
    }
    if (field.repeated) {
      ((out[field.json] ??= []) as Json[]).push(...repeatedScalars(field.type, w));
      continue;
    }
    const value = scalar(field.type, w);
    if (value === undefined || value === null) continue;
    // Go writes non-pointer zero values on the wire; its JSON omitempty leaves them out
    if (!field.keep && isZero(value)) {
      delete out[field.json];
      continue;
    }
    out[field.json] = value;
  }
  return out;
}

/** the runtime.Unknown envelope after the magic */
export function decodeUnknown(buf: Buffer): { apiVersion: string; kind: string; raw: Buffer; contentEncoding: string; contentType: string } {
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  let contentEncoding = '';
  let contentType = '';
  for (const w of readFields(buf)) {
    if (w.num === 1 && w.bytes) {
      for (const t of readFields(w.bytes)) {
        if (t.num === 1 && t.bytes) apiVersion = t.bytes.toString('utf8');
        else if (t.num === 2 && t.bytes) kind = t.bytes.toString('utf8');
      }
    } else if (w.num === 2 && w.bytes) raw = w.bytes;
    else if (w.num === 3 && w.bytes) contentEncoding = w.bytes.toString('utf8');
    else if (w.num === 4 && w.bytes) contentType = w.bytes.toString('utf8');
  }
  return { apiVersion, kind, raw, contentEncoding, contentType };
}

function unsupportedKind(apiVersion: string, kind: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - protobuf is not supported for kind "${kind}" in version "${apiVersion}"; accepted media types include: application/json, application/yaml`,
  );
}

/** decode a whole protobuf request body into the object the JSON API would carry */
export function decodeProtobufObject(buf: Buffer): KubeObject {
  if (!isProtobufBody(buf)) throw badRequest('the protobuf body does not start with the "k8s\\x00" prefix');
  try {
    const env = decodeUnknown(buf.subarray(4));
    const message = KINDS[`${env.apiVersion}/${env.kind}`];
    if (!message) throw unsupportedKind(env.apiVersion, env.kind);
    if (env.contentEncoding) throw unsupportedKind(env.apiVersion, `${env.kind} with contentEncoding ${env.contentEncoding}`);
    const body = decodeMessage(env.raw, message);
    const obj = { apiVersion: env.apiVersion, kind: env.kind, ...body } as unknown as KubeObject;
    if (!obj.metadata && message !== 'meta.v1.DeleteOptions') obj.metadata = {};
    return obj;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof WireError || e instanceof SyntaxError) throw badRequest(`unable to decode the protobuf body: ${e.message}`);
    throw e;
  }
}
