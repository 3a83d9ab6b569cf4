// One rule's statements as nf_tables expressions (payload, meta, cmp, bitwise, lookup, immediate, nat, …),
// with the registers and byte orders nft 1.0.6 uses, and the literal values they compare against. Pure.
import { parseIpv4 } from '../lib/ipv4.ts';
import type { Field, Literal, Operand, SetDecl, Stmt, Verdict } from './model.ts';
import type { NlWriter } from './nl-writer.ts';
import { u32le } from './nl-writer.ts';

export class NlUnsupported extends Error {
  override name = 'NlUnsupported';
  readonly code = 'Unsupported';
}

export const LIST_ELEM = 1;
export const DATA = { VALUE: 1, VERDICT: 2 } as const;
const EXPR = { NAME: 1, DATA: 2 } as const;
const VERDICT = { CODE: 1, CHAIN: 2 } as const;
const VERDICT_CODE = { drop: 0, accept: 1, continue: -1, jump: -3, goto: -4, return: -5 } as const;

// Registers: NFT_REG_VERDICT, then the 16-byte NFT_REG_1.., and the 32-bit NFT_REG32_00.. (8 + n) that
// concatenations use, as nft does (field 0 in NFT_REG_1, field n in NFT_REG32_0n).
const REG_VERDICT = 0;
const REG_1 = 1;
const REG_2 = 2;
const concatReg = (i: number) => (i === 0 ? REG_1 : 8 + i);

type SetOf = (name: string) => SetDecl;

export function verdictData(w: NlWriter, v: Verdict): void {
  w.nest(DATA.VERDICT).u32be(VERDICT.CODE, VERDICT_CODE[v.kind]);
  if (v.kind === 'jump' || v.kind === 'goto') w.str(VERDICT.CHAIN, v.chain);
  w.unnest();
}

type Attr = readonly [number, 'u32be' | 'str' | 'bytes' | 'u64be', number | string | Buffer | bigint];

function expr(w: NlWriter, name: string, attrs: readonly Attr[], nested?: (w: NlWriter) => void): void {
  w.nest(LIST_ELEM).str(EXPR.NAME, name).nest(EXPR.DATA);
  for (const [type, kind, value] of attrs) {
    if (kind === 'u32be') w.u32be(type, value as number);
    else if (kind === 'str') w.str(type, value as string);
    else if (kind === 'u64be') w.u64be(type, value as bigint);
    else w.bytes(type, value as Buffer);
  }
  nested?.(w);
  w.unnest().unnest();
}

const PAYLOAD = { DREG: 1, BASE: 2, OFFSET: 3, LEN: 4 } as const;
const BASE_NETWORK = 1;
const BASE_TRANSPORT = 2;
const META = { DREG: 1, KEY: 2, SREG: 3 } as const;
const META_KEY = { MARK: 3, IIFNAME: 6, OIFNAME: 7, L4PROTO: 16 } as const;
const CMP = { SREG: 1, OP: 2, DATA: 3 } as const;
const CMP_OP = { '==': 0, '!=': 1 } as const;
const BITWISE = { SREG: 1, DREG: 2, LEN: 3, MASK: 4, XOR: 5 } as const;
const LOOKUP = { SET: 1, SREG: 2, DREG: 3, SET_ID: 4, FLAGS: 5 } as const;
const IMMEDIATE = { DREG: 1, DATA: 2 } as const;

interface FieldSpec {
  len: number;
  load: (w: NlWriter, reg: number) => void;
  value: (l: Literal) => Buffer;
}

const payload = (base: number, offset: number, len: number) => (w: NlWriter, reg: number) =>
  expr(w, 'payload', [[PAYLOAD.DREG, 'u32be', reg], [PAYLOAD.BASE, 'u32be', base], [PAYLOAD.OFFSET, 'u32be', offset], [PAYLOAD.LEN, 'u32be', len]]);
const meta = (key: number) => (w: NlWriter, reg: number) => expr(w, 'meta', [[META.DREG, 'u32be', reg], [META.KEY, 'u32be', key]]);
const fib = (flags: number) => (w: NlWriter, reg: number) => expr(w, 'fib', [[1, 'u32be', reg], [2, 'u32be', 3], [3, 'u32be', flags]]);
const RTN: Record<string, number> = { unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8 };
const ifname = (l: Literal) => {
  const s = String(l);
  if (s.includes('*') || Buffer.byteLength(s) > 15) throw new NlUnsupported(`interface name ${s}`);
  const b = Buffer.alloc(16);
  b.write(s);
  return b;
};

