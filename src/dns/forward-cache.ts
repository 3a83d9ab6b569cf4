// A cache of upstream answers, kept as wire bytes: serving a hit is a copy, an ID and TTLs rewritten.
// Positive answers live for their smallest TTL; negative ones for the SOA's min(TTL, MINIMUM) (RFC 2308 §5).
import { FLAG, HEADER_SIZE, RCODE, RR_TYPE } from './dns-constants.ts';
import { scanMessage } from './message-reader.ts';
import type { RecordSlot } from './message-reader.ts';

export interface CacheLimits {
  maxTtl: number;
  maxNegativeTtl: number;
  now: () => number;
}

export interface ForwardCacheOptions extends Partial<CacheLimits> {
  capacity?: number;
}

export interface CacheEntry {
  /** The upstream's answer with its OPT record cut off. */
  bytes: Buffer;
  ttlOffsets: number[];
  ttls: number[];
  storedAt: number;
  /** 0: not cacheable (SERVFAIL, truncated, no SOA for a negative answer). */
  ttl: number;
}

/** Reads an upstream answer into an entry; undefined when it is not a readable answer. */
export function entryFromResponse(response: Buffer, limits: CacheLimits): CacheEntry | undefined {
  let scan;
  try {
    scan = scanMessage(response);
  } catch {
    return undefined;
  }
  const rcode = scan.flags & 0xf;
  let ttl = 0;
  if (!(scan.flags & FLAG.TC) && (rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN)) {
    const answers = scan.records.filter((r) => r.section === 'answer');
    if (rcode === RCODE.NOERROR && answers.length) ttl = Math.min(limits.maxTtl, ...answers.map((r) => r.ttl));
    else {
      const soa = scan.records.find((r) => r.section === 'authority' && r.type === RR_TYPE.SOA);
      if (soa && soa.rdlength >= 22) ttl = Math.min(limits.maxNegativeTtl, soa.ttl, response.readUInt32BE(soa.end - 4));
    }
  }
  const opt = scan.optSlot;
  const kept = scan.records.filter((r) => !opt || r.start < opt.start);
  return { bytes: withoutOpt(response, opt, scan.records), ttlOffsets: kept.map((r) => r.ttlOffset), ttls: kept.map((r) => r.ttl), storedAt: limits.now(), ttl: Math.max(0, ttl) };
}

/** A copy of the entry for one client: its ID, its RD bit, its spelling of the question, TTLs counted down. */
export function serveEntry(e: CacheEntry, query: { id: number; questionWire?: Buffer; queryFlags: number }, now = e.storedAt): Buffer {
  const out = Buffer.from(e.bytes);
  out.writeUInt16BE(query.id, 0);
  // Relayed answers are not ours to call authoritative.
  out.writeUInt16BE((out.readUInt16BE(2) & ~(FLAG.RD | FLAG.AA)) | (query.queryFlags & FLAG.RD) | FLAG.RA, 2);
  if (query.questionWire && out.length >= HEADER_SIZE + query.questionWire.length) query.questionWire.copy(out, HEADER_SIZE);
  const elapsed = Math.floor((now - e.storedAt) / 1000);
  for (let i = 0; i < e.ttlOffsets.length; i++) out.writeUInt32BE(Math.max(0, e.ttls[i] - elapsed), e.ttlOffsets[i]);
  return out;
}

export class ForwardCache {
  #entries = new Map<string, CacheEntry>();
  #capacity: number;
  readonly limits: CacheLimits;

  constructor(options: ForwardCacheOptions = {}) {
    this.#capacity = options.capacity ?? 10_000;
    this.limits = { maxTtl: options.maxTtl ?? 3600, maxNegativeTtl: options.maxNegativeTtl ?? 1800, now: options.now ?? Date.now };
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Keeps the entry if it may be cached; the oldest entry makes room. */
  store(key: string, entry: CacheEntry): void {
    if (entry.ttl <= 0) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
  }

  get(key: string, id: number, questionWire: Buffer | undefined, queryFlags: number): Buffer | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const now = this.limits.now();
    if (now >= e.storedAt + e.ttl * 1000) {
      this.#entries.delete(key);
      return undefined;
    }
    return serveEntry(e, { id, questionWire, queryFlags }, now);
  }
}

/** Cuts the OPT record (and anything after it in the additional section): our own OPT is added per client. */
function withoutOpt(response: Buffer, opt: RecordSlot | undefined, records: RecordSlot[]): Buffer {
  if (!opt) return Buffer.from(response);
  const after = records.filter((r) => r.start > opt.start).length;
  const out = Buffer.from(response.subarray(0, opt.start));
  out.writeUInt16BE(response.readUInt16BE(10) - 1 - after, 10);
  return out;
}
