// /openapi/v2 (JSON or gnostic protobuf), /swagger-2.0.0.pb-v1, /openapi/v3 and its
// per-group-version documents: the OpenAPI module's cached documents, with the server's
// custom resources added (src/apiextensions/openapi.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Extension } from './http.js';
import type { ResourceTable } from '../api/resources.js';
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from '../api/openapi/gnostic.js';
import { openapiDocuments } from '../apiextensions/openapi.js';

function wantsProtobuf(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('protobuf');
}

export function openapiExtension(resources: ResourceTable): Extension {
  const docs = openapiDocuments(resources);
  return {
    handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
      const path = url.pathname.replace(/\/+$/, '');
      if (req.method !== 'GET') return false;
      if (path === '/openapi/v2' || path === '/swagger-2.0.0.pb-v1' || path === '/swagger.json') {
        const proto = path === '/swagger-2.0.0.pb-v1' || (path === '/openapi/v2' && wantsProtobuf(req));
        const body = proto ? docs.v2Protobuf() : docs.v2Json();
        res.writeHead(200, {
          'Content-Type': proto ? OPENAPI_V2_PROTOBUF_CONTENT_TYPE : 'application/json',
          'Content-Length': body.length,
          ETag: docs.v2ETag(),
        });
        res.end(body);
        return true;
      }
      if (path === '/openapi/v3') {
        const body = JSON.stringify(docs.v3Index());
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = docs.v3Document(path.slice('/openapi/v3/'.length));
        if (!doc) return false;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': doc.length, 'Cache-Control': 'public, immutable' });
        res.end(doc);
        return true;
      }
      return false;
    },
  };
}
