// Turning answers into wire responses that fit the client: TC when the answer does not, never bigger
// than the client's advertised UDP size (or 512), an OPT record only to clients that sent one.
import { FLAG, HEADER_SIZE, OUR_UDP_SIZE, RCODE } from './dns-constants.ts';
import type { Edns, Question } from './message-reader.ts';
import { MessageWriter } from './message-writer.ts';
import type { Rr } from './records.ts';

export interface ResponseRequest {
  id: number;
  /** The query's flags: opcode and RD are echoed. */
  queryFlags: number;
  question?: Question;
  questionWire?: Buffer;
  edns?: Edns;
  /** Largest response allowed. */
  limit: number;
}

export interface ResponseBody {
  rcode: number;
  isAuthoritative?: boolean;
  answer?: Rr[];
  authority?: Rr[];
  additional?: Rr[];
}

export function responseFlags(queryFlags: number, rcode: number, isAuthoritative: boolean): number {
  return FLAG.QR | (queryFlags & 0x7800) | (queryFlags & FLAG.RD) | FLAG.RA | (isAuthoritative ? FLAG.AA : 0) | (rcode & 0xf);
}

export function buildResponse(req: ResponseRequest, body: ResponseBody): Buffer {
  const w = new MessageWriter(req.limit).header(req.id, responseFlags(req.queryFlags, body.rcode, Boolean(body.isAuthoritative)));
  if (req.edns) w.reserveOpt();
  if (req.question) w.question(req.question, req.questionWire);
  let isTruncated = false;
  for (const rr of body.answer ?? []) {
    if (!w.add(rr, 'answer')) {
      isTruncated = true;
      break;
    }
  }
  if (!isTruncated) {
    for (const rr of body.authority ?? []) {
      if (!w.add(rr, 'authority')) {
        isTruncated = true;
        break;
      }
    }
  }
  if (isTruncated) w.truncate();
  // RFC 2181 §9: additional data that does not fit is dropped without setting TC.
  else for (const rr of body.additional ?? []) if (!w.add(rr, 'additional')) break;
  if (req.edns) w.opt(OUR_UDP_SIZE, body.rcode);
  return w.finish();
}

/** Fits an upstream answer (no OPT; ID, flags and question already the client's) to the client. */
export function fitForwarded(req: ResponseRequest, bytes: Buffer): Buffer {
  const optSize = req.edns ? 11 : 0;
  if (bytes.length + optSize <= req.limit) {
    if (!req.edns) return bytes;
    const out = Buffer.allocUnsafe(bytes.length + optSize);
    bytes.copy(out);
    out.fill(0, bytes.length);
    out.writeUInt16BE(41, bytes.length + 1);
    out.writeUInt16BE(OUR_UDP_SIZE, bytes.length + 3);
    out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
    return out;
  }
  const w = new MessageWriter(req.limit).header(req.id, bytes.readUInt16BE(2) | FLAG.TC);
  if (req.question) w.question(req.question, req.questionWire);
  if (req.edns) w.opt(OUR_UDP_SIZE);
  return w.finish();
}

/** FORMERR for a message we could not read: the header's ID and opcode, no question. */
export function formatError(query: Buffer): Buffer | null {
  if (query.length < HEADER_SIZE) return null;
  const out = Buffer.alloc(HEADER_SIZE);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  out.writeUInt16BE(responseFlags(query.readUInt16BE(2), RCODE.FORMERR, false), 2);
  return out;
}
