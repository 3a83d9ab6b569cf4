// The node agent's streaming endpoint, kubelet-style: the API server proxies pods/{log,exec,attach,portforward}
// here. HTTPS with client certificates signed by the cluster CA; the protocols are spoken here, the runtime only
// provides streams and sockets.
import https from 'node:https';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { isStatusError, StatusError } from '../../api/status.ts';
import { CHANNEL_PROTOCOLS } from './channel-protocol.ts';
import { serveExecSession } from './exec-handler.ts';
import { serveLogs } from './logs-handler.ts';
import { servePortForward } from './port-forward-handler.ts';
import { isContainerNotFound } from './runtime.ts';
import type { ExecOptions, StreamingRuntime } from './runtime.ts';
import { SpdySession } from './spdy-session.ts';
import { acceptWebSocket, isWebSocketUpgrade } from './websocket.ts';

export const PORT_FORWARD_WEBSOCKET_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface StreamingServerOptions {
  runtime: StreamingRuntime;
  /** PEM: this agent's serving pair and the CA that signs its clients (the API server). */
  tls: { cert: string; key: string; ca: string };
  /** Extra check on the verified client certificate's CN (e.g. only the API server's). */
  authorize?: (peerCertCN: string) => boolean;
}

type Route =
  | { kind: 'logs' | 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

export function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').slice(1).map((p) => decodeURIComponent(p));
  if (parts.some((p) => p === '')) return undefined;
  const [head, namespace, pod, container] = parts;
  if (head === 'containerLogs' && parts.length === 4) return { kind: 'logs', namespace, pod, container };
  if ((head === 'exec' || head === 'attach') && parts.length === 4) return { kind: head, namespace, pod, container };
  if (head === 'portForward' && parts.length === 3) return { kind: 'portForward', namespace, pod };
  return undefined;
}

export function parseExecQuery(query: URLSearchParams, kind: 'exec' | 'attach'): ExecOptions & { command: string[] } {
  const bool = (name: string): boolean => ['true', '1'].includes(query.get(name) ?? '');
  const tty = bool('tty');
  const options = { stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr') && !tty, tty, command: query.getAll('command') };
  if (!options.stdin && !options.stdout && !bool('stderr')) throw new StatusError(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr');
  if (kind === 'exec' && options.command.length === 0) throw new StatusError(400, 'BadRequest', 'you must specify at least one command for the container');
  return options;
}

export function createStreamingServer(options: StreamingServerOptions): https.Server {
  const { runtime } = options;
  const server = https.createServer({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: true, rejectUnauthorized: true });
  const check = (req: IncomingMessage): void => {
    const cn = clientName(req);
    if (cn === undefined) throw new StatusError(401, 'Unauthorized', 'a client certificate signed by the cluster CA is required');
    if (options.authorize && !options.authorize(cn)) throw new StatusError(403, 'Forbidden', `client "${cn}" may not use the streaming endpoint`);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        check(req);
        const url = new URL(req.url ?? '/', 'https://agent');
        if (url.pathname === '/healthz') return void res.end('ok');
        const route = parseRoute(url.pathname);
        if (!route) throw new StatusError(404, 'NotFound', `no streaming endpoint at ${url.pathname}`);
        if (route.kind !== 'logs') throw new StatusError(400, 'BadRequest', `${route.kind} needs a WebSocket (or SPDY) upgrade`);
        if (req.method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', `${req.method} is not allowed on container logs`);
        await serveLogs(req, res, { runtime, ...route, query: url.searchParams });
      } catch (e) {
        respondError(res, e);
      }
    })();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      check(req);
      const url = new URL(req.url ?? '/', 'https://agent');
      const route = parseRoute(url.pathname);
      if (!route || route.kind === 'logs') throw new StatusError(404, 'NotFound', `no upgradable streaming endpoint at ${url.pathname}`);
      if (route.kind === 'portForward') return upgradePortForward(req, socket, head, (port) => runtime.portForward(route.namespace, route.pod, { port }));
      const exec = parseExecQuery(url.searchParams, route.kind);
      if (!isWebSocketUpgrade(req)) throw new StatusError(400, 'BadRequest', `${route.kind} is served over WebSocket (${CHANNEL_PROTOCOLS.join(', ')}) only`);
      const ws = acceptWebSocket(req, socket, head, { protocols: CHANNEL_PROTOCOLS });
      if (!ws) return;
      const target = { container: route.container, ...exec };
      const open = route.kind === 'exec' ? () => runtime.exec(route.namespace, route.pod, target) : () => runtime.attach(route.namespace, route.pod, target);
      void serveExecSession(ws, { open, ...exec });
    } catch (e) {
      rejectUpgrade(socket, e);
    }
  });
  return server;
}

function upgradePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, dial: Parameters<typeof servePortForward>[1]['dial']): void {
  if (isWebSocketUpgrade(req)) {
    const ws = acceptWebSocket(req, socket, head, { protocols: [PORT_FORWARD_WEBSOCKET_PROTOCOL] });
    if (!ws) return;
    const session = new SpdySession({ write: (frame) => ws.send(frame) });
    ws.on('message', (data) => session.feed(data));
    ws.on('drain', () => session.drained());
    ws.on('close', () => session.destroy());
    session.on('error', () => ws.close(1002, 'SPDY protocol error'));
    servePortForward(session, { dial });
    return;
  }
  // Plain SPDY (kubectl's fallback when the WebSocket upgrade is refused).
  const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1' || !versions.includes('portforward.k8s.io')) {
    throw new StatusError(400, 'BadRequest', `port forwarding needs a WebSocket upgrade (${PORT_FORWARD_WEBSOCKET_PROTOCOL}) or SPDY/3.1 with portforward.k8s.io`);
  }
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
  const session = new SpdySession({ write: (frame) => socket.write(frame) });
  socket.on('data', (chunk: Buffer) => session.feed(chunk));
  socket.on('drain', () => session.drained());
  socket.on('end', () => socket.destroy());
  socket.on('close', () => session.destroy());
  session.on('error', () => socket.destroy());
  servePortForward(session, { dial });
  if (head.length) session.feed(head);
}

function clientName(req: IncomingMessage): string | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const cn = socket.getPeerCertificate()?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

function toStatusError(e: unknown): StatusError {
  if (isStatusError(e)) return e;
  if (isContainerNotFound(e)) return new StatusError(404, 'NotFound', (e as Error).message);
  return new StatusError(500, 'InternalError', e instanceof Error ? e.message : String(e));
}

function respondError(res: ServerResponse, e: unknown): void {
  const error = toStatusError(e);
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify(error.status);
  res.writeHead(error.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function rejectUpgrade(socket: Duplex, e: unknown): void {
  const error = toStatusError(e);
  const body = JSON.stringify(error.status);
  if (socket.writable) socket.end(`HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
