// Resource records as plain data. Names are lower-case, dotted, without the trailing dot ('' is the root).

export interface SoaData {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

interface RrBase {
  name: string;
  ttl: number;
}

export type Rr =
  | (RrBase & { type: 'A' | 'AAAA'; address: string })
  | (RrBase & { type: 'CNAME' | 'PTR' | 'NS'; target: string })
  | (RrBase & { type: 'SRV'; priority: number; weight: number; port: number; target: string })
  | (RrBase & { type: 'MX'; preference: number; target: string })
  | (RrBase & { type: 'TXT'; texts: string[] })
  | (RrBase & { type: 'SOA' } & SoaData)
  /** A type this codec does not model: its RDATA as received (RFC 3597 forbids compression inside it). */
  | (RrBase & { type: 'RAW'; code: number; data: Buffer });

export type RrType = Rr['type'];

/** The record's numeric type, the way the wire spells it. */
export function rrTypeCode(rr: Rr): number {
  switch (rr.type) {
    case 'A': return 1;
    case 'NS': return 2;
    case 'CNAME': return 5;
    case 'SOA': return 6;
    case 'PTR': return 12;
    case 'MX': return 15;
    case 'TXT': return 16;
    case 'AAAA': return 28;
    case 'SRV': return 33;
    case 'RAW': return rr.code;
  }
}

/** Absolute name (for zone text and logs). */
export function fqdn(name: string): string {
  return name === '' ? '.' : `${name}.`;
}

/** One record in zone-file notation: `svc.ns.svc.cluster.local. 5 IN A 10.0.0.1`. */
export function rrToText(rr: Rr): string {
  const head = `${fqdn(rr.name)} ${rr.ttl} IN ${rr.type === 'RAW' ? `TYPE${rr.code}` : rr.type}`;
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return `${head} ${rr.address}`;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return `${head} ${fqdn(rr.target)}`;
    case 'SRV':
      return `${head} ${rr.priority} ${rr.weight} ${rr.port} ${fqdn(rr.target)}`;
    case 'MX':
      return `${head} ${rr.preference} ${fqdn(rr.target)}`;
    case 'TXT':
      return `${head} ${rr.texts.map((t) => JSON.stringify(t)).join(' ')}`;
    case 'SOA':
      return `${head} ${fqdn(rr.mname)} ${fqdn(rr.rname)} ${rr.serial} ${rr.refresh} ${rr.retry} ${rr.expire} ${rr.minimum}`;
    case 'RAW':
      return `${head} \\# ${rr.data.length} ${rr.data.toString('hex')}`;
  }
}
