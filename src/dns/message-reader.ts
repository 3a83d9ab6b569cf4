// Reading DNS messages (RFC 1035 §4): a structural scan that never trusts a length or a pointer.
import { HEADER_SIZE, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, RCODE, RR_TYPE } from './dns-constants.ts';

/** A message we cannot read. `rcode` is what to answer (FORMERR), or null to drop it silently. */
export class DnsFormatError extends Error {
  override name = 'DnsFormatError';
  readonly code = 'DNS_FORMAT';
  readonly rcode: number | null;
  constructor(message: string, rcode: number | null = RCODE.FORMERR) {
    super(message);
    this.rcode = rcode;
  }
}

export interface Question {
  /** Lower-case dotted name without the trailing dot; '.' and '\' inside a label are escaped with '\'. */
  name: string;
  labels: string[];
  type: number;
  class: number;
  /** Where the question's name ends in the message. */
  nameEnd: number;
}

export interface Edns {
  udpSize: number;
  version: number;
  isDnssecOk: boolean;
}

/** Where one resource record sits in a message: enough to rewrite its TTL or cut the message before it. */
export interface RecordSlot {
  section: 'answer' | 'authority' | 'additional';
  name: string;
  type: number;
  class: number;
  ttl: number;
  start: number;
  ttlOffset: number;
  rdataOffset: number;
  rdlength: number;
  end: number;
}

export interface ScannedMessage {
  id: number;
  flags: number;
  questions: Question[];
  questionEnd: number;
  records: RecordSlot[];
  edns?: Edns;
  /** The OPT record's slot, when there is one. */
  optSlot?: RecordSlot;
}

const NEEDS_SLOW_LABEL = /[.\\\x80-\xff]/;

export interface NameRead {
  labels: string[];
  /** Offset just past the name where it starts (after the first pointer, if any). */
  end: number;
}

/** Reads a possibly compressed name, lower-casing ASCII only (RFC 4343). Pointers must point backwards. */
export function readName(buf: Buffer, offset: number): NameRead {
  const labels: string[] = [];
  let pos = offset;
  let end = -1;
  let wireLength = 1;
  let limit = offset;
  while (true) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[pos];
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { labels, end };
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1];
      if (end < 0) end = pos + 2;
      if (target >= limit) throw new DnsFormatError('compression pointer does not point backwards');
      limit = target;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new DnsFormatError('unsupported label type');
    if (len > MAX_LABEL_LENGTH) throw new DnsFormatError('label longer than 63 octets');
    wireLength += len + 1;
    if (wireLength > MAX_NAME_LENGTH) throw new DnsFormatError('name longer than 255 octets');
    if (pos + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    const raw = buf.toString('latin1', pos + 1, pos + 1 + len);
    labels.push(NEEDS_SLOW_LABEL.test(raw) ? slowLabel(raw) : raw.toLowerCase());
    pos += len + 1;
  }
}

function slowLabel(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c === 46 || c === 92) out += '\\';
    out += String.fromCharCode(c);
  }
  return out;
}

export function joinLabels(labels: readonly string[]): string {
  return labels.join('.');
}

/** Walks the whole message; throws DnsFormatError on anything out of bounds or inconsistent. */
export function scanMessage(buf: Buffer): ScannedMessage {
  if (buf.length < HEADER_SIZE) throw new DnsFormatError('shorter than a header', null);
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const counts = [buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  let pos = HEADER_SIZE;
  const questions: Question[] = [];
  for (let i = 0; i < qdcount; i++) {
    const { labels, end } = readName(buf, pos);
    if (end + 4 > buf.length) throw new DnsFormatError('question runs past the message');
    questions.push({ name: joinLabels(labels), labels, type: buf.readUInt16BE(end), class: buf.readUInt16BE(end + 2), nameEnd: end });
    pos = end + 4;
  }
  const questionEnd = pos;
  const records: RecordSlot[] = [];
  let edns: Edns | undefined;
  let optSlot: RecordSlot | undefined;
  const sections = ['answer', 'authority', 'additional'] as const;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]; i++) {
      const start = pos;
      const { labels, end } = readName(buf, pos);
      if (end + 10 > buf.length) throw new DnsFormatError('record header runs past the message');
      const rdlength = buf.readUInt16BE(end + 8);
      const rdataOffset = end + 10;
      if (rdataOffset + rdlength > buf.length) throw new DnsFormatError('record data runs past the message');
      const slot: RecordSlot = {
        section: sections[s],
        name: joinLabels(labels),
        type: buf.readUInt16BE(end),
        class: buf.readUInt16BE(end + 2),
        ttl: buf.readUInt32BE(end + 4),
        start,
        ttlOffset: end + 4,
        rdataOffset,
        rdlength,
        end: rdataOffset + rdlength,
      };
      pos = slot.end;
      if (slot.type === RR_TYPE.OPT) {
        // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
        if (s !== 2 || optSlot || labels.length !== 0) throw new DnsFormatError('misplaced or repeated OPT record');
        optSlot = slot;
        edns = { udpSize: slot.class, version: (slot.ttl >>> 16) & 0xff, isDnssecOk: (slot.ttl & 0x8000) !== 0 };
        continue;
      }
      records.push(slot);
    }
  }
  return { id, flags, questions, questionEnd, records, edns, optSlot };
}
