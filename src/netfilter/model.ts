// The typed nftables model: one table's chains, sets and maps, and rules made of typed statements.
// Pure data; `render.ts` turns it into `nft -f` text and `trace.ts` pushes synthetic packets through it.

export type TableFamily = 'ip' | 'ip6' | 'inet';

/** Packet selectors a rule may match on or build a lookup key from. */
export type Field =
  | 'ip saddr'
  | 'ip daddr'
  | 'meta l4proto'
  | 'th sport'
  | 'th dport'
  | 'ct state'
  | 'fib saddr type'
  | 'fib daddr type'
  | 'iifname'
  | 'oifname';

/** An address, a CIDR, a protocol name, a port or a keyword such as `new` or `local`. */
export type Literal = string | number;
export interface SetRef {
  set: string;
}
/** A literal, an anonymous set `{ a, b }`, or a named set `@name`. */
export type Operand = Literal | readonly Literal[] | SetRef;

export type Verdict = { kind: 'accept' | 'drop' | 'return' | 'continue' } | { kind: 'jump' | 'goto'; chain: string };

export type Stmt =
  | { kind: 'match'; field: Field | readonly Field[]; op: '==' | '!='; value: Operand }
  /** `meta mark & mask == value` (or `!=`). */
  | { kind: 'mark-match'; mask: number; op: '==' | '!='; value: number }
  | { kind: 'counter' }
  | { kind: 'verdict'; verdict: Verdict }
  | { kind: 'reject' }
  /** `key vmap @map`, or an anonymous `key vmap { k : v, … }`. */
  | { kind: 'vmap'; key: Field | readonly Field[]; map: string | readonly (readonly [Literal | readonly Literal[], Verdict])[] }
  /** `numgen inc mod N vmap { 0 : t0, 1 : t1, … }`: round robin over the targets. */
  | { kind: 'numgen-vmap'; targets: readonly Verdict[] }
  /** `numgen inc mod N vmap @map`: round robin through a named map keyed 0…N-1 (cheaper to load, see README). */
  | { kind: 'numgen-map'; mod: number; map: string }
  /**
   * `dnat ip to numgen inc mod N offset O map @map`: round robin over the N endpoints held in slots
   * O…O+N-1 of a data map of `addr . port` (one map serves many Services; see the proxy's README).
   */
  | { kind: 'dnat-map'; mod: number; offset: number; map: string }
  | { kind: 'dnat'; addr: string; port?: number }
  | { kind: 'masquerade'; isFullyRandom?: boolean }
  /** `meta mark set meta mark or|xor value`, or `meta mark set value`. */
  | { kind: 'mark-set'; op: 'or' | 'xor' | 'set'; value: number }
  /** `update @set { key [timeout Ns] }`: adds or refreshes the packet's key in a dynamic set. */
  | { kind: 'set-update'; set: string; key: Field | readonly Field[]; timeoutSeconds?: number }
  /** Rendered as written; the tracer refuses it. For rare statements the model does not know. */
  | { kind: 'raw'; text: string };

export interface Rule {
  stmts: readonly Stmt[];
  comment?: string;
}

export type Hook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface BaseChainSpec {
  type: 'filter' | 'nat' | 'route';
  hook: Hook;
  /** Numeric priority: -100 is dstnat, 100 srcnat, 0 filter. */
  priority: number;
  policy?: 'accept' | 'drop';
}

export interface Chain {
  name: string;
  comment?: string;
  base?: BaseChainSpec;
  rules: Rule[];
}

export interface SetDecl {
  name: string;
  kind: 'set' | 'map';
  /** nft type expression, e.g. `ipv4_addr . inet_proto . inet_service`, or a `typeof` expression. */
  keyType: string;
  /** `keyType` is an expression (`typeof numgen inc mod 2`) rather than a type name. */
  isTypeof?: boolean;
  /** For maps: `verdict`, `ipv4_addr`, … */
  valueType?: string;
  flags?: readonly ('interval' | 'timeout' | 'dynamic' | 'constant')[];
  comment?: string;
}

/** What a map element maps to: a verdict, or (data maps) an address and port. */
export type ElementValue = Verdict | { kind: 'addr-port'; addr: string; port: number };

export interface Element {
  key: Literal | readonly Literal[];
  value?: ElementValue;
  comment?: string;
}

/**
 * One table's desired content. A *part* of a table (e.g. what one Service contributes) has the same
 * shape: chains and sets it declares, and elements it adds to sets declared anywhere in the table.
 */
export interface Ruleset {
  family: TableFamily;
  table: string;
  comment?: string;
  chains: Map<string, Chain>;
  sets: Map<string, SetDecl>;
  /** set name → elements; a set with no elements may be absent. */
  elements: Map<string, Element[]>;
}

export function emptyRuleset(family: TableFamily, table: string, comment?: string): Ruleset {
  const r: Ruleset = { family, table, chains: new Map(), sets: new Map(), elements: new Map() };
  if (comment !== undefined) r.comment = comment;
  return r;
}

/** Adds the chains, sets and elements of `part` into `into` (in place); a name already present is kept. */
export function mergeInto(into: Ruleset, part: Ruleset): Ruleset {
  for (const [name, c] of part.chains) if (!into.chains.has(name)) into.chains.set(name, c);
  for (const [name, s] of part.sets) if (!into.sets.has(name)) into.sets.set(name, s);
  for (const [name, els] of part.elements) {
    const list = into.elements.get(name);
    if (list) list.push(...els);
    else into.elements.set(name, [...els]);
  }
  return into;
}

export function countRules(r: Ruleset): number {
  let n = 0;
  for (const c of r.chains.values()) n += c.rules.length;
  return n;
}

export function countElements(r: Ruleset): number {
  let n = 0;
  for (const els of r.elements.values()) n += els.length;
  return n;
}

// Builders, so rules read close to nft syntax.

export const accept: Verdict = { kind: 'accept' };
export const drop: Verdict = { kind: 'drop' };
export const ret: Verdict = { kind: 'return' };
export const jump = (chain: string): Verdict => ({ kind: 'jump', chain });
export const goto = (chain: string): Verdict => ({ kind: 'goto', chain });

export const match = (field: Field | readonly Field[], value: Operand): Stmt => ({ kind: 'match', field, op: '==', value });
export const notMatch = (field: Field | readonly Field[], value: Operand): Stmt => ({ kind: 'match', field, op: '!=', value });
export const inSet = (field: Field | readonly Field[], set: string): Stmt => ({ kind: 'match', field, op: '==', value: { set } });
export const verdict = (v: Verdict): Stmt => ({ kind: 'verdict', verdict: v });
export const reject: Stmt = { kind: 'reject' };
export const vmap = (key: Field | readonly Field[], map: string): Stmt => ({ kind: 'vmap', key, map });
export const numgenVmap = (targets: readonly Verdict[]): Stmt => ({ kind: 'numgen-vmap', targets });
export const dnat = (addr: string, port?: number): Stmt => (port === undefined ? { kind: 'dnat', addr } : { kind: 'dnat', addr, port });

export function rule(stmts: readonly Stmt[], comment?: string): Rule {
  return comment === undefined ? { stmts } : { stmts, comment };
}
