// An IPv4 pool for LoadBalancer addresses and who holds which address.

export class PoolParseError extends Error {
  override name = 'PoolParseError';
  readonly code = 'InvalidPool';
}

export { parseIpv4 as ipToNumber, formatIpv4 as numberToIp } from '../../lib/ipv4.ts';
import { parseIpv4 as ipToNumber, formatIpv4 as numberToIp } from '../../lib/ipv4.ts';

export interface IpPool {
  readonly cidr: string;
  /** First and last usable addresses (network and broadcast excluded for prefixes up to /30). */
  readonly first: number;
  readonly last: number;
}

export function parsePool(cidr: string): IpPool {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(cidr.trim());
  const base = m ? ipToNumber(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (base === undefined || !(prefix >= 0 && prefix <= 32)) throw new PoolParseError(`invalid LoadBalancer pool ${JSON.stringify(cidr)}: want an IPv4 CIDR such as 198.18.1.0/24`);
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  const hasEnds = prefix <= 30;
  return { cidr, first: network + (hasEnds ? 1 : 0), last: network + size - 1 - (hasEnds ? 1 : 0) };
}

export function isInPool(pool: IpPool, ip: string): boolean {
  const n = ipToNumber(ip);
  return n !== undefined && n >= pool.first && n <= pool.last;
}

/** Address ↔ holder (a service key), one address per holder. */
export class Allocations {
  readonly pool: IpPool;
  #byIp = new Map<string, string>();
  #byHolder = new Map<string, string>();

  constructor(pool: IpPool) {
    this.pool = pool;
  }

  holderOf(ip: string): string | undefined {
    return this.#byIp.get(ip);
  }

  ipOf(holder: string): string | undefined {
    return this.#byHolder.get(holder);
  }

  get size(): number {
    return this.#byIp.size;
  }

  /** Gives `ip` to `holder` (releasing what it held) unless someone else holds it or it is outside the pool. */
  reserve(holder: string, ip: string): boolean {
    if (!isInPool(this.pool, ip)) return false;
    const current = this.#byIp.get(ip);
    if (current !== undefined) return current === holder;
    this.release(holder);
    this.#byIp.set(ip, holder);
    this.#byHolder.set(holder, ip);
    return true;
  }

  /** The lowest free address, if any. */
  firstFree(): string | undefined {
    for (let n = this.pool.first; n <= this.pool.last; n++) {
      const ip = numberToIp(n);
      if (!this.#byIp.has(ip)) return ip;
    }
    return undefined;
  }

  /** Returns the address the holder gave back, if it had one. */
  release(holder: string): string | undefined {
    const ip = this.#byHolder.get(holder);
    if (ip === undefined) return undefined;
    this.#byHolder.delete(holder);
    this.#byIp.delete(ip);
    return ip;
  }
}
