// A transaction's commands (`NftOp`) as one nf_tables netlink batch: what `nft -f` would send, without
// nft. nft 1.0.x dumps every chain of the ruleset before each transaction to fill its cache, and the
// kernel's chain dump restarts its walk for every 32 KiB reply, so with 100k chains a one-rule change
// costs seconds (README, "Costs"); this writer needs no cache. Layouts follow the kernel's
// include/uapi/linux/netfilter/nf_tables.h and what nft 1.0.6 sends (`nft --debug=netlink,mnl`).
// Anything this encoder does not know throws `NlUnsupported`, and the caller uses nft instead. Pure.
import type { Chain, Element, Literal, Rule, SetDecl, TableFamily } from './model.ts';
import { commentText } from './render.ts';
import type { NftOp } from './transaction.ts';
import { NlWriter, cString, u32le, udata } from './nl-writer.ts';
import { DATA, LIST_ELEM, NlUnsupported, encodeStmt, ipv4Number, port, proto, verdictData } from './nl-expr.ts';

export { NlUnsupported } from './nl-expr.ts';


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

const HOOKNUM = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 } as const;
const NF_ACCEPT = 1;
const NF_DROP = 0;
const SET_F = { CONSTANT: 0x2, INTERVAL: 0x4, MAP: 0x8, TIMEOUT: 0x10, EVAL: 0x20 } as const;
const NFT_DATA_VERDICT = 0xffffff00;


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
        if (op.comment !== undefined) w.udataText(TABLE.USERDATA, 0, commentText(op.comment));
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
  if (c.comment !== undefined) w.udataText(CHAIN.USERDATA, 0, commentText(c.comment));
  w.end();
}

// Sets. A key is a concatenation of typed fields, each padded to 4 bytes in the key (and registers).

interface KeyField {
  /** nft's datatype number (ipv4_addr 7, inet_proto 12, inet_service 13, integer 4). */
  type: number;
  len: number;
  /** Writes the literal at `at` (the field's bytes are zeroed first). */
  write: (b: Buffer, at: number, l: Literal) => void;
}

