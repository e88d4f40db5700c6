// startApiServer: the registry behind an HTTP(S) listener on loopback.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Store } from '../store/types.js';
import type { Clock } from '../clock/clock.js';
import type { ApiClient } from '../client/types.js';
import { Registry } from './registry.js';
import { startEventTTL } from './eventttl.js';
import { createRequestHandler, type Extension } from './http.js';
import { bearerMatches } from './bearer.js';
import { openapiExtension } from './openapi.js';
import { CRDController } from '../apiextensions/controller.js';
import type { ExtraGroup } from './discovery.js';

export interface ApiServerOptions {
  store: Store;
  clock: Clock;
  host?: string;
  /** 0 = a free port */
  port?: number;
  /** PEM; plain HTTP when absent */
  tls?: { cert: string; key: string };
  /** bearer token every request must carry (health endpoints excepted); undefined = no auth */
  token?: string;
  /** e.g. 'v1.32.4' */
  kubernetesVersion?: string;
  extensions?: Extension[];
  extraGroups?: ExtraGroup[];
  isReady?: () => boolean;
  /** how long Events live (kube-apiserver --event-ttl); default 1 h */
  eventTTLMs?: number;
}

/**
 * handles an HTTP upgrade (exec/attach over WebSocket or SPDY) on an authenticated request;
 * return false to pass. Unhandled upgrades are answered as plain requests.
 */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL) => boolean | Promise<boolean>;

export interface ApiServer {
  url: string;
  port: number;
  /** the in-process client (the registry itself) */
  client: ApiClient;
  registry: Registry;
  /** add a path handler after start (logs, exec, metrics are wired by the cluster runtime) */
  addExtension(ext: Extension): void;
  /** add a handler that runs before authentication (the web view's login and session cookie) */
  addPreAuthExtension(ext: Extension): void;
  addExtraGroup(group: ExtraGroup): void;
  addUpgradeHandler(h: UpgradeHandler): void;
  close(): Promise<void>;
}

export const DEFAULT_KUBERNETES_VERSION = 'v1.32.4';

export function versionInfo(gitVersion: string): { major: string; minor: string; gitVersion: string } {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  if (!m) throw new Error(`not a Kubernetes version: ${gitVersion}`);
  return { major: m[1], minor: m[2], gitVersion };
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const registry = new Registry(opts.store, opts.clock);
  const eventTTL = startEventTTL(registry, opts.clock, opts.eventTTLMs);
  // CustomResourceDefinitions: names, Established, cleanup, and their resources in the registry
  const crds = new CRDController(registry, opts.clock, registry.resources);
  await crds.start();
  const host = opts.host ?? '127.0.0.1';
  const extensions: Extension[] = [openapiExtension(registry.resources), ...(opts.extensions ?? [])];
  const extraGroups: ExtraGroup[] = [...(opts.extraGroups ?? [])];
  const preAuth: Extension[] = [];
  let url = '';
  const handler = createRequestHandler({
    registry,
    token: opts.token,
    version: versionInfo(opts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION),
    serverAddress: () => url.replace(/^https?:\/\//, ''),
    extraGroups,
    extensions,
    preAuth,
    now: () => opts.clock.now(),
    isReady: opts.isReady,
  });
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handler(req, res).catch((err) => {
      console.error('kindling: request failed:', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : http.createServer(listener);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // watches stay open
  const upgradeHandlers: UpgradeHandler[] = [];
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://kindling');
      const authorized = !opts.token || bearerMatches(req.headers.authorization, opts.token);
      if (authorized) for (const h of upgradeHandlers) if (await h(req, socket, head, url)) return;
      // not ours (or not authenticated): answer as a plain request, then close
      const res = new http.ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.on('finish', () => {
        res.detachSocket(socket as Socket);
        socket.end();
      });
      listener(req, res);
    })().catch((err) => {
      console.error('kindling: upgrade failed:', err);
      socket.destroy();
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `${opts.tls ? 'https' : 'http'}://${host}:${port}`;
  return {
    url,
    port,
    client: registry,
    registry,
    addExtension: (ext) => extensions.push(ext),
    addPreAuthExtension: (ext) => preAuth.push(ext),
    addExtraGroup: (g) => extraGroups.push(g),
    addUpgradeHandler: (h) => upgradeHandlers.push(h),
    async close() {
      eventTTL.cancel();
      await crds.stop();
      await registry.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
