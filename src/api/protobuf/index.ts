// Kubernetes protobuf request bodies (kubectl 1.32 `create ...`, `drain` evictions).
export { isProtobufBody, decodeProtobufObject, decodeMessage, decodeUnknown, PROTOBUF_MAGIC, PROTOBUF_CONTENT_TYPE } from './decode.js';
export { KINDS as PROTOBUF_KINDS } from './schema.js';