const FIELDS: Record<Field, FieldSpec | undefined> = {
  'ip saddr': { len: 4, load: payload(BASE_NETWORK, 12, 4), value: (l) => ipv4(String(l)) },
  'ip daddr': { len: 4, load: payload(BASE_NETWORK, 16, 4), value: (l) => ipv4(String(l)) },
  'meta l4proto': { len: 1, load: meta(META_KEY.L4PROTO), value: (l) => Buffer.from([proto(l)]) },
  'th sport': { len: 2, load: payload(BASE_TRANSPORT, 0, 2), value: (l) => be16(Number(l)) },
  'th dport': { len: 2, load: payload(BASE_TRANSPORT, 2, 2), value: (l) => be16(Number(l)) },
  'fib saddr type': { len: 4, load: fib(1), value: (l) => u32le(rtn(l)) },
  'fib daddr type': { len: 4, load: fib(2), value: (l) => u32le(rtn(l)) },
  iifname: { len: 16, load: meta(META_KEY.IIFNAME), value: ifname },
  oifname: { len: 16, load: meta(META_KEY.OIFNAME), value: ifname },
  'ct state': undefined,
};

const CT_STATE: Record<string, number> = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 };

function fieldSpec(f: Field): FieldSpec {
  const spec = FIELDS[f];
  if (!spec) throw new NlUnsupported(`field ${f}`);
  return spec;
}

/** Loads one field, or a concatenation into consecutive 32-bit registers. */
function loadKey(w: NlWriter, key: Field | readonly Field[]): void {
  const fields = typeof key === 'string' ? [key] : key;
  fields.forEach((f, i) => fieldSpec(f).load(w, concatReg(i)));
}

function cmp(w: NlWriter, op: '==' | '!=', data: Buffer): void {
  expr(w, 'cmp', [[CMP.SREG, 'u32be', REG_1], [CMP.OP, 'u32be', CMP_OP[op]]], (x) => x.nest(CMP.DATA).bytes(DATA.VALUE, data).unnest());
}

function bitwise(w: NlWriter, mask: Buffer, xor: Buffer): void {
  expr(w, 'bitwise', [[BITWISE.SREG, 'u32be', REG_1], [BITWISE.DREG, 'u32be', REG_1], [BITWISE.LEN, 'u32be', mask.length]], (x) => {
    x.nest(BITWISE.MASK).bytes(DATA.VALUE, mask).unnest();
    x.nest(BITWISE.XOR).bytes(DATA.VALUE, xor).unnest();
  });
}

function lookup(w: NlWriter, setOf: SetOf, set: string, options: { dreg?: number; isInverted?: boolean } = {}): void {
  setOf(set);
  const attrs: Attr[] = [[LOOKUP.SET, 'str', set], [LOOKUP.SREG, 'u32be', REG_1]];
  if (options.dreg !== undefined) attrs.push([LOOKUP.DREG, 'u32be', options.dreg]);
  if (options.isInverted) attrs.push([LOOKUP.FLAGS, 'u32be', 1]);
  expr(w, 'lookup', attrs);
}

function immediateVerdict(w: NlWriter, v: Verdict): void {
  expr(w, 'immediate', [[IMMEDIATE.DREG, 'u32be', REG_VERDICT]], (x) => {
    x.nest(IMMEDIATE.DATA);
    verdictData(x, v);
    x.unnest();
  });
}

function immediateValue(w: NlWriter, reg: number, value: Buffer): void {
  expr(w, 'immediate', [[IMMEDIATE.DREG, 'u32be', reg]], (x) => x.nest(IMMEDIATE.DATA).bytes(DATA.VALUE, value).unnest());
}

function matchStmt(w: NlWriter, setOf: SetOf, field: Field | readonly Field[], op: '==' | '!=', value: Operand): void {
  if (typeof value === 'object' && !Array.isArray(value)) {
    loadKey(w, field);
    lookup(w, setOf, (value as { set: string }).set, { isInverted: op === '!=' });
    return;
  }
  if (typeof field !== 'string' || Array.isArray(value)) throw new NlUnsupported('anonymous sets and concatenated matches');
  const lit = value as Literal;
  if (field === 'ct state') {
    const bits = String(lit).split(',').reduce((n, s) => n | (CT_STATE[s.trim()] ?? unsupported(`ct state ${s}`)), 0);
    expr(w, 'ct', [[1, 'u32be', REG_1], [2, 'u32be', 0]]);
    bitwise(w, u32le(bits), u32le(0));
    cmp(w, op === '==' ? '!=' : '==', u32le(0));
    return;
  }
  const spec = fieldSpec(field);
  const cidr = (field === 'ip saddr' || field === 'ip daddr') && String(lit).includes('/') ? String(lit).split('/') : undefined;
  if (!cidr) {
    spec.load(w, REG_1);
    cmp(w, op, spec.value(lit));
    return;
  }
  const bits = Number(cidr[1]);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new NlUnsupported(`prefix ${String(lit)}`);
  const net = ipv4(cidr[0]);
  if (bits % 8 === 0) {
    // As nft does: a byte-aligned prefix is a shorter load, no mask.
    if (bits === 0) throw new NlUnsupported('a /0 prefix');
    payload(BASE_NETWORK, field === 'ip saddr' ? 12 : 16, bits / 8)(w, REG_1);
    cmp(w, op, net.subarray(0, bits / 8));
    return;
  }
  const mask = Buffer.alloc(4);
  mask.writeUInt32BE(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0, 0);
  const masked = Buffer.from(net.map((b, i) => b & mask[i]));
  spec.load(w, REG_1);
  bitwise(w, mask, Buffer.alloc(4));
  cmp(w, op, masked);
}

