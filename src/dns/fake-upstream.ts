// A tiny authoritative DNS server on loopback, standing in for upstream resolvers and stub-domain servers
// in tests and benchmarks (so no query ever leaves the machine).
import { CLASSIC_UDP_SIZE, FLAG, RCODE, RR_TYPE, typeName } from './dns-constants.ts';
import { listenDns } from './dns-server.ts';
import type { ListenAddress } from './dns-server.ts';
import { scanMessage } from './message-reader.ts';
import { MessageWriter } from './message-writer.ts';
import { rrTypeCode } from './records.ts';
import type { Rr } from './records.ts';

export interface FakeUpstreamOptions {
  /** Records it serves; names it has no record for are NXDOMAIN, with an SOA of `zone`. */
  records: Rr[];
  zone?: string;
  negativeTtl?: number;
  address?: string;
  port?: number;
  /** Answer every UDP query with TC set and no records (forces the TCP retry). */
  isTruncatingUdp?: boolean;
  /** Record questions but never answer (an upstream that times out). */
  isSilent?: boolean;
}

export interface FakeUpstream {
  readonly address: ListenAddress;
  /** `IP:port`, as upstream lists take it. */
  readonly server: string;
  /** Questions received, as `TYPE name`. */
  readonly queries: string[];
  setRecords(records: Rr[]): void;
  close(): Promise<void>;
}

/** The answer an authoritative server holding `records` gives to `query`. */
export function authoritativeAnswer(query: Buffer, options: { records: readonly Rr[]; soa: Rr; limit: number; isTruncated?: boolean }): Buffer {
  const scan = scanMessage(query);
  const q = scan.questions[0];
  const atName = options.records.filter((r) => r.name === q.name);
  const answer = atName.filter((r) => rrTypeCode(r) === q.type || (r.type === 'CNAME' && q.type !== RR_TYPE.CNAME));
  const cname = answer.find((r) => r.type === 'CNAME');
  if (cname?.type === 'CNAME') answer.push(...options.records.filter((r) => r.name === cname.target && rrTypeCode(r) === q.type));
  const rcode = atName.length ? RCODE.NOERROR : RCODE.NXDOMAIN;
  const w = new MessageWriter(options.limit).header(scan.id, FLAG.QR | FLAG.AA | FLAG.RA | (scan.flags & FLAG.RD) | rcode);
  if (scan.edns) w.reserveOpt();
  w.question(q);
  if (options.isTruncated) w.setFlag(FLAG.TC);
  else if (!answer.every((r) => w.add(r, 'answer'))) w.truncate();
  else if (!answer.length) w.add(options.soa, 'authority');
  if (scan.edns) w.opt(1232);
  return w.finish();
}

export function zoneSoa(zone: string, negativeTtl = 30): Rr {
  const under = (label: string) => (zone ? `${label}.${zone}` : label);
  return { name: zone, ttl: negativeTtl, type: 'SOA', mname: under('ns'), rname: under('hostmaster'), serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: negativeTtl };
}

export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  let records = options.records;
  const queries: string[] = [];
  const soa = zoneSoa(options.zone ?? '', options.negativeTtl);
  const listener = await listenDns((query, ctx) => {
    const scan = scanMessage(query);
    const q = scan.questions[0];
    queries.push(`${typeName(q.type)} ${q.name}`);
    if (options.isSilent) return null;
    const limit = ctx.proto === 'tcp' ? 65_535 : Math.max(CLASSIC_UDP_SIZE, scan.edns?.udpSize ?? CLASSIC_UDP_SIZE);
    return authoritativeAnswer(query, { records, soa, limit, isTruncated: options.isTruncatingUdp && ctx.proto === 'udp' });
  }, { listen: [{ address: options.address ?? '127.0.0.1', port: options.port ?? 0 }] });
  const address = listener.addresses[0];
  return {
    address,
    server: `${address.address}:${address.port}`,
    queries,
    setRecords: (next) => void (records = next),
    close: () => listener.close(),
  };
}
