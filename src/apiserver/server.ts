// The API server: HTTPS, authentication, routing to discovery, OpenAPI, health and the REST handlers.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { StatusError, unauthorized, isStatusError } from '../api/status.ts';
import type { Store } from '../storage/store.ts';
import type { Admission } from './admission.ts';
import { chainAdmission } from './admission.ts';
import { acceptsAggregatedDiscovery, AGGREGATED_DISCOVERY_V2, sendError, sendJson } from './http-util.ts';
import { aggregatedDiscovery, legacyApiVersions, legacyGroup1, legacyGroupList, resourceList, versionInfo } from './discovery.ts';
import { openapiGroupVersion, openapiRoot } from './openapi/index.ts';
import { Registry } from './registry.ts';
import { resolveRequest } from './request-info.ts';
import { ResourceHandler } from './resource-handler.ts';
import type { PodConnector, PodSubresource } from './pod-connector.ts';
import { unavailablePodConnector } from './pod-connector.ts';

export interface Credentials {
  /** PEM. */
  ca: string;
  cert: string;
  key: string;
  /** Bearer tokens accepted, mapped to the user they authenticate. */
  tokens: Map<string, string>;
}

export interface ApiServerOptions {
  store: Store;
  credentials: Credentials;
  admission?: Admission[];
  podConnector?: PodConnector;
  /** host:port advertised in legacy discovery. */
  advertiseAddress?: string;
  now?: () => Date;
  /** Resolves when the server may report ready (e.g. bootstrap objects written). */
  isReady?: () => boolean;
}

const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);
const POD_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward']);

export class ApiServer {
  readonly registry: Registry;
  readonly server: https.Server;
  #handler: ResourceHandler;
  #options: ApiServerOptions;
  #extraServers: https.Server[] = [];
  #certUsers = new WeakMap<TLSSocket, string>();
  podConnector: PodConnector;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    this.registry = new Registry(options.store, { admission: chainAdmission(options.admission ?? []), now: options.now });
    this.#handler = new ResourceHandler(this.registry, { now: options.now });
    this.podConnector = options.podConnector ?? unavailablePodConnector;
    this.server = this.#createServer();
  }

  #createServer(): https.Server {
    const c = this.#options.credentials;
    const server = https.createServer({ ca: c.ca, cert: c.cert, key: c.key, requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 65_000 });
    server.on('request', (req, res) => void this.#onRequest(req, res));
    server.on('upgrade', (req, socket, head) => void this.#onUpgrade(req, socket, head));
    return server;
  }

  /** Listens on host:port; called again, it listens on one more address (e.g. loopback and the control-plane address). */
  listen(port: number, host: string): Promise<void> {
    const server = this.server.listening ? this.#createServer() : this.server;
    if (server !== this.server) this.#extraServers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  address(): { port: number; address: string } {
    return this.server.address() as { port: number; address: string };
  }

  async close(): Promise<void> {
    await Promise.all([this.server, ...this.#extraServers].map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }));
  }

  /** Authenticated user name, or undefined. */
  authenticate(req: IncomingMessage): string | undefined {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      // the peer certificate cannot change on a connection: look it up once per keep-alive socket
      let user = this.#certUsers.get(socket);
      if (user === undefined) {
        const cn = socket.getPeerCertificate()?.subject?.CN;
        user = (Array.isArray(cn) ? cn[0] : cn) ?? '';
        this.#certUsers.set(socket, user);
      }
      if (user) return user;
    }
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const presented = Buffer.from(auth.slice(7).trim());
      for (const [token, user] of this.#options.credentials.tokens) {
        const t = Buffer.from(token);
        if (t.length === presented.length && timingSafeEqual(t, presented)) return user;
      }
    }
    return undefined;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      if (!PUBLIC_PATHS.has(url.pathname) && !this.authenticate(req)) throw unauthorized();
      await this.#route(url, req, res);
    } catch (e) {
      if (!isStatusError(e)) console.error(`apiserver: ${req.method} ${req.url}:`, e);
      sendError(res, e);
    }
  }

  async #route(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    switch (path) {
      case '/version':
        return sendJson(res, 200, versionInfo());
      case '/healthz':
      case '/livez':
        return sendText(res, 200, 'ok');
      case '/readyz': {
        const ready = this.#options.isReady?.() ?? true;
        return sendText(res, ready ? 200 : 500, ready ? 'ok' : 'not ready');
      }
      case '/openapi/v3':
        return sendJson(res, 200, openapiRoot());
      case '/openapi/v2':
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (path.startsWith('/openapi/v3/')) {
      const gv = path.slice('/openapi/v3/'.length).replace(/^api\//, '').replace(/^apis\//, '');
      const doc = openapiGroupVersion(gv);
      if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return sendJson(res, 200, doc);
    }
    const target = resolveRequest(path);
    switch (target.type) {
      case 'apiRoot':
        if (acceptsAggregatedDiscovery(accept)) return sendJson(res, 200, aggregatedDiscovery(target.isCore), AGGREGATED_DISCOVERY_V2);
        return sendJson(res, 200, target.isCore ? legacyApiVersions(this.#options.advertiseAddress ?? this.#selfAddress()) : legacyGroupList());
      case 'group': {
        const g = legacyGroup1(target.group);
        if (!g) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, g);
      }
      case 'groupVersion': {
        const list = resourceList(target.group, target.version);
        if (!list) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        return sendJson(res, 200, list);
      }
      case 'unknownResource':
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      case 'nonResource':
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      case 'resource': {
        const { resource, namespace, name, subresource } = target;
        if (resource.kind === 'Pod' && name && subresource && POD_SUBRESOURCES.has(subresource)) {
          const pod = await this.registry.get(resource, namespace, name);
          return this.podConnector.serve(pod, subresource as PodSubresource, req, res);
        }
        return this.#handler.handle({ resource, namespace, name, subresource, query: url.searchParams, req, res });
      }
    }
  }

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      if (!this.authenticate(req)) throw unauthorized();
      const target = resolveRequest(url.pathname);
      if (target.type !== 'resource' || target.resource.kind !== 'Pod' || !target.name || !target.subresource || !POD_SUBRESOURCES.has(target.subresource)) {
        throw new StatusError(400, 'BadRequest', 'upgrade is only supported for pod exec, attach and portforward');
      }
      const pod = await this.registry.get(target.resource, target.namespace, target.name);
      await this.podConnector.upgrade(pod, target.subresource as PodSubresource, req, socket, head);
    } catch (e) {
      const status = isStatusError(e) ? e.status : new StatusError(500, 'InternalError', String(e)).status;
      const body = JSON.stringify(status);
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status.code} ${httpReason(status.code)}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    }
  }

  #selfAddress(): string {
    const a = this.address();
    return `${a.address}:${a.port}`;
  }
}

function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function httpReason(code: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' }[code] ?? 'Error';
}

