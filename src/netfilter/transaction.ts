// From desired state to one `nft -f -` script (one atomic transaction): a full sync that replaces the
// table's content in place, and a partial sync that sends only what differs between two models. Pure.
import type { Chain, Element, Rule, Ruleset, SetDecl } from './model.ts';
import { renderBaseSpec, renderComment, renderElement, renderName, renderRule, setClauses } from './render.ts';

export interface SetRefByKind {
  name: string;
  kind: 'set' | 'map';
}

/** One nft command of a transaction, for writers that speak netlink instead of nft's text. */
export type NftOp =
  | { op: 'add-table'; comment?: string }
  | { op: 'delete-table' }
  | { op: 'add-chain'; chain: Chain }
  | { op: 'flush-chain'; name: string }
  | { op: 'delete-chain'; name: string }
  | { op: 'add-set'; set: SetDecl }
  | { op: 'flush-set'; name: string; kind: 'set' | 'map' }
  | { op: 'delete-set'; name: string; kind: 'set' | 'map' }
  | { op: 'add-rule'; chain: string; rule: Rule }
  | { op: 'add-elements'; set: string; elements: readonly Element[] }
  | { op: 'delete-elements'; set: string; elements: readonly Element[] };

export interface SyncScript {
  /**
   * Declarations of chains and sets the table does not have yet, for a transaction of their own before
   * `script` (a full sync of a new table only). Empty chains and sets change no packet's fate, and the
   * kernel loads a large table several times faster when its chains already exist (README, "Costs").
   */
  readonly prelude: string;
  /** The `nft -f -` input: one atomic transaction; empty when there is nothing to do. Rendered on first use. */
  readonly script: string;
  /** The same two transactions as commands, in the same order. */
  preludeOps: NftOp[];
  ops: NftOp[];
  /** Chains flushed here but not deleted: delete them in a later transaction (see README). */
  flushedChains: string[];
  /** Sets whose last users were flushed here: delete them later too. */
  flushedSets: SetRefByKind[];
}

export interface FullSyncOptions {
  /**
   * Chains and sets the kernel's table has now (`nft -t list table`): unknown ones are flushed, and
   * missing ones are declared in the prelude.
   */
  existing?: { chains: readonly string[]; sets: readonly SetRefByKind[] };
  /** Delete and re-create the table (same transaction) instead of flushing it: the recovery path. */
  isRecreate?: boolean;
  /** Chains/sets flushed by an earlier transaction that may now be deleted. */
  deleteChains?: readonly string[];
  deleteSets?: readonly SetRefByKind[];
}

const ELEMENT_BATCH = 500;

const isDynamic = (s: SetDecl | undefined) => s?.flags?.includes('dynamic') ?? false;

type Section = 'head' | 'declare' | 'flush' | 'deleteElements' | 'rules' | 'addElements' | 'deletes';
const SECTIONS: readonly Section[] = ['head', 'declare', 'flush', 'deleteElements', 'rules', 'addElements', 'deletes'];

/**
 * A transaction being built as commands, section by section. Its nft text is rendered from the
 * commands only when asked for (the netlink writer never needs it).
 */
class Script {
  #ops = new Map<Section, NftOp[]>(SECTIONS.map((k) => [k, []]));

  constructor(r: Ruleset) {
    renderName(r.table);
  }

  get declareCount(): number {
    return this.#ops.get('declare')!.length;
  }

  push(section: Section, op: NftOp): void {
    this.#ops.get(section)!.push(op);
  }

  table(r: Ruleset, verb: 'add' | 'delete'): void {
    if (verb === 'delete') this.push('head', { op: 'delete-table' });
    else this.push('head', r.comment === undefined ? { op: 'add-table' } : { op: 'add-table', comment: r.comment });
  }

  declareChain(c: Chain): void {
    renderName(c.name);
    this.push('declare', { op: 'add-chain', chain: c });
  }

  declareSet(s: SetDecl): void {
    renderName(s.name);
    this.push('declare', { op: 'add-set', set: s });
  }

  flushChain(name: string): void {
    this.push('flush', { op: 'flush-chain', name });
  }

  flushSet(name: string, kind: 'set' | 'map'): void {
    this.push('flush', { op: 'flush-set', name, kind });
  }

  deleteChain(name: string): void {
    this.push('deletes', { op: 'delete-chain', name });
  }

  deleteSet(name: string, kind: 'set' | 'map'): void {
    this.push('deletes', { op: 'delete-set', name, kind });
  }

