// Replays an upgrade request (WebSocket or SPDY) to the agent over mutual TLS, then splices the two sockets, like
// upstream's UpgradeAwareHandler: the agent's 101 (or its error answer) and every byte after it pass through
// untouched, so the proxy never needs to understand exec or port-forward.
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { StatusError } from '../../api/status.ts';
import type { AgentEndpoint } from './agent-endpoint.ts';

export interface AgentTls {
  ca: string;
  cert: string;
  key: string;
}

/** Headers that describe the hop to us, not the request: the agent gets its own Host and never the user's credentials. */
const DROPPED_HEADERS = new Set(['host', 'authorization', 'proxy-authorization', 'impersonate-user', 'impersonate-group']);

export function requestHead(req: IncomingMessage, options: { path: string; host: string }): string {
  const lines = [`${req.method ?? 'GET'} ${options.path} HTTP/1.1`, `Host: ${options.host}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (DROPPED_HEADERS.has(raw[i].toLowerCase())) continue;
    lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

/** Opens a mutual-TLS connection to the agent; rejects with a 503 StatusError when it cannot. */
export function dialAgent(endpoint: AgentEndpoint, options: { tls: AgentTls; timeoutMs?: number }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      ca: options.tls.ca,
      cert: options.tls.cert,
      key: options.tls.key,
      servername: isIP(endpoint.host) ? undefined : endpoint.host,
    });
    const fail = (e: Error): void => {
      socket.destroy();
      reject(new StatusError(503, 'ServiceUnavailable', `error dialing backend: ${e.message}`, undefined, { cause: e }));
    };
    socket.setTimeout(options.timeoutMs ?? 10_000, () => fail(new Error(`dial ${endpoint.host}:${endpoint.port}: i/o timeout`)));
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

export async function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, options: { endpoint: AgentEndpoint; path: string; tls: AgentTls }): Promise<void> {
  const agent = await dialAgent(options.endpoint, { tls: options.tls });
  if (client.destroyed) return void agent.destroy();
  agent.setNoDelay(true);
  if ('setNoDelay' in client && typeof client.setNoDelay === 'function') client.setNoDelay(true);
  agent.write(requestHead(req, { path: options.path, host: `${options.endpoint.host}:${options.endpoint.port}` }));
  if (head.length) agent.write(head);
  splice(client, agent);
}

/** Pipes both ways. Half-closes pass through; an error tears down both; when one side closes, the other is ended
 * (so buffered bytes still go out) and destroyed a little later if its peer never closes. */
function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const teardown = (): void => {
    a.destroy();
    b.destroy();
  };
  const closed = (other: Duplex) => (): void => {
    if (other.destroyed) return;
    other.end();
    other.resume(); // unpiped now: keep reading so its FIN is seen and it can close
    setTimeout(() => other.destroy(), 10_000).unref();
  };
  a.once('error', teardown);
  b.once('error', teardown);
  a.once('close', closed(b));
  b.once('close', closed(a));
}
