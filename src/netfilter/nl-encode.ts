// A transaction's commands (`NftOp`) as one nf_tables netlink batch: what `nft -f` would send, without
// nft. nft 1.0.x dumps every chain of the ruleset before each transaction to fill its cache, and the
// kernel's chain dump restarts its walk for every 32 KiB reply, so with 100k chains a one-rule change
// costs seconds (README, "Costs"); this writer needs no cache. Layouts follow the kernel's
// include/uapi/linux/netfilter/nf_tables.h and what nft 1.0.6 sends (`nft --debug=netlink,mnl`).
// Anything this encoder does not know throws `NlUnsupported`, and the caller uses nft instead. Pure.
import type { Chain, Element, Field, Literal, Operand, Rule, SetDecl, Stmt, TableFamily, Verdict } from './model.ts';
import { commentText } from './render.ts';
import type { NftOp } from './transaction.ts';
import { NlWriter, cString, u32le, udata } from './nl-writer.ts';

export class NlUnsupported extends Error {
  override name = 'NlUnsupported';
  readonly code = 'Unsupported';
}

const NFNL_SUBSYS_NFTABLES = 10;
const NFNL_MSG_BATCH_BEGIN = 0x10;
const NFNL_MSG_BATCH_END = 0x11;
const MSG = { NEWTABLE: 0, DELTABLE: 2, NEWCHAIN: 3, DELCHAIN: 5, NEWRULE: 6, DELRULE: 8, NEWSET: 9, DELSET: 11, NEWSETELEM: 12, DELSETELEM: 14 } as const;
const F = { REQUEST: 0x1, ACK: 0x4, CREATE: 0x400, APPEND: 0x800 } as const;
const FAMILY: Record<TableFamily, number> = { ip: 2, ip6: 10, inet: 1 };

// Attribute numbers.
const TABLE = { NAME: 1, FLAGS: 2, USERDATA: 6 } as const;
const CHAIN = { TABLE: 1, NAME: 3, HOOK: 4, POLICY: 5, TYPE: 7, USERDATA: 12 } as const;
const HOOK = { HOOKNUM: 1, PRIORITY: 2 } as const;
const RULE = { TABLE: 1, CHAIN: 2, EXPRESSIONS: 4, USERDATA: 7 } as const;
const SET = { TABLE: 1, NAME: 2, FLAGS: 3, KEY_TYPE: 4, KEY_LEN: 5, DATA_TYPE: 6, DATA_LEN: 7, ID: 10, USERDATA: 13 } as const;
const ELEMS = { TABLE: 1, SET: 2, ELEMENTS: 3 } as const;
const ELEM = { KEY: 1, DATA: 2, USERDATA: 6 } as const;
const LIST_ELEM = 1;
const EXPR = { NAME: 1, DATA: 2 } as const;
const DATA = { VALUE: 1, VERDICT: 2 } as const;
const VERDICT = { CODE: 1, CHAIN: 2 } as const;

const HOOKNUM = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 } as const;
const VERDICT_CODE = { drop: 0, accept: 1, continue: -1, jump: -3, goto: -4, return: -5 } as const;
const NF_ACCEPT = 1;
const NF_DROP = 0;
const SET_F = { CONSTANT: 0x2, INTERVAL: 0x4, MAP: 0x8, TIMEOUT: 0x10, EVAL: 0x20 } as const;
const NFT_DATA_VERDICT = 0xffffff00;

// Registers: NFT_REG_VERDICT, then the 16-byte NFT_REG_1.., and the 32-bit NFT_REG32_00.. (8 + n) that
// concatenations use, as nft does (field 0 in NFT_REG_1, field n in NFT_REG32_0n).
const REG_VERDICT = 0;
const REG_1 = 1;
const REG_2 = 2;
const concatReg = (i: number) => (i === 0 ? REG_1 : 8 + i);

/** How big a message's element list may grow: nested attribute lengths are 16 bits. */
const ELEMENTS_BYTES = 48 * 1024;

export interface EncodeOptions {
  family: TableFamily;
  table: string;
  /** Declarations of sets the transaction adds elements to or looks up, declared here or before. */
  sets: (name: string) => SetDecl | undefined;
  /** First sequence number; the batch uses one per message. */
  seq: number;
}

export interface EncodedBatch {
  buffer: Buffer;
  /** The last message's sequence number: it alone asks for an ACK. */
  lastSeq: number;
  messages: number;
  /** Which command (index into `ops`) a sequence number belongs to, to name a failing one. */
  opOf: (seq: number) => number | undefined;
}

