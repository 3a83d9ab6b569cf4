// Writing DNS messages with name compression (RFC 1035 §4.1.4) inside a hard size limit.
import { FLAG, HEADER_SIZE, MAX_LABEL_LENGTH, RR_TYPE } from './dns-constants.ts';
import { ipv4Bytes, ipv6Bytes } from './ip-address.ts';
import type { Question } from './message-reader.ts';
import { rrTypeCode } from './records.ts';
import type { Rr } from './records.ts';

export type Section = 'answer' | 'authority' | 'additional';
const COUNT_OFFSET: Record<Section, number> = { answer: 6, authority: 8, additional: 10 };
const OPT_SIZE = 11;
const MAX_POINTER = 0x3fff;

class Overflow extends Error {}
const OVERFLOW = new Overflow('message size limit');

/** Messages are written synchronously, one at a time, into this scratch space and copied out. */
const scratch = Buffer.allocUnsafe(65_535);

export class MessageWriter {
  #limit: number;
  #pos = 0;
  #names = new Map<string, number>();
  #added: string[] = [];
  #questionEnd = HEADER_SIZE;
  #pendingQuestion?: { labels: readonly string[]; wire: Buffer; start: number };
  #optReserved = 0;

  /** `limit` is the largest message allowed (512, the client's EDNS size, or 65535 over TCP). */
  constructor(limit: number) {
    this.#limit = Math.min(limit, scratch.length);
  }

  get size(): number {
    return this.#pos;
  }

  header(id: number, flags: number): this {
    scratch.writeUInt16BE(id, 0);
    scratch.writeUInt16BE(flags & 0xffff, 2);
    scratch.fill(0, 4, HEADER_SIZE);
    this.#pos = HEADER_SIZE;
    return this;
  }

  setFlag(bit: number): void {
    scratch.writeUInt16BE(scratch.readUInt16BE(2) | bit, 2);
  }

  /** Keeps room for the OPT record written last by `opt()`. */
  reserveOpt(): this {
    this.#optReserved = OPT_SIZE;
    return this;
  }

  /** The question, copied as the client spelled it (its case matters to 0x20-randomising resolvers). */
  question(q: Question, wire?: Buffer): this {
    const start = this.#pos;
    if (wire) {
      wire.copy(scratch, start);
      this.#pos += wire.length;
      // Most answers only ever point at the whole question name: its suffixes are registered on demand.
      this.#register(q.name, start);
      this.#pendingQuestion = { labels: q.labels, wire, start };
    } else this.#name(q.name, true);
    scratch.writeUInt16BE(q.type, this.#pos);
    scratch.writeUInt16BE(q.class, this.#pos + 2);
    this.#pos += 4;
    scratch.writeUInt16BE(1, 4);
    this.#questionEnd = this.#pos;
    return this;
  }

  /** Appends a record; false (and nothing written) when it does not fit. */
  add(rr: Rr, section: Section): boolean {
    const mark = this.#pos;
    try {
      this.#record(rr);
    } catch (e) {
      if (e !== OVERFLOW) throw e;
      this.#rewind(mark);
      return false;
    }
    const at = COUNT_OFFSET[section];
    scratch.writeUInt16BE(scratch.readUInt16BE(at) + 1, at);
    return true;
  }

  /** Drops every record after the question and sets TC: the client should retry over TCP. */
  truncate(): void {
    this.#rewind(this.#questionEnd);
    scratch.fill(0, 6, HEADER_SIZE);
    this.setFlag(FLAG.TC);
  }

  /** The OPT pseudo-record (RFC 6891 §6.1.3), carrying the upper bits of an extended rcode. */
  opt(udpSize: number, extendedRcode = 0): this {
    const p = this.#pos;
    scratch[p] = 0;
    scratch.writeUInt16BE(RR_TYPE.OPT, p + 1);
    scratch.writeUInt16BE(udpSize, p + 3);
    scratch.writeUInt32BE(((extendedRcode >> 4) & 0xff) << 24, p + 5);
    scratch.writeUInt16BE(0, p + 9);
    this.#pos += OPT_SIZE;
    scratch.writeUInt16BE(scratch.readUInt16BE(10) + 1, 10);
    this.#optReserved = 0;
    return this;
  }

  finish(): Buffer {
    return Buffer.from(scratch.subarray(0, this.#pos));
  }

  #ensure(n: number): void {
    if (this.#pos + n + this.#optReserved > this.#limit) throw OVERFLOW;
  }

  /** Forgets the names written at or after `pos` (only when a record did not fit). */
  #rewind(pos: number): void {
    this.#pos = pos;
    this.#added = this.#added.filter((key) => {
      const isKept = this.#names.get(key)! < pos;
      if (!isKept) this.#names.delete(key);
      return isKept;
    });
  }

  #register(key: string, offset: number): void {
    if (offset > MAX_POINTER || this.#names.has(key)) return;
    this.#names.set(key, offset);
    this.#added.push(key);
  }

  #registerQuestionSuffixes(): void {
    const { labels, wire, start } = this.#pendingQuestion!;
    this.#pendingQuestion = undefined;
    let offset = start + wire[0] + 1;
    let key = labels.join('.');
    for (let i = 1; i < labels.length; i++) {
      key = key.slice(labels[i - 1].length + 1);
      this.#register(key, offset);
      offset += wire[offset - start] + 1;
    }
  }