  chainRules(c: Chain): void {
    for (const r of c.rules) this.push('rules', { op: 'add-rule', chain: c.name, rule: r });
  }

  elements(verb: 'add' | 'delete', set: string, items: readonly Element[]): void {
    const section = verb === 'add' ? 'addElements' : 'deleteElements';
    for (let i = 0; i < items.length; i += ELEMENT_BATCH) {
      this.push(section, { op: verb === 'add' ? 'add-elements' : 'delete-elements', set, elements: items.slice(i, i + ELEMENT_BATCH) });
    }
  }

  ops(): NftOp[] {
    return SECTIONS.flatMap((k) => this.#ops.get(k)!);
  }
}

/** Commands as `nft -f` input, one line each (empty for none). */
function opsText(r: Ruleset, ops: readonly NftOp[]): string {
  const at = `${r.family} ${renderName(r.table)}`;
  return ops.length ? ops.map((op) => opText(r, at, op)).join('\n') + '\n' : '';
}

function opText(r: Ruleset, at: string, op: NftOp): string {
  switch (op.op) {
    case 'add-table':
      return tableDecl({ ...r, ...(op.comment === undefined ? {} : { comment: op.comment }) });
    case 'delete-table':
      return `delete table ${at}`;
    case 'add-chain': {
      const c = op.chain;
      const clauses = [c.base ? renderBaseSpec(c.base) : '', c.comment === undefined ? '' : `comment ${renderComment(c.comment)};`].filter(Boolean);
      return `add chain ${at} ${renderName(c.name)}${clauses.length ? ` { ${clauses.join(' ')} }` : ''}`;
    }
    case 'add-set':
      return `add ${op.set.kind} ${at} ${renderName(op.set.name)} { ${setClauses(op.set).join('; ')}; }`;
    case 'flush-chain':
      return `flush chain ${at} ${renderName(op.name)}`;
    case 'flush-set':
      return `flush ${op.kind} ${at} ${renderName(op.name)}`;
    case 'delete-chain':
      return `delete chain ${at} ${renderName(op.name)}`;
    case 'delete-set':
      return `delete ${op.kind} ${at} ${renderName(op.name)}`;
    case 'add-rule':
      return `add rule ${at} ${renderName(op.chain)} ${renderRule(op.rule)}`;
    case 'add-elements':
      return `add element ${at} ${renderName(op.set)} { ${op.elements.map(renderElement).join(', ')} }`;
    case 'delete-elements':
      return `delete element ${at} ${renderName(op.set)} { ${op.elements.map(keyText).join(', ')} }`;
  }
}

/** A plan whose nft text is rendered on first use. */
function plan(r: Ruleset, parts: { preludeOps: NftOp[]; ops: NftOp[]; flushedChains: string[]; flushedSets: SetRefByKind[] }): SyncScript {
  let prelude: string | undefined;
  let script: string | undefined;
  return {
    ...parts,
    get prelude() {
      return (prelude ??= opsText(r, parts.preludeOps));
    },
    get script() {
      return (script ??= opsText(r, parts.ops));
    },
  };
}

function tableDecl(r: Ruleset): string {
  return `add table ${r.family} ${renderName(r.table)}${r.comment === undefined ? '' : ` { comment ${renderComment(r.comment)}; }`}`;
}

/**
 * Everything in `next`, written over whatever the table holds, in one transaction: every chain and set
 * is declared (idempotent), flushed and refilled; dynamic sets keep their entries (session affinity
 * survives a restart). Chains and sets the table has but `next` lacks are flushed and reported.
 */
export function fullSyncScript(next: Ruleset, options: FullSyncOptions = {}): SyncScript {
  const s = new Script(next);
  const pre = new Script(next);
  s.table(next, 'add');
  if (options.isRecreate) {
    s.table(next, 'delete');
    s.table(next, 'add');
  }
  const existing = options.isRecreate ? undefined : options.existing;
  const hasChain = new Set(existing?.chains ?? []);
  const hasSet = new Set((existing?.sets ?? []).map((x) => x.name));
  for (const c of next.chains.values()) (existing && !hasChain.has(c.name) ? pre : s).declareChain(c);
  for (const set of next.sets.values()) (existing && !hasSet.has(set.name) ? pre : s).declareSet(set);
  const flushedChains: string[] = [];
  const flushedSets: SetRefByKind[] = [];
  if (!options.isRecreate) {
    for (const c of next.chains.values()) if (!existing || hasChain.has(c.name)) s.flushChain(c.name);
    for (const set of next.sets.values()) if (!isDynamic(set) && (!existing || hasSet.has(set.name))) s.flushSet(set.name, set.kind);
    const deleting = new Set(options.deleteChains ?? []);
    for (const name of existing?.chains ?? []) {
      if (next.chains.has(name)) continue;
      s.flushChain(name);
      if (!deleting.has(name)) flushedChains.push(name);
    }
    const deletingSets = new Set((options.deleteSets ?? []).map((x) => x.name));
    for (const set of existing?.sets ?? []) if (!next.sets.has(set.name) && !deletingSets.has(set.name)) flushedSets.push(set);
    deleteStale(s, next, options);
  }
  for (const c of next.chains.values()) s.chainRules(c);
  for (const [set, els] of next.elements) if (!isDynamic(next.sets.get(set))) s.elements('add', set, els);
  if (pre.declareCount) pre.table(next, 'add');
  return plan(next, { preludeOps: pre.declareCount ? pre.ops() : [], ops: s.ops(), flushedChains, flushedSets });
}

function deleteStale(s: Script, next: Ruleset, options: { deleteChains?: readonly string[]; deleteSets?: readonly SetRefByKind[] }): void {
  for (const name of options.deleteChains ?? []) if (!next.chains.has(name)) s.deleteChain(name);
  for (const set of options.deleteSets ?? []) if (!next.sets.has(set.name)) s.deleteSet(set.name, set.kind);
}

const ruleText = new WeakMap<Chain, string>();
function chainBody(c: Chain): string {
  let t = ruleText.get(c);
  if (t === undefined) {
    t = c.rules.map(renderRule).join('\n');
    ruleText.set(c, t);
  }
  return t;
}

const keyText = (e: Element) => renderElement({ key: e.key });

/**
 * Only what differs between `prev` (what the kernel has) and `next`: new chains declared and filled,
 * changed chains flushed and refilled, removed chains flushed (delete them later), and map/set
 * elements deleted and added one by one. `prev` and `next` may be parts of a table (the Services that
 * changed), as long as each object lives in exactly one part. Returns undefined when the change
 * cannot be made in place (a base chain or a set declaration changed): do a full sync instead.
 */
export function diffScript(prev: Ruleset, next: Ruleset, options: { deleteChains?: readonly string[]; deleteSets?: readonly SetRefByKind[] } = {}): SyncScript | undefined {
  const s = new Script(next);
  const flushedChains: string[] = [];
  const flushedSets: SetRefByKind[] = [];
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (!old) {
      s.declareChain(c);
      s.chainRules(c);
      continue;
    }
    if (JSON.stringify(old.base) !== JSON.stringify(c.base) || old.comment !== c.comment) return undefined;
    if (old === c || chainBody(old) === chainBody(c)) continue;
    s.flushChain(name);
    s.chainRules(c);
  }
  for (const name of prev.chains.keys()) {
    if (next.chains.has(name)) continue;
    s.flushChain(name);
    flushedChains.push(name);
  }
  for (const [name, set] of next.sets) {
    const old = prev.sets.get(name);
    if (!old) s.declareSet(set);
    else if (JSON.stringify(old) !== JSON.stringify(set)) return undefined;
  }
  for (const [name, set] of prev.sets) {
    if (next.sets.has(name)) continue;
    if (!isDynamic(set)) s.flushSet(name, set.kind);
    flushedSets.push({ name, kind: set.kind });
  }
  for (const set of new Set([...prev.elements.keys(), ...next.elements.keys()])) {
    if (isDynamic(next.sets.get(set) ?? prev.sets.get(set)) || (prev.sets.has(set) && !next.sets.has(set))) continue;
    const before = new Map((prev.elements.get(set) ?? []).map((e) => [keyText(e), [renderElement(e), e] as const]));
    const after = new Map((next.elements.get(set) ?? []).map((e) => [keyText(e), [renderElement(e), e] as const]));
    const removed: Element[] = [];
    const added: Element[] = [];
    for (const [k, [full, e]] of before) if (after.get(k)?.[0] !== full) removed.push(e);
    for (const [k, [full, e]] of after) if (before.get(k)?.[0] !== full) added.push(e);
    s.elements('delete', set, removed);
    s.elements('add', set, added);
  }
  deleteStale(s, next, options);
  return plan(next, { preludeOps: [], ops: s.ops(), flushedChains, flushedSets });
}