export function encodeBatch(ops: readonly NftOp[], options: EncodeOptions): EncodedBatch {
  const w = new NlWriter();
  const family = FAMILY[options.family];
  let seq = options.seq;
  const setIds = new Map<string, number>();
  const declared = new Map<string, SetDecl>();
  const setOf = (name: string): SetDecl => {
    const s = declared.get(name) ?? options.sets(name);
    if (!s) throw new NlUnsupported(`set ${name} is not declared`);
    return s;
  };
  w.begin({ type: NFNL_MSG_BATCH_BEGIN, flags: F.REQUEST, seq: seq++, family: 0, resId: NFNL_SUBSYS_NFTABLES }).end();
  const first = seq;
  const opIndex: number[] = [];
  let current = 0;
  const ctx: Ctx = { w, family, table: options.table, setOf, seq: () => (opIndex.push(current), seq++) };
  for (const [i, op] of ops.entries()) {
    current = i;
    switch (op.op) {
      case 'add-table':
        begin(ctx, MSG.NEWTABLE, F.CREATE).str(TABLE.NAME, options.table).u32be(TABLE.FLAGS, 0);
        if (op.comment !== undefined) w.bytes(TABLE.USERDATA, udata([[0, comment(op.comment)]]));
        w.end();
        break;
      case 'delete-table':
        begin(ctx, MSG.DELTABLE, 0).str(TABLE.NAME, options.table).end();
        break;
      case 'add-chain':
        chainMessage(ctx, op.chain);
        break;
      case 'flush-chain':
        begin(ctx, MSG.DELRULE, 0).str(RULE.TABLE, options.table).str(RULE.CHAIN, op.name).end();
        break;
      case 'delete-chain':
        begin(ctx, MSG.DELCHAIN, 0).str(CHAIN.TABLE, options.table).str(CHAIN.NAME, op.name).end();
        break;
      case 'add-set':
        declared.set(op.set.name, op.set);
        setIds.set(op.set.name, setIds.size + 1);
        setMessage(ctx, op.set, setIds.size);
        break;
      case 'flush-set':
        begin(ctx, MSG.DELSETELEM, 0).str(ELEMS.TABLE, options.table).str(ELEMS.SET, op.name).end();
        break;
      case 'delete-set':
        begin(ctx, MSG.DELSET, 0).str(SET.TABLE, options.table).str(SET.NAME, op.name).end();
        break;
      case 'add-rule':
        ruleMessage(ctx, op.chain, op.rule);
        break;
      case 'add-elements':
      case 'delete-elements':
        elementMessages(ctx, op.op === 'add-elements', setOf(op.set), op.elements);
        break;
    }
  }
  const lastSeq = seq - 1;
  const opOf = (n: number) => opIndex[n - first];
  if (lastSeq < first) return { buffer: Buffer.alloc(0), lastSeq, messages: 0, opOf };
  markLastForAck(w, ctx);
  w.begin({ type: NFNL_MSG_BATCH_END, flags: F.REQUEST, seq: seq++, family: 0, resId: NFNL_SUBSYS_NFTABLES }).end();
  return { buffer: w.toBuffer(), lastSeq, messages: lastSeq - first + 1, opOf };
}

interface Ctx {
  w: NlWriter;
  family: number;
  table: string;
  setOf: (name: string) => SetDecl;
  seq: () => number;
  /** Offset of the last command message, whose flags get NLM_F_ACK. */
  last?: number;
}

function begin(ctx: Ctx, msg: number, flags: number): NlWriter {
  ctx.last = ctx.w.length;
  return ctx.w.begin({ type: (NFNL_SUBSYS_NFTABLES << 8) | msg, flags: F.REQUEST | flags, seq: ctx.seq(), family: ctx.family });
}

/**
 * Only the last command asks for an ACK: the kernel handles the whole batch inside one sendmsg and
 * reports every failing command on its own, so the last ACK (or error) closes the transaction.
 */
function markLastForAck(w: NlWriter, ctx: Ctx): void {
  if (ctx.last === undefined) return;
  const buf = w.toBuffer();
  buf.writeUInt16LE(buf.readUInt16LE(ctx.last + 6) | F.ACK, ctx.last + 6);
}

const comment = (text: string): Buffer => cString(commentText(text));

function chainMessage(ctx: Ctx, c: Chain): void {
  const w = begin(ctx, MSG.NEWCHAIN, F.CREATE).str(CHAIN.TABLE, ctx.table).str(CHAIN.NAME, c.name);
  if (c.base) {
    w.str(CHAIN.TYPE, c.base.type).u32be(CHAIN.POLICY, c.base.policy === 'drop' ? NF_DROP : NF_ACCEPT);
    w.nest(CHAIN.HOOK).u32be(HOOK.HOOKNUM, HOOKNUM[c.base.hook]).u32be(HOOK.PRIORITY, c.base.priority).unnest();
  }
  if (c.comment !== undefined) w.bytes(CHAIN.USERDATA, udata([[0, comment(c.comment)]]));
  w.end();
}