  #name(name: string, isCompressible: boolean): void {
    if (this.#pendingQuestion && (name.length !== this.#pendingQuestion.wire.length - 2 || !this.#names.has(name))) this.#registerQuestionSuffixes();
    let pos = 0;
    while (pos < name.length) {
      const key = pos === 0 ? name : name.substring(pos);
      if (isCompressible) {
        const target = this.#names.get(key);
        if (target !== undefined) {
          this.#ensure(2);
          scratch.writeUInt16BE(0xc000 | target, this.#pos);
          this.#pos += 2;
          return;
        }
      }
      if (this.#pos <= MAX_POINTER && !this.#names.has(key)) {
        this.#names.set(key, this.#pos);
        this.#added.push(key);
      }
      let dot = name.indexOf('.', pos);
      while (dot > 0 && isEscaped(name, dot)) dot = name.indexOf('.', dot + 1);
      if (dot < 0) dot = name.length;
      let label = name.substring(pos, dot);
      if (label.includes('\\')) label = label.replace(/\\(.)/g, '$1');
      if (label.length === 0 || label.length > MAX_LABEL_LENGTH) throw new RangeError(`invalid label in ${JSON.stringify(name)}`);
      this.#ensure(label.length + 1);
      scratch[this.#pos] = label.length;
      scratch.write(label, this.#pos + 1, 'latin1');
      this.#pos += label.length + 1;
      pos = dot + 1;
    }
    this.#ensure(1);
    scratch[this.#pos++] = 0;
  }

  #u16(v: number): void {
    this.#ensure(2);
    scratch.writeUInt16BE(v, this.#pos);
    this.#pos += 2;
  }

  #u32(v: number): void {
    this.#ensure(4);
    scratch.writeUInt32BE(v >>> 0, this.#pos);
    this.#pos += 4;
  }

  #record(rr: Rr): void {
    this.#name(rr.name, true);
    this.#ensure(10);
    scratch.writeUInt16BE(rrTypeCode(rr), this.#pos);
    scratch.writeUInt16BE(1, this.#pos + 2);
    scratch.writeUInt32BE(rr.ttl >>> 0, this.#pos + 4);
    const lengthAt = this.#pos + 8;
    this.#pos += 10;
    switch (rr.type) {
      case 'A':
        this.#ensure(4);
        ipv4Bytes(rr.address, scratch, this.#pos);
        this.#pos += 4;
        break;
      case 'AAAA':
        this.#ensure(16);
        ipv6Bytes(rr.address).copy(scratch, this.#pos);
        this.#pos += 16;
        break;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        this.#name(rr.target, true);
        break;
      case 'MX':
        this.#u16(rr.preference);
        this.#name(rr.target, true);
        break;
      case 'SRV':
        this.#u16(rr.priority);
        this.#u16(rr.weight);
        this.#u16(rr.port);
        this.#name(rr.target, false); // RFC 2782: the target is never compressed
        break;
      case 'TXT':
        for (const t of rr.texts) {
          const bytes = Buffer.from(t, 'utf8');
          for (let i = 0; i === 0 || i < bytes.length; i += 255) {
            const chunk = bytes.subarray(i, i + 255);
            this.#ensure(chunk.length + 1);
            scratch[this.#pos] = chunk.length;
            chunk.copy(scratch, this.#pos + 1);
            this.#pos += chunk.length + 1;
          }
        }
        break;
      case 'SOA':
        this.#name(rr.mname, true);
        this.#name(rr.rname, true);
        for (const v of [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minimum]) this.#u32(v);
        break;
      case 'RAW':
        this.#ensure(rr.data.length);
        rr.data.copy(scratch, this.#pos);
        this.#pos += rr.data.length;
        break;
    }
    scratch.writeUInt16BE(this.#pos - lengthAt - 2, lengthAt);
  }
}

function isEscaped(s: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && s.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}
