#!/usr/bin/env node
// Refreshes the upstream Kubernetes data kindling ships, from local git clones of the upstream
// repositories (this machine has no network access to them; clone or mirror them first):
//   node scripts/import-upstream-data.mjs --python-client <git dir> --api <git dir> --apimachinery <git dir>
// Each <git dir> may be a bare repository or a work tree; files are read at the pinned tags below,
// never from whatever is checked out. Then it regenerates the protobuf field tables.
//
// What it writes (see the README.md beside each):
//   src/api/openapi/data/swagger.json.gz   kubernetes-client/python kubernetes/swagger.json.unprocessed
//   src/api/protobuf/upstream/k8s.io/...   generated.proto files of k8s.io/api and k8s.io/apimachinery
//   src/api/protobuf/upstream/go-json.json the Go JSON facts generated.proto does not carry, read from
//                                          the struct tags of the same packages' .go files
//   src/api/protobuf/tables.ts             by scripts/gen-protobuf-tables.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

/** the served version is v1.32.4: the 1.32 documents of each upstream repository */
export const PINS = {
  // client 32.0.1 is generated from Kubernetes release-1.32 (scripts/constants.py KUBERNETES_BRANCH)
  pythonClient: 'v32.0.1',
  // k8s.io/api and k8s.io/apimachinery v0.32.4 are Kubernetes v1.32.4's staging repositories
  api: 'v0.32.4',
  apimachinery: 'v0.32.4',
};

/** generated.proto files the protobuf decoder's kinds need (their imports included) */
export const PROTO_FILES = {
  api: ['core/v1', 'apps/v1', 'batch/v1', 'policy/v1', 'scheduling/v1', 'networking/v1'],
  apimachinery: ['pkg/apis/meta/v1', 'pkg/runtime', 'pkg/runtime/schema', 'pkg/util/intstr', 'pkg/api/resource'],
};

const root = new URL('..', import.meta.url);
const { values } = parseArgs({ options: { 'python-client': { type: 'string' }, api: { type: 'string' }, apimachinery: { type: 'string' } } });
for (const k of ['python-client', 'api', 'apimachinery']) {
  if (!values[k]) {
    console.error(`missing --${k} <git dir>: usage: node scripts/import-upstream-data.mjs --python-client <dir> --api <dir> --apimachinery <dir>`);
    process.exit(2);
  }
}

/** a file's bytes at a tag, and the commit the tag names */
function show(repo, tag, path) {
  const commit = execFileSync('git', ['-C', repo, 'rev-parse', `${tag}^{commit}`], { encoding: 'utf8' }).trim();
  return { commit, bytes: execFileSync('git', ['-C', repo, 'show', `${commit}:${path}`], { maxBuffer: 64 << 20 }) };
}

function write(relative, bytes) {
  const url = new URL(relative, root);
  mkdirSync(dirname(url.pathname), { recursive: true });
  writeFileSync(url, bytes);
  console.log(`${relative} (${bytes.length} bytes)`);
}

// 1. the OpenAPI v2 document, byte for byte, gzipped (gzip from Node has no timestamp: reproducible)
const swagger = show(values['python-client'], PINS.pythonClient, 'kubernetes/swagger.json.unprocessed');
const doc = JSON.parse(swagger.bytes.toString('utf8'));
if (doc.swagger !== '2.0' || !doc.definitions || !doc.paths) throw new Error('kubernetes/swagger.json.unprocessed is not an OpenAPI v2 document');
write('src/api/openapi/data/swagger.json.gz', gzipSync(swagger.bytes, { level: 9 }));
console.log(`  kubernetes-client/python ${PINS.pythonClient} (${swagger.commit}): ${Object.keys(doc.definitions).length} definitions, ${Object.keys(doc.paths).length} paths`);

// 2. the generated.proto files, at the import paths they name each other by, and per message the
// Go facts of each field that decide its JSON: pointer or not, omitempty or not, inlined or not
const goJson = {};
for (const [repo, dirs] of Object.entries(PROTO_FILES)) {
  for (const dir of dirs) {
    const file = show(values[repo], PINS[repo], `${dir}/generated.proto`);
    write(`src/api/protobuf/upstream/k8s.io/${repo}/${dir}/generated.proto`, file.bytes);
    const protoPackage = `k8s.io.${repo}.${dir.replaceAll('/', '.')}`;
    for (const goFile of goFiles(values[repo], PINS[repo], dir)) {
      Object.assign(goJson, goStructFacts(show(values[repo], PINS[repo], goFile).bytes.toString('utf8'), protoPackage));
    }
  }
  console.log(`  kubernetes/${repo} ${PINS[repo]} (${show(values[repo], PINS[repo], 'LICENSE').commit})`);
}
write('src/api/protobuf/upstream/go-json.json', Buffer.from(JSON.stringify(sortKeys(goJson), null, 1) + '\n'));

/** the package's hand-written .go files (generated ones declare no API structs) */
function goFiles(repo, tag, dir) {
  const names = execFileSync('git', ['-C', repo, 'ls-tree', '--name-only', `${tag}^{commit}`, `${dir}/`], { encoding: 'utf8' }).split('\n');
  return names.filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !/\/(generated\.pb|zz_generated\.[^/]*|types_swagger_doc_generated)\.go$/.test(n));
}

/**
 * For each struct field that has a protobuf tag: its field number -> { json, pointer, omitempty, inline }.
 * Struct fields in the API packages are one per line: `Name Type \`json:"..." protobuf:"..."\``,
 * or an embedded `Type \`json:...\``.
 */
function goStructFacts(source, protoPackage) {
  const out = {};
  let struct;
  for (const line of source.split('\n')) {
    const open = /^type (\w+) struct \{/.exec(line);
    if (open) {
      struct = open[1];
      continue;
    }
    if (/^\}/.test(line)) struct = undefined;
    if (!struct) continue;
    const m = /^\t(?:(\w+)\s+)?(\S+)\s+`([^`]*)`/.exec(line);
    if (!m) continue;
    const [, name, type, tags] = m;
    const proto = /protobuf:"\w+,(\d+),/.exec(tags);
    const json = /json:"([^"]*)"/.exec(tags);
    if (!proto || !json) continue;
    const [jsonName, ...opts] = json[1].split(',');
    const facts = { json: jsonName, pointer: type.startsWith('*'), omitempty: opts.includes('omitempty'), inline: opts.includes('inline') || (!name && jsonName === '') };
    ((out[`${protoPackage}.${struct}`] ??= {})[proto[1]] = facts);
  }
  return out;
}

function sortKeys(o) {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

// 3. the tables generated from them
execFileSync(process.execPath, [new URL('gen-protobuf-tables.mjs', import.meta.url).pathname], { stdio: 'inherit' });
