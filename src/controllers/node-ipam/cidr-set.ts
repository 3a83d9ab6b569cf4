// The pod CIDRs of a cluster CIDR, one per node (as upstream's node IPAM "range allocator").

import { formatIpv4, parseIpv4 } from '../../lib/ipv4.ts';

function ipv4ToInt(ip: string): number {
  const n = parseIpv4(ip);
  if (n === undefined) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  return n;
}

const intToIpv4 = formatIpv4;

export class CidrSet {
  readonly clusterCidr: string;
  readonly nodeMaskSize: number;
  #base: number;
  #count: number;
  #used = new Set<number>();

  constructor(clusterCidr: string, nodeMaskSize = 24) {
    const [ip, bits] = clusterCidr.split('/');
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > nodeMaskSize || nodeMaskSize > 30) throw new Error(`cluster CIDR ${clusterCidr} cannot hold /${nodeMaskSize} node ranges`);
    this.clusterCidr = clusterCidr;
    this.nodeMaskSize = nodeMaskSize;
    this.#base = prefix === 0 ? 0 : ((ipv4ToInt(ip) >>> (32 - prefix)) << (32 - prefix)) >>> 0;
    this.#count = 2 ** (nodeMaskSize - prefix);
  }

  get size(): number {
    return this.#count;
  }

  get used(): number {
    return this.#used.size;
  }

  #indexOf(cidr: string): number | undefined {
    const [ip, bits] = cidr.split('/');
    if (Number(bits) !== this.nodeMaskSize) return undefined;
    let n: number;
    try {
      n = ipv4ToInt(ip);
    } catch {
      return undefined;
    }
    const offset = n - this.#base;
    const step = 2 ** (32 - this.nodeMaskSize);
    if (offset < 0 || offset % step !== 0 || offset / step >= this.#count) return undefined;
    return offset / step;
  }

  #cidrAt(i: number): string {
    return `${intToIpv4(this.#base + i * 2 ** (32 - this.nodeMaskSize))}/${this.nodeMaskSize}`;
  }

  /** Marks a CIDR as used; false if it is not one of this set's ranges or is already used. */
  occupy(cidr: string): boolean {
    const i = this.#indexOf(cidr);
    if (i === undefined || this.#used.has(i)) return false;
    this.#used.add(i);
    return true;
  }

  /** The lowest free range, or undefined when the cluster CIDR is full. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.#count; i++) {
      if (!this.#used.has(i)) {
        this.#used.add(i);
        return this.#cidrAt(i);
      }
    }
    return undefined;
  }

  release(cidr: string): void {
    const i = this.#indexOf(cidr);
    if (i !== undefined) this.#used.delete(i);
  }
}
