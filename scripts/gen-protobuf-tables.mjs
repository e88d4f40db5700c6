#!/usr/bin/env node
// Generates src/api/protobuf/tables.ts, the field tables the protobuf decoder reads, from the
// upstream data in src/api/protobuf/upstream/ (see its README.md):
//   - generated.proto: each message's field numbers, names, scalar/message types, repeated, maps;
//   - go-json.json: the Go facts of each field that generated.proto does not carry, which decide
//     its JSON (pointer: a zero on the wire was set and is kept; omitempty: a zero is left out;
//     inline: an embedded struct's fields join the parent object).
// Only the messages reachable from KINDS below are written. Run: node scripts/gen-protobuf-tables.mjs
// (--check: write nothing, exit 1 if tables.ts is not what the data generates)
import { readFileSync, writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/** the kinds kindling accepts as protobuf request bodies (kubectl 1.32 sends these): "apiVersion/kind" -> message */
const KINDS = {
  'v1/Namespace': 'k8s.io.api.core.v1.Namespace',
  'v1/ConfigMap': 'k8s.io.api.core.v1.ConfigMap',
  'v1/Secret': 'k8s.io.api.core.v1.Secret',
  'v1/ServiceAccount': 'k8s.io.api.core.v1.ServiceAccount',
  'v1/Service': 'k8s.io.api.core.v1.Service',
  'v1/Pod': 'k8s.io.api.core.v1.Pod',
  'v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'meta.k8s.io/v1/DeleteOptions': 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'apps/v1/Deployment': 'k8s.io.api.apps.v1.Deployment',
  'apps/v1/DaemonSet': 'k8s.io.api.apps.v1.DaemonSet',
  'batch/v1/Job': 'k8s.io.api.batch.v1.Job',
  'batch/v1/CronJob': 'k8s.io.api.batch.v1.CronJob',
  'scheduling.k8s.io/v1/PriorityClass': 'k8s.io.api.scheduling.v1.PriorityClass',
  'policy/v1/Eviction': 'k8s.io.api.policy.v1.Eviction',
  'policy/v1/PodDisruptionBudget': 'k8s.io.api.policy.v1.PodDisruptionBudget',
  'v1/ResourceQuota': 'k8s.io.api.core.v1.ResourceQuota',
  'networking.k8s.io/v1/Ingress': 'k8s.io.api.networking.v1.Ingress',
};

/** messages whose Go types marshal their own JSON: decoded as one value (see decode.ts) */
const SPECIAL = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microtime',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intstr',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'rawjson',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawjson',
};

const SCALARS = { string: 'string', bytes: 'bytes', int32: 'int32', int64: 'int64', bool: 'bool' };

const upstream = new URL('../src/api/protobuf/upstream/', import.meta.url);
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => new URL(target, upstream).pathname;
// a message's package names its file: k8s.io.api.core.v1.Pod is in k8s.io/api/core/v1/generated.proto
const protoFile = (message) => `k8s.io/${message.split('.').slice(2, -1).join('/')}/generated.proto`;
root.loadSync([...new Set(Object.values(KINDS).map(protoFile))], { keepCase: true });
root.resolveAll();
const goJson = JSON.parse(readFileSync(new URL('go-json.json', upstream), 'utf8'));

/** short, readable table keys: core.v1.Pod, meta.v1.ObjectMeta, intstr.IntOrString */
const short = (full) => full.replace(/^k8s\.io\.api\./, '').replace(/^k8s\.io\.apimachinery\.pkg\.(apis\.|api\.|util\.)?/, '');

const tables = {};
const queue = [...new Set(Object.values(KINDS))];
while (queue.length) {
  const full = queue.shift();
  if (tables[short(full)]) continue;
  const type = root.lookupType(full);
  const facts = goJson[full];
  if (!facts) throw new Error(`${full}: no Go facts in go-json.json (re-run scripts/import-upstream-data.mjs)`);
  const fields = {};
  for (const field of type.fieldsArray) {
    const go = facts[field.id];
    if (!go) throw new Error(`${full}.${field.name} = ${field.id}: not among the Go struct's protobuf tags`);
    const spec = { json: go.json };
    const valueType = field.resolvedType ? field.resolvedType.fullName.slice(1) : field.type;
    const kind = typeOf(valueType, `${full}.${field.name}`);
    if (field.map) {
      if (field.keyType !== 'string' || typeof kind !== 'string') throw new Error(`${full}.${field.name}: map<${field.keyType}, ${valueType}> is not decoded`);
      spec.type = 'string';
      spec.map = kind;
    } else {
      spec.type = kind;
      if (field.repeated) spec.repeated = true;
    }
    // a pointer is on the wire only when set; a field without omitempty is always in Go's JSON
    if (typeof kind === 'string' && !field.repeated && !field.map && (go.pointer || !go.omitempty)) spec.keep = true;
    if (go.inline) spec.inline = true;
    fields[field.id] = spec;
    if (typeof kind === 'object') queue.push(valueType);
  }
  tables[short(full)] = fields;
}

function typeOf(name, where) {
  if (SCALARS[name]) return SCALARS[name];
  if (SPECIAL[name]) return SPECIAL[name];
  const t = root.lookup(name);
  if (!(t instanceof protobuf.Type)) throw new Error(`${where}: type ${name} is not decoded`);
  if (/\.(Duration|Unknown)$/.test(name)) throw new Error(`${where}: ${name} marshals its own JSON: add it to SPECIAL and decode.ts`);
  return { msg: short(name) };
}

const lines = [
  '// Generated by scripts/gen-protobuf-tables.mjs from upstream/ (k8s.io/api and k8s.io/apimachinery',
  '// generated.proto, and the Go struct tags of the same packages). Do not edit: re-run the script.',
  "import type { MessageSpec } from './schema.js';",
  '',
  '/** "apiVersion/kind" -> the message its protobuf body holds */',
  `export const KINDS: Record<string, string> = ${JSON.stringify(Object.fromEntries(Object.entries(KINDS).map(([k, v]) => [k, short(v)])), null, 2)};`,
  '',
  '/** message -> field number -> how to decode it */',
  'export const MESSAGES: Record<string, MessageSpec> = {',
  ...Object.keys(tables)
    .sort()
    .map((name) => `  ${JSON.stringify(name)}: {\n${Object.entries(tables[name]).map(([n, s]) => `    ${n}: ${JSON.stringify(s)},`).join('\n')}\n  },`),
  '};',
  '',
];
const out = new URL('../src/api/protobuf/tables.ts', import.meta.url);
const text = lines.join('\n').replaceAll('{}\n  }', '}');
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== text) {
    console.error('src/api/protobuf/tables.ts differs from what upstream/ generates: run node scripts/gen-protobuf-tables.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`src/api/protobuf/tables.ts: ${Object.keys(tables).length} messages`);
}
