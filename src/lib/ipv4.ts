// IPv4 addresses and CIDRs as numbers, for matching and validation. Pure.

export function parseIpv4(text: string): number | undefined {
  // One pass over the characters (no split, no regex): encoders call this for every element.
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? n * 256 + part : undefined;
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Ipv4Cidr {
  base: number;
  prefixLength: number;
}

/** `10.0.0.0/8` (or a bare address as /32); the base is masked. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
  const [addr, len, ...rest] = text.split('/');
  if (rest.length) return undefined;
  const n = parseIpv4(addr);
  const prefixLength = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (n === undefined || !(prefixLength >= 0 && prefixLength <= 32)) return undefined;
  const size = 2 ** (32 - prefixLength);
  return { base: n - (n % size), prefixLength };
}

export function cidrContains(cidr: Ipv4Cidr, ip: number): boolean {
  const size = 2 ** (32 - cidr.prefixLength);
  return ip >= cidr.base && ip < cidr.base + size;
}

/** True if `ip` (an address) lies in `range` (an address, or a CIDR). */
export function ipInRange(ip: string, range: string): boolean {
  const n = parseIpv4(ip);
  const c = parseIpv4Cidr(range);
  return n !== undefined && c !== undefined && cidrContains(c, n);
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}
