// `agnhost serve-hostname`: answers every HTTP request, TCP connection or UDP datagram on --port with the
// pod's hostname. Behind a Service this shows which backend answered.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { ANY_IPV4, hostName, joinHostPort, logf, nextSignal } from './common.ts';
import { bool, int, parseFlags } from './flags.ts';

export const SERVE_HOSTNAME_FLAGS = { tcp: bool(false), udp: bool(false), http: bool(true), close: bool(false), port: int(9376) };

export async function serveHostname(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, SERVE_HOSTNAME_FLAGS);
  if (flags.http && (flags.tcp || flags.udp)) {
    logf("Can't serve TCP/UDP mode and HTTP mode at the same time");
    return 1;
  }
  const hostname = hostName();
  const closers: Array<() => void> = [];
  try {
    if (flags.tcp) {
      const server = net.createServer((conn) => {
        logf(`TCP request from ${joinHostPort(conn.remoteAddress ?? '', conn.remotePort ?? 0)}`);
        conn.on('error', () => {});
        conn.end(hostname);
      });
      await listen(server, flags.port);
      closers.push(() => server.close());
    }
    if (flags.udp) {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (_msg, rinfo) => {
        logf(`UDP request from ${joinHostPort(rinfo.address, rinfo.port)}`);
        socket.send(hostname, rinfo.port, rinfo.address);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(flags.port, ANY_IPV4, () => resolve());
      });
      closers.push(() => socket.close());
    }
    if (flags.http) {
      const server = http.createServer((req, res) => {
        logf(`HTTP request from ${joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0)}`);
        req.resume();
        // --close: one request per connection, so each new request may reach a different backend.
        const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(hostname)) };
        if (flags.close) headers.Connection = 'close';
        res.writeHead(200, headers).end(hostname);
      });
      await listen(server, flags.port);
      closers.push(() => {
        server.close();
        server.closeAllConnections();
      });
    }
  } catch (e) {
    logf(e instanceof Error ? e.message : String(e));
    return 1;
  }
  logf(`Serving on port ${flags.port}.`);
  const signal = await nextSignal(['SIGTERM']);
  // Upstream keeps serving for 60s after SIGTERM ("Awaiting pod deletion"); skiff's pods stop promptly.
  logf(`Shutting down after receiving signal: ${signal}.`);
  for (const close of closers) close();
  return 0;
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ANY_IPV4, () => resolve());
  });
}
