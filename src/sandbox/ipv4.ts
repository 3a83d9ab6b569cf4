// Just enough IPv4 arithmetic for the address plan.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefixLength: number;
}

export function parseIp(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/len`; undefined unless it is well formed with no host bits set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefixLength = Number(m[2]);
  if (ip === undefined || prefixLength > 32) return undefined;
  if ((ip & ~maskOf(prefixLength)) >>> 0 !== 0) return undefined;
  return { base: ip, prefixLength };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefixLength}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefixLength);
}

export function containsIp(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefixLength)) >>> 0) === c.base;
}

/** True if `inner` lies entirely inside `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return inner.prefixLength >= outer.prefixLength && containsIp(outer, inner.base);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

function maskOf(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0;
}
