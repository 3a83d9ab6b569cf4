// IPv4 helpers for allocation ranges.

import { formatIpv4, parseIpv4 } from '../../lib/ipv4.ts';

export const ipToInt = parseIpv4;
export const intToIp = formatIpv4;

export interface Cidr {
  text: string;
  base: number;
  size: number;
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText] = text.split('/');
  const addr = ipToInt(ip);
  const bits = Number(bitsText);
  if (addr === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid CIDR ${JSON.stringify(text)}`);
  const size = 2 ** (32 - bits);
  const base = bits === 0 ? 0 : ((addr >>> (32 - bits)) << (32 - bits)) >>> 0;
  return { text, base, size };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n !== undefined && n >= c.base && n < c.base + c.size;
}