// Sets. A key is a concatenation of typed fields, each padded to 4 bytes in the key (and registers).

interface KeyField {
  /** nft's datatype number (ipv4_addr 7, inet_proto 12, inet_service 13, integer 4). */
  type: number;
  len: number;
  encode: (l: Literal) => Buffer;
}

const KEY_TYPES: Record<string, KeyField> = {
  ipv4_addr: { type: 7, len: 4, encode: (l) => ipv4(String(l)) },
  inet_proto: { type: 12, len: 1, encode: (l) => Buffer.from([proto(l)]) },
  inet_service: { type: 13, len: 2, encode: (l) => be16(Number(l)) },
};
const BYTEORDER = { host: 1, big: 2 } as const;

interface KeySpec {
  fields: KeyField[];
  keyType: number;
  keyLen: number;
  /** The set's user data as nft 1.0.6 writes it, so that `nft list` prints the set as declared. */
  udata: [number, Buffer][];
}

const NUMGEN_TYPEOF = /^numgen inc mod (\d+)$/;

function keySpec(s: SetDecl): KeySpec {
  if (s.isTypeof) {
    const m = NUMGEN_TYPEOF.exec(s.keyType);
    if (!m || s.kind !== 'map' || (s.valueType ?? 'verdict') !== 'verdict') throw new NlUnsupported(`set ${s.name}: typeof ${s.keyType}`);
    const mod = Number(m[1]);
    // NFTNL_UDATA_SET_KEY_TYPEOF holds the expression (numgen is expression type 0x17: its type, modulus
    // and offset), NFTNL_UDATA_SET_DATA_TYPEOF the verdict.
    const numgen = udata([[0, u32le(0)], [1, u32le(mod)], [2, u32le(0)]]);
    return {
      fields: [{ type: 4, len: 4, encode: (l) => u32le(Number(l)) }],
      keyType: 4,
      keyLen: 4,
      udata: [[0, u32le(BYTEORDER.host)], [1, u32le(0)], [3, udata([[0, u32le(0x17)], [1, numgen]])], [4, udata([[0, u32le(1)], [1, Buffer.alloc(0)]])], [6, u32le(0)]],
    };
  }
  const names = s.keyType.split(' . ').map((x) => x.trim());
  const fields = names.map((n) => {
    const f = KEY_TYPES[n];
    if (!f) throw new NlUnsupported(`set ${s.name}: key type ${n}`);
    return f;
  });
  const keyType = fields.reduce((acc, f) => (acc << 6) | f.type, 0);
  const keyLen = fields.length === 1 ? fields[0].len : fields.reduce((n, f) => n + pad4(f.len), 0);
  const byteorder = fields.length > 1 ? 0 : fields[0].type === 12 ? BYTEORDER.host : BYTEORDER.big;
  const data: [number, Buffer][] = [[0, u32le(byteorder)]];
  if (s.kind === 'map') data.push([1, u32le(0)]);
  return { fields, keyType, keyLen, udata: data };
}

function setMessage(ctx: Ctx, s: SetDecl, id: number): void {
  if (s.kind === 'map' && (s.valueType ?? 'verdict') !== 'verdict') throw new NlUnsupported(`map ${s.name}: ${s.valueType} values`);
  const spec = keySpec(s);
  let flags = s.kind === 'map' ? SET_F.MAP : 0;
  for (const f of s.flags ?? []) {
    if (f === 'interval') throw new NlUnsupported(`set ${s.name}: interval`);
    flags |= f === 'dynamic' ? SET_F.EVAL : f === 'timeout' ? SET_F.TIMEOUT : SET_F.CONSTANT;
  }
  const w = begin(ctx, MSG.NEWSET, F.CREATE).str(SET.TABLE, ctx.table).str(SET.NAME, s.name).u32be(SET.FLAGS, flags);
  w.u32be(SET.KEY_TYPE, spec.keyType).u32be(SET.KEY_LEN, spec.keyLen);
  if (s.kind === 'map') w.u32be(SET.DATA_TYPE, NFT_DATA_VERDICT).u32be(SET.DATA_LEN, 0);
  w.u32be(SET.ID, id);
  const records = [...spec.udata];
  if (s.comment !== undefined) records.push([7, comment(s.comment)]);
  w.bytes(SET.USERDATA, udata(records)).end();
}

