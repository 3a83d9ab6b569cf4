// Encoded cluster answers, reused until the cluster cache changes (its generation moves on). A hit costs a
// copy and three patches (ID, RD, the client's spelling of the question) instead of a lookup and an encode.
import { FLAG, HEADER_SIZE } from './dns-constants.ts';

interface Entry {
  generation: number;
  bytes: Buffer;
}

export class AnswerCache {
  #entries = new Map<string, Entry>();
  #capacity: number;

  constructor(capacity = 50_000) {
    this.#capacity = capacity;
  }

  get(key: string, generation: number, query: { id: number; queryFlags: number; questionWire?: Buffer }): Buffer | undefined {
    const e = this.#entries.get(key);
    if (!e || e.generation !== generation || !query.questionWire) return undefined;
    const out = Buffer.allocUnsafe(e.bytes.length);
    e.bytes.copy(out);
    out.writeUInt16BE(query.id, 0);
    out.writeUInt16BE((out.readUInt16BE(2) & ~FLAG.RD) | (query.queryFlags & FLAG.RD), 2);
    query.questionWire.copy(out, HEADER_SIZE);
    return out;
  }

  set(key: string, generation: number, bytes: Buffer): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { generation, bytes });
  }
}
