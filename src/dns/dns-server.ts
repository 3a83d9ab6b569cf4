// UDP and TCP listeners (RFC 1035 §4.2, RFC 7766) on each address, all feeding one handler.
import dgram from 'node:dgram';
import net from 'node:net';
import type { QueryContext } from './handler.ts';

export interface ListenAddress {
  address: string;
  port: number;
}

export type QueryHandler = (query: Buffer, ctx: QueryContext) => Buffer | null | Promise<Buffer | null>;

export interface DnsListener {
  /** The addresses bound, with the ports the kernel chose for port 0. */
  readonly addresses: ListenAddress[];
  close(): Promise<void>;
}

export interface DnsListenerOptions {
  listen: ListenAddress[];
  maxTcpConnections?: number;
  tcpIdleMs?: number;
  /** Queries one TCP connection may have unanswered before we stop reading from it. */
  maxTcpPipeline?: number;
}

export async function listenDns(handler: QueryHandler, options: DnsListenerOptions): Promise<DnsListener> {
  const closers: (() => Promise<void>)[] = [];
  const addresses: ListenAddress[] = [];
  try {
    for (const l of options.listen) {
      const pair = await bindPair(l, handler, options);
      closers.push(pair.close);
      addresses.push({ address: l.address, port: pair.port });
    }
  } catch (e) {
    await Promise.all(closers.map((c) => c()));
    throw e;
  }
  return { addresses, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}

/** UDP and TCP on the same port; with port 0 the UDP port is chosen first and TCP follows it, retried on collision. */
async function bindPair(l: ListenAddress, handler: QueryHandler, options: DnsListenerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(l, handler);
    const port = udp.address().port;
    try {
      const tcp = await bindTcp({ address: l.address, port }, handler, options);
      return {
        port,
        close: async () => {
          await new Promise<void>((r) => udp.close(() => r()));
          await tcp.close();
        },
      };
    } catch (e) {
      udp.close();
      if (l.port !== 0 || attempt >= 20 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

function bindUdp(l: ListenAddress, handler: QueryHandler): Promise<dgram.Socket> {
  const sock = dgram.createSocket({ type: net.isIPv6(l.address) ? 'udp6' : 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  sock.on('message', (msg, rinfo) => {
    const send = (reply: Buffer | null) => {
      if (!reply) return;
      try {
        sock.send(reply, rinfo.port, rinfo.address);
      } catch {
        // closed while an upstream answer was on its way
      }
    };
    const reply = handler(msg, { proto: 'udp', remote: rinfo });
    if (reply instanceof Promise) reply.then(send, () => {});
    else send(reply);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(l.port, l.address, () => {
      sock.off('error', reject);
      sock.on('error', () => {}); // a send to a vanished client must not take the server down
      resolve(sock);
    });
  });
}

function bindTcp(l: ListenAddress, handler: QueryHandler, options: DnsListenerOptions): Promise<{ close: () => Promise<void> }> {
  const idleMs = options.tcpIdleMs ?? 10_000;
  const maxPipeline = options.maxTcpPipeline ?? 64;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.setNoDelay(true);
    sock.setTimeout(idleMs, () => sock.destroy());
    let buf = Buffer.alloc(0);
    let pending = 0;
    const remote = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    const reply = (r: Buffer | null) => {
      pending--;
      if (sock.isPaused() && pending < maxPipeline) sock.resume();
      if (!r || sock.destroyed) return;
      const framed = Buffer.allocUnsafe(r.length + 2);
      framed.writeUInt16BE(r.length, 0);
      r.copy(framed, 2);
      sock.write(framed);
    };
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        if (len < 12) {
          sock.destroy(); // not even a header: this is not a DNS client
          return;
        }
        pending++;
        const r = handler(msg, { proto: 'tcp', remote });
        if (r instanceof Promise) r.then(reply, () => reply(null));
        else reply(r);
      }
      if (pending >= maxPipeline) sock.pause();
    });
  });
  server.maxConnections = options.maxTcpConnections ?? 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(l.port, l.address, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
