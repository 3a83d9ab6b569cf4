// Full decoding of a message into records: for tests, the query log and chasing CNAMEs through upstreams.
import { ipv6Text } from './ip-address.ts';
import { DnsFormatError, joinLabels, readName, scanMessage } from './message-reader.ts';
import type { Edns, Question, RecordSlot } from './message-reader.ts';
import type { Rr } from './records.ts';

export interface DecodedMessage {
  id: number;
  flags: number;
  /** The full rcode: header bits plus the OPT record's extended bits. */
  rcode: number;
  questions: Question[];
  answer: Rr[];
  authority: Rr[];
  additional: Rr[];
  edns?: Edns;
}

export function decodeMessage(buf: Buffer): DecodedMessage {
  const scan = scanMessage(buf);
  const out: DecodedMessage = { id: scan.id, flags: scan.flags, rcode: scan.flags & 0xf, questions: scan.questions, answer: [], authority: [], additional: [], edns: scan.edns };
  if (scan.optSlot) out.rcode |= (scan.optSlot.ttl >>> 24) << 4;
  for (const slot of scan.records) out[slot.section].push(decodeRecord(buf, slot));
  return out;
}

function nameAt(buf: Buffer, offset: number, limit: number): { name: string; end: number } {
  const { labels, end } = readName(buf, offset);
  if (end > limit) throw new DnsFormatError('name runs past its record');
  return { name: joinLabels(labels), end };
}

export function decodeRecord(buf: Buffer, slot: RecordSlot): Rr {
  const base = { name: slot.name, ttl: slot.ttl };
  const p = slot.rdataOffset;
  const limit = slot.end;
  const need = (n: number) => {
    if (slot.rdlength < n) throw new DnsFormatError('record data too short');
  };
  switch (slot.type) {
    case 1:
      need(4);
      if (slot.rdlength !== 4) throw new DnsFormatError('A record data is not 4 octets');
      return { ...base, type: 'A', address: `${buf[p]}.${buf[p + 1]}.${buf[p + 2]}.${buf[p + 3]}` };
    case 28:
      if (slot.rdlength !== 16) throw new DnsFormatError('AAAA record data is not 16 octets');
      return { ...base, type: 'AAAA', address: ipv6Text(buf.subarray(p, p + 16)) };
    case 2:
    case 5:
    case 12: {
      const type = slot.type === 2 ? 'NS' : slot.type === 5 ? 'CNAME' : 'PTR';
      return { ...base, type, target: nameAt(buf, p, limit).name };
    }
    case 15:
      need(3);
      return { ...base, type: 'MX', preference: buf.readUInt16BE(p), target: nameAt(buf, p + 2, limit).name };
    case 33:
      need(7);
      return { ...base, type: 'SRV', priority: buf.readUInt16BE(p), weight: buf.readUInt16BE(p + 2), port: buf.readUInt16BE(p + 4), target: nameAt(buf, p + 6, limit).name };
    case 16: {
      const texts: string[] = [];
      for (let i = p; i < limit; ) {
        const len = buf[i];
        if (i + 1 + len > limit) throw new DnsFormatError('TXT string runs past its record');
        texts.push(buf.toString('utf8', i + 1, i + 1 + len));
        i += 1 + len;
      }
      return { ...base, type: 'TXT', texts };
    }
    case 6: {
      const m = nameAt(buf, p, limit);
      const r = nameAt(buf, m.end, limit);
      if (r.end + 20 > limit) throw new DnsFormatError('SOA record data too short');
      const at = (k: number) => buf.readUInt32BE(r.end + 4 * k);
      return { ...base, type: 'SOA', mname: m.name, rname: r.name, serial: at(0), refresh: at(1), retry: at(2), expire: at(3), minimum: at(4) };
    }
    default:
      return { ...base, type: 'RAW', code: slot.type, data: Buffer.from(buf.subarray(p, limit)) };
  }
}
