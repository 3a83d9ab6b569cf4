// netexec's UDP server: answers `hostname`, `echo <msg>` and `clientip` datagrams.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { hostName, joinHostPort, logf } from './common.ts';

/** The reply to one datagram, or undefined for none. Upstream lower-cases and trims the text first. */
export function udpReply(payload: string, clientAddr: string, hostname: string): string | undefined {
  const text = payload.trim().toLowerCase();
  if (text === 'hostname') return hostname;
  if (text.startsWith('echo ')) return text.slice(5);
  if (text === 'clientip') return clientAddr;
  if (text.length > 0) logf(`Unknown UDP command received from ${clientAddr}: ${text}`);
  return undefined;
}

/** Binds one UDP socket per address (`''` is the IPv4 wildcard) and resolves once all are bound. */
export async function startUdpServers(addresses: string[], port: number): Promise<dgram.Socket[]> {
  return Promise.all(addresses.map((address) => startUdpServer(address, port)));
}

function startUdpServer(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => {
      const client = joinHostPort(rinfo.address, rinfo.port);
      const reply = udpReply(msg.subarray(0, 2048).toString(), client, hostName());
      if (reply !== undefined) socket.send(reply, rinfo.port, rinfo.address);
    });
    socket.bind(port, address || '0.0.0.0', () => {
      socket.off('error', reject);
      socket.on('error', (e) => logf(`UDP server error: ${e.message}`));
      logf(`Started UDP server on port ${address} ${port}`);
      resolve(socket);
    });
  });
}

/** `--udp-listen-addresses`: a comma-separated list of IPs, deduplicated and sorted; empty means any. */
export function parseUdpAddresses(list: string): string[] {
  if (list === '') return [''];
  const out = new Set<string>();
  for (const a of list.split(',')) {
    if (!isIP(a)) throw new Error(`parseAddress: invalid address ${a}`);
    out.add(a);
  }
  return [...out].sort();
}
