// IP and CIDR parsing as Go's (sloppy) net parser accepts them, and upstream's IP/CIDR validators.
import { field } from '../status.ts';
import type { Causes } from './causes.ts';

/** 16 bytes; IPv4 addresses are stored IPv4-mapped, as Go does. */
export type IPBytes = Uint8Array;

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // the sloppy parser kube uses tolerates leading zeros and reads them as decimal
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string, mayEndInV4: boolean): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (mayEndInV4 && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push(...v4);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      const n = parseInt(p, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const head = groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1], true) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  if (head.length + tail.length > 14) return undefined;
  return [...head, ...new Array(16 - head.length - tail.length).fill(0), ...tail];
}

export function parseIP(s: string): IPBytes | undefined {
  if (typeof s !== 'string' || s === '') return undefined;
  const v4 = parseV4(s);
  if (v4) return Uint8Array.from([...V4_PREFIX, ...v4]);
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  return v6 ? Uint8Array.from(v6) : undefined;
}

/** Go's To4() != nil: dotted quads and IPv4-mapped IPv6 addresses. */
export function isV4(ip: IPBytes): boolean {
  return V4_PREFIX.every((b, i) => ip[i] === b);
}

export const isIPv6String = (s: string): boolean => {
  const ip = parseIP(s);
  return !!ip && !isV4(ip);
};

export interface Cidr {
  ip: IPBytes;
  /** Prefix length counted over all 16 bytes. */
  bits: number;
  isV4: boolean;
}

export function parseCIDR(s: string): Cidr | undefined {
  if (typeof s !== 'string') return undefined;
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const len = s.slice(slash + 1);
  const ip = parseIP(addr);
  if (!ip || !/^[0-9]{1,3}$/.test(len)) return undefined;
  const literalV4 = !!parseV4(addr);
  const n = Number(len);
  if (n > (literalV4 ? 32 : 128)) return undefined;
  return { ip, bits: literalV4 ? n + 96 : n, isV4: literalV4 };
}

/** Whether `ip` lies in the network of `cidr` (host bits of the CIDR ignored, as net.IPNet does). */
export function cidrContains(cidr: Cidr, ip: IPBytes): boolean {
  for (let bit = 0; bit < cidr.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((cidr.ip[byte] & mask) !== (ip[byte] & mask)) return false;
  }
  return true;
}

const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

export function validateIP(path: string, value: string): Causes {
  return parseIP(value) ? [] : [field.invalid(path, value, IP_MESSAGE)];
}

export function validateIPv4(path: string, value: string): Causes {
  const ip = parseIP(value);
  return ip && isV4(ip) ? [] : [field.invalid(path, value, 'must be a valid IPv4 address')];
}

export function validateIPv6(path: string, value: string): Causes {
  const ip = parseIP(value);
  return ip && !isV4(ip) ? [] : [field.invalid(path, value, 'must be a valid IPv6 address')];
}

export function validateCIDR(path: string, value: string): Causes {
  return parseCIDR(value) ? [] : [field.invalid(path, value, CIDR_MESSAGE)];
}

/** Upstream's ValidateEndpointIP / ValidateNonSpecialIP: addresses that make no sense as a destination. */
export function validateNonSpecialIP(path: string, value: string): Causes {
  const ip = parseIP(value);
  if (!ip) return [field.invalid(path, value, 'must be a valid IP address')];
  const out: Causes = [];
  const v4 = isV4(ip);
  const b = (i: number) => ip[v4 ? 12 + i : i];
  const isUnspecified = v4 ? b(0) + b(1) + b(2) + b(3) === 0 : ip.every((x) => x === 0);
  const isLoopback = v4 ? b(0) === 127 : ip.slice(0, 15).every((x) => x === 0) && ip[15] === 1;
  const isLinkLocal = v4 ? b(0) === 169 && b(1) === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80;
  const isLinkLocalMulticast = v4 ? b(0) === 224 && b(1) === 0 && b(2) === 0 : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02;
  if (isUnspecified) out.push(field.invalid(path, value, `may not be unspecified (${value})`));
  if (isLoopback) out.push(field.invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (isLinkLocal) out.push(field.invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (isLinkLocalMulticast) out.push(field.invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return out;
}