export function encodeStmt(w: NlWriter, s: Stmt, setOf: SetOf): void {
  switch (s.kind) {
    case 'match':
      return matchStmt(w, setOf, s.field, s.op, s.value);
    case 'mark-match':
      meta(META_KEY.MARK)(w, REG_1);
      bitwise(w, u32le(s.mask), u32le(0));
      return cmp(w, s.op, u32le(s.value));
    case 'counter':
      return expr(w, 'counter', [[1, 'u64be', 0n], [2, 'u64be', 0n]]);
    case 'verdict':
      return immediateVerdict(w, s.verdict);
    case 'reject':
      // NFT_REJECT_ICMP_UNREACH, port unreachable: what `reject` means in an ip table.
      return expr(w, 'reject', [[1, 'u32be', 0], [2, 'bytes', Buffer.from([3])]]);
    case 'vmap':
      if (typeof s.map !== 'string') throw new NlUnsupported('anonymous verdict maps');
      loadKey(w, s.key);
      return lookup(w, setOf, s.map, { dreg: REG_VERDICT });
    case 'numgen-map':
      expr(w, 'numgen', [[1, 'u32be', REG_1], [2, 'u32be', s.mod], [3, 'u32be', 0]]);
      return lookup(w, setOf, s.map, { dreg: REG_VERDICT });
    case 'dnat-map':
      // As nft writes it: the slot into NFT_REG_1, the map's `addr . port` back into it, the port being
      // its second 32-bit word (NFT_REG32_01).
      expr(w, 'numgen', [[1, 'u32be', REG_1], [2, 'u32be', s.mod], [3, 'u32be', 0], [4, 'u32be', s.offset]]);
      lookup(w, setOf, s.map, { dreg: REG_1 });
      return expr(w, 'nat', [[1, 'u32be', 1], [2, 'u32be', 2], [3, 'u32be', REG_1], [5, 'u32be', concatReg(1)], [7, 'u32be', 2]]);
    case 'dnat': {
      immediateValue(w, REG_1, ipv4(s.addr));
      const attrs: Attr[] = [[1, 'u32be', 1], [2, 'u32be', 2], [3, 'u32be', REG_1]];
      if (s.port !== undefined) {
        immediateValue(w, REG_2, be16(s.port));
        attrs.push([5, 'u32be', REG_2], [7, 'u32be', 2]);
      }
      return expr(w, 'nat', attrs);
    }
    case 'masquerade':
      return expr(w, 'masq', s.isFullyRandom ? [[1, 'u32be', 0x10]] : []);
    case 'mark-set':
      if (s.op === 'set') immediateValue(w, REG_1, u32le(s.value));
      else {
        meta(META_KEY.MARK)(w, REG_1);
        bitwise(w, u32le(s.op === 'or' ? ~s.value : 0xffffffff), u32le(s.value));
      }
      return expr(w, 'meta', [[META.KEY, 'u32be', META_KEY.MARK], [META.SREG, 'u32be', REG_1]]);
    case 'set-update': {
      loadKey(w, s.key);
      setOf(s.set);
      const attrs: Attr[] = [[1, 'str', s.set], [3, 'u32be', 1], [4, 'u32be', REG_1]];
      if (s.timeoutSeconds !== undefined) attrs.push([6, 'u64be', BigInt(s.timeoutSeconds) * 1000n]);
      return expr(w, 'dynset', attrs);
    }
    case 'numgen-vmap':
      throw new NlUnsupported('anonymous verdict maps');
    case 'raw':
      throw new NlUnsupported(`raw statement ${s.text}`);
  }
}

// Values.

function unsupported(what: string): never {
  throw new NlUnsupported(what);
}

export function ipv4Number(s: string): number {
  const n = parseIpv4(s);
  if (n === undefined) throw new NlUnsupported(`IPv4 address ${s}`);
  return n;
}

export function ipv4(s: string): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(ipv4Number(s), 0);
  return b;
}

const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132 };
export function proto(l: Literal): number {
  const n = typeof l === 'number' ? l : (PROTOS[l] ?? Number(l));
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new NlUnsupported(`protocol ${String(l)}`);
  return n;
}

function rtn(l: Literal): number {
  return RTN[String(l)] ?? unsupported(`address type ${String(l)}`);
}

export function port(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new NlUnsupported(`port ${n}`);
  return n;
}

export function be16(n: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(port(n), 0);
  return b;
}