function elementKey(s: SetDecl, spec: KeySpec, key: Literal | readonly Literal[]): Buffer {
  const parts = typeof key === 'object' ? key : [key];
  if (parts.length !== spec.fields.length) throw new NlUnsupported(`set ${s.name}: key ${String(key)} has ${parts.length} fields`);
  if (parts.length === 1) return spec.fields[0].encode(parts[0]);
  return Buffer.concat(parts.map((p, i) => padTo4(spec.fields[i].encode(p))));
}

function elementMessages(ctx: Ctx, isAdd: boolean, s: SetDecl, elements: readonly Element[]): void {
  if (!elements.length) return;
  const spec = keySpec(s);
  const { w } = ctx;
  let i = 0;
  while (i < elements.length) {
    begin(ctx, isAdd ? MSG.NEWSETELEM : MSG.DELSETELEM, isAdd ? F.CREATE : 0).str(ELEMS.TABLE, ctx.table).str(ELEMS.SET, s.name).nest(ELEMS.ELEMENTS);
    const mark = w.length;
    while (i < elements.length && w.since(mark) < ELEMENTS_BYTES) {
      const e = elements[i++];
      w.nest(LIST_ELEM);
      w.nest(ELEM.KEY).bytes(DATA.VALUE, elementKey(s, spec, e.key)).unnest();
      if (isAdd && e.value) {
        w.nest(ELEM.DATA);
        verdictData(w, e.value);
        w.unnest();
      }
      if (isAdd && e.comment !== undefined) w.bytes(ELEM.USERDATA, udata([[0, comment(e.comment)]]));
      w.unnest();
    }
    w.unnest().end();
  }
}

function verdictData(w: NlWriter, v: Verdict): void {
  w.nest(DATA.VERDICT).u32be(VERDICT.CODE, VERDICT_CODE[v.kind]);
  if (v.kind === 'jump' || v.kind === 'goto') w.str(VERDICT.CHAIN, v.chain);
  w.unnest();
}

// Rules.

function ruleMessage(ctx: Ctx, chain: string, r: Rule): void {
  const w = begin(ctx, MSG.NEWRULE, F.CREATE | F.APPEND).str(RULE.TABLE, ctx.table).str(RULE.CHAIN, chain);
  w.nest(RULE.EXPRESSIONS);
  for (const s of r.stmts) stmt(w, ctx, s);
  w.unnest();
  if (r.comment !== undefined) w.bytes(RULE.USERDATA, udata([[0, comment(r.comment)]]));
  w.end();
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

function lookup(w: NlWriter, ctx: Ctx, set: string, options: { dreg?: number; isInverted?: boolean } = {}): void {
  ctx.setOf(set);
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

function matchStmt(w: NlWriter, ctx: Ctx, field: Field | readonly Field[], op: '==' | '!=', value: Operand): void {
  if (typeof value === 'object' && !Array.isArray(value)) {
    loadKey(w, field);
    lookup(w, ctx, (value as { set: string }).set, { isInverted: op === '!=' });
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

function stmt(w: NlWriter, ctx: Ctx, s: Stmt): void {
  switch (s.kind) {
    case 'match':
      return matchStmt(w, ctx, s.field, s.op, s.value);
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
      return lookup(w, ctx, s.map, { dreg: REG_VERDICT });
    case 'numgen-map':
      expr(w, 'numgen', [[1, 'u32be', REG_1], [2, 'u32be', s.mod], [3, 'u32be', 0]]);
      return lookup(w, ctx, s.map, { dreg: REG_VERDICT });
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
      ctx.setOf(s.set);
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

function ipv4(s: string): Buffer {
  const parts = s.split('.');
  const b = Buffer.from(parts.map(Number));
  if (parts.length !== 4 || parts.some((p, i) => !/^\d{1,3}$/.test(p) || b[i] !== Number(p))) throw new NlUnsupported(`IPv4 address ${s}`);
  return b;
}

const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132 };
function proto(l: Literal): number {
  const n = typeof l === 'number' ? l : (PROTOS[l] ?? Number(l));
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new NlUnsupported(`protocol ${String(l)}`);
  return n;
}

function rtn(l: Literal): number {
  return RTN[String(l)] ?? unsupported(`address type ${String(l)}`);
}

function be16(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new NlUnsupported(`port ${n}`);
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(n, 0);
  return b;
}

const pad4 = (n: number) => (n + 3) & ~3;
const padTo4 = (b: Buffer) => (b.length % 4 ? Buffer.concat([b, Buffer.alloc(pad4(b.length) - b.length)]) : b);
