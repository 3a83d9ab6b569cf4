// DNS numbers (RFC 1035, 2782, 3596, 6891) as plain objects; type stripping forbids enums.

export const RR_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
} as const;

export type RrTypeName = keyof typeof RR_TYPE;

const TYPE_NAMES = new Map<number, string>(Object.entries(RR_TYPE).map(([k, v]) => [v, k]));

/** "A", "SRV" or RFC 3597's "TYPE65" for types without a name here. */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

export const CLASS_IN = 1;
export const CLASS_ANY = 255;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (EDNS) rcode 16: the upper 8 bits travel in the OPT record. */
  BADVERS: 16,
} as const;

export type RcodeName = keyof typeof RCODE;

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([k, v]) => [v, k]));

export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}

export const OPCODE_QUERY = 0;

/** Header flag bits (second 16-bit word). */
export const FLAG = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const HEADER_SIZE = 12;
/** RFC 1035 §4.2.1: the largest UDP answer without EDNS. */
export const CLASSIC_UDP_SIZE = 512;
/** The largest UDP answer we ever send, whatever the client advertises (never amplify). */
export const MAX_UDP_SIZE = 4096;
/** What we advertise in our own OPT records (DNS flag day 2020). */
export const OUR_UDP_SIZE = 1232;
export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;
