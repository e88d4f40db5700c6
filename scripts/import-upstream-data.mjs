#!/usr/bin/env node
// Refreshes the upstream Kubernetes data kindling ships, from local git clones of the upstream
// repositories (this machine has no network access to them; clone or mirror them first):
//   node scripts/import-upstream-data.mjs --python-client <git dir> --api <git dir> --apimachinery <git dir>
// Each <git dir> may be a bare repository or a work tree; files are read at the pinned tags below,
// never from whatever is checked out.
//
// What it writes (see the README.md beside each):
//   src/api/openapi/data/swagger.json.gz   kubernetes-client/python kubernetes/swagger.json.unprocessed
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
