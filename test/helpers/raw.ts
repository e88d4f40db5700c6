// Raw HTTPS requests to a test API server, for checks below kubectl (status codes, bodies).

import https from 'node:https';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

export function rawRequest(
  baseUrl: string,
  opts: { method?: string; path: string; token?: string; ca: string; body?: string | Buffer; contentType?: string; accept?: string },
): Promise<RawResponse> {
  const url = new URL(opts.path, baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    if (opts.contentType) headers['Content-Type'] = opts.contentType;
    if (opts.accept) headers.Accept = opts.accept;
    if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body);
    const req = https.request(url, { method: opts.method ?? 'GET', headers, ca: opts.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
