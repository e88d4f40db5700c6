// Read a snapshot file: kindling's own List, plain `kubectl get ... -o yaml` output (a List),
// or a kwok k8s-yaml snapshot (a stream of documents, one object each). Every object that
// cannot be part of a snapshot is named with why; nothing is dropped silently.

import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../client/types.js';
import { describe, NEVER_EXPORTED, snapshotKind, SNAPSHOT_KINDS } from './kinds.js';

export interface Problem {
  /** "Pod default/web-1", or "document 3" */
  object: string;
  message: string;
}

export interface ParsedSnapshot {
  objects: KubeObject[];
  problems: Problem[];
}

const KNOWN = SNAPSHOT_KINDS.map((k) => k.kind).join(', ');

export function parseSnapshot(text: string): ParsedSnapshot {
  const objects: KubeObject[] = [];
  const problems: Problem[] = [];
  const docs = parseAllDocuments(text, { version: '1.1' });
  const list = Array.isArray(docs) ? docs : [docs];
  const take = (o: unknown, where: string) => {
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      problems.push({ object: where, message: 'not a Kubernetes object' });
      return;
    }
    const obj = o as KubeObject;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      (obj.items as unknown[]).forEach((item, i) => take(item, `${where}, item ${i + 1}`));
      return;
    }
    if (typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string' || !obj.metadata || typeof obj.metadata.name !== 'string') {
      problems.push({ object: where, message: 'not a Kubernetes object (apiVersion, kind and metadata.name are required)' });
      return;
    }
    if (NEVER_EXPORTED.has(obj.kind)) {
      problems.push({ object: describe(obj), message: `${obj.kind}s are never part of a snapshot` });
      return;
    }
    if (!snapshotKind(obj.apiVersion, obj.kind)) {
      problems.push({ object: describe(obj), message: `${obj.apiVersion} ${obj.kind} is not part of a snapshot (only ${KNOWN})` });
      return;
    }
    objects.push(obj);
  };
  list.forEach((doc, i) => {
    const where = `document ${i + 1}`;
    if (doc.errors.length) {
      problems.push({ object: where, message: `not YAML: ${doc.errors[0].message.split('\n')[0]}` });
      return;
    }
    if (doc.contents === null) return;
    take(doc.toJS(), where);
  });
  return { objects, problems };
}
