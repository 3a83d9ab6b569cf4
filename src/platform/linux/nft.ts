// nftables (`nft`) adapter: atomic ruleset transactions, tables, and the JSON listing.
import { CommandError, defaultRunner } from './command.ts';
import type { CommandRunner, RunOptions } from './command.ts';

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export type NftErrorCode = 'RulesetRejected' | 'NotFound' | 'Failed' | 'InvalidArgument' | 'BadJson';

export class NftError extends Error {
  override name = 'NftError';
  readonly code: NftErrorCode;
  /** nft's stderr: for a rejected ruleset it names the line and marks the offending token. */
  readonly stderr: string;
  constructor(code: NftErrorCode, message: string, options?: { cause?: unknown; stderr?: string }) {
    super(message, options);
    this.code = code;
    this.stderr = options?.stderr ?? '';
  }
}

export interface NftTableRef {
  family: NftFamily;
  name: string;
}

export interface NftChainInfo {
  family: NftFamily;
  table: string;
  name: string;
  type?: string;
  hook?: string;
  priority?: number;
  policy?: string;
}

export interface NftRuleInfo {
  family: NftFamily;
  table: string;
  chain: string;
  handle: number;
  comment?: string;
  expr: unknown[];
}

export interface NftSetInfo {
  family: NftFamily;
  table: string;
  name: string;
  /** `set` or `map` (verdict maps included). */
  kind: 'set' | 'map';
  elem: unknown[];
}

/** The parts of `nft -j list ruleset` callers need; `raw` keeps every object as nft printed it. */
export interface NftRuleset {
  tables: NftTableRef[];
  chains: NftChainInfo[];
  rules: NftRuleInfo[];
  sets: NftSetInfo[];
  raw: Record<string, unknown>[];
}

export interface At {
  netns?: string;
}

export class Nft {
  #runner: CommandRunner;

  constructor(runner: CommandRunner = defaultRunner) {
    this.#runner = runner;
  }

  /**
   * Applies `ruleset` (nft script syntax) as one transaction with `nft -f -`: either all of it
   * takes effect or none. With `isCheckOnly`, `nft -c` only validates it.
   */
  async apply(ruleset: string, options: At & { isCheckOnly?: boolean } = {}): Promise<void> {
    const args = options.isCheckOnly ? ['-c', '-f', '-'] : ['-f', '-'];
    await this.#nft(args, { ...at(options), input: ruleset }, 'RulesetRejected');
  }

  async listTables(options: At = {}): Promise<NftTableRef[]> {
    return (await this.listRuleset(options)).tables;
  }

  async hasTable(table: NftTableRef, options: At = {}): Promise<boolean> {
    return (await this.listTables(options)).some((t) => t.family === table.family && t.name === table.name);
  }

  /** Deletes a table and everything in it; returns false if there was none. */
  async deleteTable(table: NftTableRef, options: At = {}): Promise<boolean> {
    checkName(table.name);
    try {
      await this.#nft(['delete', 'table', table.family, table.name], at(options));
      return true;
    } catch (e) {
      if (e instanceof NftError && e.code === 'NotFound') return false;
      throw e;
    }
  }

  async listRuleset(options: At = {}): Promise<NftRuleset> {
    const { stdout } = await this.#nft(['-j', 'list', 'ruleset'], at(options));
    return parseNftJson(stdout);
  }

  /** The ruleset in nft's own text form, e.g. for `skiff` to show an operator. */
  async listRulesetText(options: At = {}): Promise<string> {
    return (await this.#nft(['list', 'ruleset'], at(options))).stdout;
  }

  async #nft(args: string[], options: RunOptions, failCode: NftErrorCode = 'Failed'): Promise<{ stdout: string; stderr: string }> {
    try {
      return await this.#runner.run('nft', args, options);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      const code = /No such file or directory/.test(e.stderr) ? 'NotFound' : failCode;
      throw new NftError(code, e.message, { cause: e, stderr: e.stderr });
    }
  }
}

/** Parses `nft -j list ruleset` (or `list table`) output. */
export function parseNftJson(text: string): NftRuleset {
  const out: NftRuleset = { tables: [], chains: [], rules: [], sets: [], raw: [] };
  if (text.trim() === '') return out;
  let doc: { nftables?: Record<string, unknown>[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (e) {
    throw new NftError('BadJson', 'nft printed JSON that does not parse', { cause: e });
  }
  for (const item of doc.nftables ?? []) {
    out.raw.push(item);
    const [kind, v] = Object.entries(item)[0] ?? [];
    const o = (v ?? {}) as Record<string, unknown>;
    if (kind === 'table') out.tables.push({ family: o.family as NftFamily, name: String(o.name) });
    else if (kind === 'chain') out.chains.push(chainInfo(o));
    else if (kind === 'rule') out.rules.push(ruleInfo(o));
    else if (kind === 'set' || kind === 'map') out.sets.push({ family: o.family as NftFamily, table: String(o.table), name: String(o.name), kind, elem: Array.isArray(o.elem) ? o.elem : [] });
  }
  return out;
}

function chainInfo(o: Record<string, unknown>): NftChainInfo {
  const c: NftChainInfo = { family: o.family as NftFamily, table: String(o.table), name: String(o.name) };
  if (typeof o.type === 'string') c.type = o.type;
  if (typeof o.hook === 'string') c.hook = o.hook;
  if (typeof o.prio === 'number') c.priority = o.prio;
  if (typeof o.policy === 'string') c.policy = o.policy;
  return c;
}

function ruleInfo(o: Record<string, unknown>): NftRuleInfo {
  const r: NftRuleInfo = { family: o.family as NftFamily, table: String(o.table), chain: String(o.chain), handle: Number(o.handle), expr: Array.isArray(o.expr) ? o.expr : [] };
  if (typeof o.comment === 'string') r.comment = o.comment;
  return r;
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new NftError('InvalidArgument', `invalid nftables name ${JSON.stringify(name)}`);
}

function at(options: At): RunOptions {
  return options.netns === undefined ? {} : { netns: options.netns };
}
