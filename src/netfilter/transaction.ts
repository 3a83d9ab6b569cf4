// From desired state to one `nft -f -` script (one atomic transaction): a full sync that replaces the
// table's content in place, and a partial sync that sends only what differs between two models. Pure.
import type { Chain, Element, Ruleset, SetDecl } from './model.ts';
import { renderBaseSpec, renderComment, renderElement, renderName, renderRule, setClauses } from './render.ts';

export interface SetRefByKind {
  name: string;
  kind: 'set' | 'map';
}

export interface SyncScript {
  /**
   * Declarations of chains and sets the table does not have yet, for a transaction of their own before
   * `script` (a full sync of a new table only). Empty chains and sets change no packet's fate, and the
   * kernel loads a large table several times faster when its chains already exist (README, "Costs").
   */
  prelude: string;
  /** The `nft -f -` input: one atomic transaction; empty when there is nothing to do. */
  script: string;
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

class Script {
  readonly at: string;
  declare: string[] = [];
  flush: string[] = [];
  deleteElements: string[] = [];
  rules: string[] = [];
  addElements: string[] = [];
  deletes: string[] = [];

  constructor(r: Ruleset) {
    this.at = `${r.family} ${renderName(r.table)}`;
  }

  declareChain(c: Chain): void {
    const clauses = [c.base ? renderBaseSpec(c.base) : '', c.comment === undefined ? '' : `comment ${renderComment(c.comment)};`].filter(Boolean);
    this.declare.push(`add chain ${this.at} ${renderName(c.name)}${clauses.length ? ` { ${clauses.join(' ')} }` : ''}`);
  }

  declareSet(s: SetDecl): void {
    this.declare.push(`add ${s.kind} ${this.at} ${renderName(s.name)} { ${setClauses(s).join('; ')}; }`);
  }

  chainRules(c: Chain): void {
    for (const r of c.rules) this.rules.push(`add rule ${this.at} ${renderName(c.name)} ${renderRule(r)}`);
  }

  elements(into: string[], verb: 'add' | 'delete', set: string, items: readonly string[]): void {
    for (let i = 0; i < items.length; i += ELEMENT_BATCH) {
      into.push(`${verb} element ${this.at} ${renderName(set)} { ${items.slice(i, i + ELEMENT_BATCH).join(', ')} }`);
    }
  }

  text(head: string[] = []): string {
    const all = [...head, ...this.declare, ...this.flush, ...this.deleteElements, ...this.rules, ...this.addElements, ...this.deletes];
    return all.length ? all.join('\n') + '\n' : '';
  }
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
  const head = [tableDecl(next)];
  if (options.isRecreate) head.push(`delete table ${s.at}`, tableDecl(next));
  const existing = options.isRecreate ? undefined : options.existing;
  const hasChain = new Set(existing?.chains ?? []);
  const hasSet = new Set((existing?.sets ?? []).map((x) => x.name));
  for (const c of next.chains.values()) (existing && !hasChain.has(c.name) ? pre : s).declareChain(c);
  for (const set of next.sets.values()) (existing && !hasSet.has(set.name) ? pre : s).declareSet(set);
  const flushedChains: string[] = [];
  const flushedSets: SetRefByKind[] = [];
  if (!options.isRecreate) {
    for (const c of next.chains.values()) if (!existing || hasChain.has(c.name)) s.flush.push(`flush chain ${s.at} ${renderName(c.name)}`);
    for (const set of next.sets.values()) if (!isDynamic(set) && (!existing || hasSet.has(set.name))) s.flush.push(`flush ${set.kind} ${s.at} ${renderName(set.name)}`);
    const deleting = new Set(options.deleteChains ?? []);
    for (const name of existing?.chains ?? []) {
      if (next.chains.has(name)) continue;
      s.flush.push(`flush chain ${s.at} ${renderName(name)}`);
      if (!deleting.has(name)) flushedChains.push(name);
    }
    const deletingSets = new Set((options.deleteSets ?? []).map((x) => x.name));
    for (const set of existing?.sets ?? []) if (!next.sets.has(set.name) && !deletingSets.has(set.name)) flushedSets.push(set);
    deleteStale(s, next, options);
  }
  for (const c of next.chains.values()) s.chainRules(c);
  for (const [set, els] of next.elements) if (!isDynamic(next.sets.get(set))) s.elements(s.addElements, 'add', set, els.map(renderElement));
  const prelude = pre.declare.length ? pre.text([tableDecl(next)]) : '';
  return { prelude, script: s.text(head), flushedChains, flushedSets };
}

function deleteStale(s: Script, next: Ruleset, options: { deleteChains?: readonly string[]; deleteSets?: readonly SetRefByKind[] }): void {
  for (const name of options.deleteChains ?? []) if (!next.chains.has(name)) s.deletes.push(`delete chain ${s.at} ${renderName(name)}`);
  for (const set of options.deleteSets ?? []) if (!next.sets.has(set.name)) s.deletes.push(`delete ${set.kind} ${s.at} ${renderName(set.name)}`);
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
    s.flush.push(`flush chain ${s.at} ${renderName(name)}`);
    s.chainRules(c);
  }
  for (const name of prev.chains.keys()) {
    if (next.chains.has(name)) continue;
    s.flush.push(`flush chain ${s.at} ${renderName(name)}`);
    flushedChains.push(name);
  }
  for (const [name, set] of next.sets) {
    const old = prev.sets.get(name);
    if (!old) s.declareSet(set);
    else if (JSON.stringify(old) !== JSON.stringify(set)) return undefined;
  }
  for (const [name, set] of prev.sets) {
    if (next.sets.has(name)) continue;
    if (!isDynamic(set)) s.flush.push(`flush ${set.kind} ${s.at} ${renderName(name)}`);
    flushedSets.push({ name, kind: set.kind });
  }
  for (const set of new Set([...prev.elements.keys(), ...next.elements.keys()])) {
    if (isDynamic(next.sets.get(set) ?? prev.sets.get(set)) || (prev.sets.has(set) && !next.sets.has(set))) continue;
    const before = new Map((prev.elements.get(set) ?? []).map((e) => [keyText(e), renderElement(e)]));
    const after = new Map((next.elements.get(set) ?? []).map((e) => [keyText(e), renderElement(e)]));
    const removed: string[] = [];
    const added: string[] = [];
    for (const [k, full] of before) if (after.get(k) !== full) removed.push(k);
    for (const [k, full] of after) if (before.get(k) !== full) added.push(full);
    s.elements(s.deleteElements, 'delete', set, removed);
    s.elements(s.addElements, 'add', set, added);
  }
  deleteStale(s, next, options);
  return { prelude: '', script: s.text(), flushedChains, flushedSets };
}
