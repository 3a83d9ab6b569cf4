// `agnhost connect host:port`: one connection attempt whose failure is printed with a fixed prefix tests
// match on: UNKNOWN (bad input), DNS, TIMEOUT, REFUSED, OTHER.
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';
import { errnoText, joinHostPort } from './common.ts';
import { duration, FlagError, parseFlags, str } from './flags.ts';

export const CONNECT_FLAGS = { timeout: duration(0), protocol: str('tcp'), 'udp-data': str('hostname') };

export interface ConnectOptions {
  protocol: string;
  /** 0 waits as long as the kernel does. */
  timeoutMs: number;
  udpData: string;
  /** Resolves a host name to one IP; injectable so tests need no DNS server. */
  lookup?: (host: string) => Promise<string>;
}

/** Undefined on success, otherwise the line agnhost prints on stderr before exiting 1. */
export type ConnectFailure = string | undefined;

export async function connect(argv: string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, CONNECT_FLAGS);
  if (positionals.length !== 1) throw new FlagError(`accepts 1 arg(s), received ${positionals.length}`);
  const failure = await tryConnect(positionals[0], { protocol: flags.protocol, timeoutMs: flags.timeout, udpData: flags['udp-data'] });
  if (failure === undefined) return 0;
  process.stderr.write(`${failure}\n`);
  return 1;
}

export async function tryConnect(dest: string, options: ConnectOptions): Promise<ConnectFailure> {
  if (options.protocol === 'sctp') return 'OTHER: SCTP is not supported by skiff';
  if (options.protocol !== '' && options.protocol !== 'tcp' && options.protocol !== 'udp') return 'Unsupported protocol';
  const split = splitHostPort(dest);
  if ('error' in split) return options.protocol === 'udp' ? `DNS: ${split.error}` : `UNKNOWN: ${split.error}`;
  const network = options.protocol === 'udp' ? 'udp' : 'tcp';
  if (!/^\d+$/.test(split.port) || Number(split.port) > 65535) return `DNS: address ${network}/${split.port}: unknown port`;
  let ip: string;
  try {
    ip = net.isIP(split.host) || split.host === '' ? split.host || '127.0.0.1' : await (options.lookup ?? defaultLookup)(split.host);
  } catch (e) {
    return `DNS: lookup ${split.host}: ${errnoText(e)}`;
  }
  const port = Number(split.port);
  return network === 'udp' ? connectUdp(ip, port, options) : connectTcp(ip, port, options.timeoutMs);
}

async function defaultLookup(host: string): Promise<string> {
  return (await dnsLookup(host, { order: 'ipv4first' })).address;
}

/** Go's net.SplitHostPort. */
export function splitHostPort(dest: string): { host: string; port: string } | { error: string } {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(dest);
  if (m) return { host: m[1], port: m[2] };
  const last = dest.lastIndexOf(':');
  if (last < 0) return { error: `address ${dest}: missing port in address` };
  const host = dest.slice(0, last);
  if (host.includes(':') || host.includes('[')) return { error: `address ${dest}: too many colons in address` };
  return { host, port: dest.slice(last + 1) };
}

function connectTcp(ip: string, port: number, timeoutMs: number): Promise<ConnectFailure> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port });
    const timer = timeoutMs > 0 ? setTimeout(() => done('TIMEOUT'), timeoutMs) : undefined;
    function done(failure: ConnectFailure) {
      clearTimeout(timer);
      socket.destroy();
      resolve(failure);
    }
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') done('REFUSED');
      else if (e.code === 'ETIMEDOUT') done('TIMEOUT');
      else done(`OTHER: dial tcp ${joinHostPort(ip, port)}: connect: ${errnoText(e)}`);
    });
  });
}

/** Sends `<udp-data>\n` and waits for any reply: silence is TIMEOUT, an ICMP port-unreachable is REFUSED. */
function connectUdp(ip: string, port: number, options: ConnectOptions): Promise<ConnectFailure> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIP(ip) === 6 ? 'udp6' : 'udp4');
    const remote = joinHostPort(ip, port);
    let local = '';
    const timer = options.timeoutMs > 0 ? setTimeout(() => done(`TIMEOUT: read udp ${local}->${remote}: i/o timeout`), options.timeoutMs) : undefined;
    let isDone = false;
    function done(failure: ConnectFailure) {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.close();
      resolve(failure);
    }
    socket.on('message', (msg) => done(msg.length > 0 ? undefined : 'OTHER: No data received from the server. Cannot guarantee the server received the request.'));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const text = `read udp ${local}->${remote}: read: ${errnoText(e)}`;
      done(e.code === 'ECONNREFUSED' ? `REFUSED: ${text}` : `UNKNOWN: ${text}`);
    });
    socket.connect(port, ip, () => {
      const a = socket.address();
      local = joinHostPort(a.address, a.port);
      socket.send(`${options.udpData}\n`);
    });
  });
}