const KEY_TYPES: Record<string, KeyField> = {
  ipv4_addr: { type: 7, len: 4, write: (b, at, l) => b.writeUInt32BE(ipv4Number(String(l)), at) },
  inet_proto: { type: 12, len: 1, write: (b, at, l) => void (b[at] = proto(l)) },
  inet_service: { type: 13, len: 2, write: (b, at, l) => b.writeUInt16BE(port(Number(l)), at) },
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

/** A payload field as nft 1.0.6 describes it in a typeof: expression type 7, protocol and field ids. */
const payloadTypeof = (protocol: number, field: number) => udata([[0, u32le(7)], [1, udata([[0, u32le(protocol)], [1, u32le(field)]])]]);

/** The values a typeof map may hold: their set type, length and typeof user data. */
const TYPEOF_VALUES: Record<string, { dataType: number; dataLen: number; udata: Buffer }> = {
  verdict: { dataType: NFT_DATA_VERDICT, dataLen: 0, udata: udata([[0, u32le(1)], [1, Buffer.alloc(0)]]) },
  // A concatenation (expression type 13) of `ip daddr` (IPv4 header, daddr) and `tcp dport` (TCP, dport).
  'ip daddr . tcp dport': { dataType: (7 << 6) | 13, dataLen: 8, udata: udata([[0, u32le(13)], [1, udata([[0, payloadTypeof(12, 12)], [1, payloadTypeof(8, 2)]])]]) },
};

function keySpec(s: SetDecl): KeySpec {
  if (s.isTypeof) {
    const m = NUMGEN_TYPEOF.exec(s.keyType);
    const value = s.valueType ?? 'verdict';
    if (!m || s.kind !== 'map' || !(value in TYPEOF_VALUES)) throw new NlUnsupported(`set ${s.name}: typeof ${s.keyType} : ${value}`);
    const mod = Number(m[1]);
    // NFTNL_UDATA_SET_KEY_TYPEOF holds the expression (numgen is expression type 0x17: its type, modulus
    // and offset), NFTNL_UDATA_SET_DATA_TYPEOF the value's.
    const numgen = udata([[0, u32le(0)], [1, u32le(mod)], [2, u32le(0)]]);
    return {
      fields: [{ type: 4, len: 4, write: (b, at, l) => b.writeUInt32LE(Number(l) >>> 0, at) }],
      keyType: 4,
      keyLen: 4,
      udata: [[0, u32le(BYTEORDER.host)], [1, u32le(0)], [3, udata([[0, u32le(0x17)], [1, numgen]])], [4, TYPEOF_VALUES[value].udata], [6, u32le(0)]],
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
  const value = s.isTypeof ? TYPEOF_VALUES[s.valueType ?? 'verdict'] : TYPEOF_VALUES.verdict;
  if (s.kind === 'map' && !s.isTypeof && (s.valueType ?? 'verdict') !== 'verdict') throw new NlUnsupported(`map ${s.name}: ${s.valueType} values`);
  const spec = keySpec(s);
  let flags = s.kind === 'map' ? SET_F.MAP : 0;
  for (const f of s.flags ?? []) {
    if (f === 'interval') throw new NlUnsupported(`set ${s.name}: interval`);
    flags |= f === 'dynamic' ? SET_F.EVAL : f === 'timeout' ? SET_F.TIMEOUT : SET_F.CONSTANT;
  }
  const w = begin(ctx, MSG.NEWSET, F.CREATE).str(SET.TABLE, ctx.table).str(SET.NAME, s.name).u32be(SET.FLAGS, flags);
  w.u32be(SET.KEY_TYPE, spec.keyType).u32be(SET.KEY_LEN, spec.keyLen);
  if (s.kind === 'map') w.u32be(SET.DATA_TYPE, value.dataType).u32be(SET.DATA_LEN, value.dataLen);
  w.u32be(SET.ID, id);
  const records = [...spec.udata];
  if (s.comment !== undefined) records.push([7, comment(s.comment)]);
  w.bytes(SET.USERDATA, udata(records)).end();
}

function writeKey(w: NlWriter, s: SetDecl, spec: KeySpec, key: Literal | readonly Literal[]): void {
  const parts = typeof key === 'object' ? key : [key];
  if (parts.length !== spec.fields.length) throw new NlUnsupported(`set ${s.name}: key ${String(key)} has ${parts.length} fields`);
  let at = w.value(DATA.VALUE, spec.keyLen);
  const b = w.buffer;
  for (let i = 0; i < parts.length; i++) {
    spec.fields[i].write(b, at, parts[i]);
    at += pad4(spec.fields[i].len);
  }
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
      w.nest(ELEM.KEY);
      writeKey(w, s, spec, e.key);
      w.unnest();
      const v = isAdd ? e.value : undefined;
      if (v?.kind === 'addr-port') {
        // addr (4 bytes) . port (2 bytes, padded to 4), network order.
        w.nest(ELEM.DATA);
        const at = w.value(DATA.VALUE, 8);
        w.buffer.writeUInt32BE(ipv4Number(v.addr), at);
        w.buffer.writeUInt16BE(port(v.port), at + 4);
        w.unnest();
      } else if (v) {
        w.nest(ELEM.DATA);
        verdictData(w, v);
        w.unnest();
      }
      if (isAdd && e.comment !== undefined) w.udataText(ELEM.USERDATA, 0, commentText(e.comment));
      w.unnest();
    }
    w.unnest().end();
  }
}

// Rules.

function ruleMessage(ctx: Ctx, chain: string, r: Rule): void {
  const w = begin(ctx, MSG.NEWRULE, F.CREATE | F.APPEND).str(RULE.TABLE, ctx.table).str(RULE.CHAIN, chain);
  w.nest(RULE.EXPRESSIONS);
  for (const s of r.stmts) encodeStmt(w, s, ctx.setOf);
  w.unnest();
  if (r.comment !== undefined) w.udataText(RULE.USERDATA, 0, commentText(r.comment));
  w.end();
}

const pad4 = (n: number) => (n + 3) & ~3;
