// IPv4 helpers for allocation ranges.

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

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
