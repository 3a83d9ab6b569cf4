// The model as nft text: single statements, rules and declarations, and the whole table in the nested,
// readable form `nft list table` prints (golden files, `describeRules`). Pure.
import type { BaseChainSpec, Chain, Element, ElementValue, Field, Literal, Operand, Rule, Ruleset, SetDecl, Stmt, Verdict } from './model.ts';

const NAME = /^[A-Za-z][A-Za-z0-9/_.-]*$/;
/** nftables keeps at most 128 bytes of a comment (NFT_USERDATA_MAXLEN). */
export const MAX_COMMENT_BYTES = 128;

export class NetfilterError extends Error {
  override name = 'NetfilterError';
  readonly code = 'InvalidName';
}

/**
 * A chain/set/table name as nft reads it. nft 1.0.x takes no quoted names, so a name must be an
 * identifier: a letter, then letters, digits and `/ _ . -` (and at most 255 characters).
 */
export function renderName(name: string): string {
  if (!NAME.test(name) || name.length > 255) throw new NetfilterError(`${JSON.stringify(name)} is not a name nft accepts`);
  return name;
}

/** A comment's text as nftables keeps it: no double quotes (nft has no escape), cut to 128 bytes. */
export function commentText(text: string): string {
  // Fast path (most comments: short ASCII names): at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= MAX_COMMENT_BYTES && !/["\n]/.test(text)) return text;
  let t = text.replaceAll('"', "'").replaceAll('\n', ' ');
  while (Buffer.byteLength(t) > MAX_COMMENT_BYTES) t = t.slice(0, -1);
  return t;
}

export function renderComment(text: string): string {
  return `"${commentText(text)}"`;
}

export function renderVerdict(v: Verdict): string {
  return v.kind === 'jump' || v.kind === 'goto' ? `${v.kind} ${renderName(v.chain)}` : v.kind;
}

function renderValue(v: ElementValue): string {
  return v.kind === 'addr-port' ? `${v.addr} . ${v.port}` : renderVerdict(v);
}

function fields(f: Field | readonly Field[]): string {
  return typeof f === 'string' ? f : f.join(' . ');
}

function literal(l: Literal | readonly Literal[]): string {
  return typeof l === 'object' ? l.join(' . ') : String(l);
}

function operand(v: Operand): string {
  if (Array.isArray(v)) return `{ ${v.map((x) => String(x)).join(', ')} }`;
  if (typeof v === 'object') return `@${renderName((v as { set: string }).set)}`;
  return String(v);
}

const hex = (n: number) => `0x${n.toString(16)}`;

export function renderStmt(s: Stmt): string {
  switch (s.kind) {
    case 'match':
      return `${fields(s.field)} ${s.op === '!=' ? '!= ' : ''}${operand(s.value)}`;
    case 'mark-match':
      return `meta mark & ${hex(s.mask)} ${s.op} ${s.value === 0 ? '0' : hex(s.value)}`;
    case 'counter':
      return 'counter';
    case 'verdict':
      return renderVerdict(s.verdict);
    case 'reject':
      return 'reject';
    case 'vmap':
      if (typeof s.map === 'string') return `${fields(s.key)} vmap @${renderName(s.map)}`;
      return `${fields(s.key)} vmap { ${s.map.map(([k, v]) => `${literal(k)} : ${renderVerdict(v)}`).join(', ')} }`;
    case 'numgen-vmap':
      return `numgen inc mod ${s.targets.length} vmap { ${s.targets.map((v, i) => `${i} : ${renderVerdict(v)}`).join(', ')} }`;
    case 'numgen-map':
      return `numgen inc mod ${s.mod} vmap @${renderName(s.map)}`;
    case 'dnat-map':
      return `dnat ip to numgen inc mod ${s.mod}${s.offset ? ` offset ${s.offset}` : ''} map @${renderName(s.map)}`;
    case 'dnat':
      return `dnat to ${s.addr}${s.port === undefined ? '' : `:${s.port}`}`;
    case 'masquerade':
      return s.isFullyRandom ? 'masquerade fully-random' : 'masquerade';
    case 'mark-set':
      return s.op === 'set' ? `meta mark set ${hex(s.value)}` : `meta mark set meta mark ${s.op} ${hex(s.value)}`;
    case 'set-update':
      return `update @${renderName(s.set)} { ${fields(s.key)}${s.timeoutSeconds === undefined ? '' : ` timeout ${s.timeoutSeconds}s`} }`;
    case 'raw':
      return s.text;
  }
}

export function renderRule(r: Rule): string {
  const body = r.stmts.map(renderStmt).join(' ');
  return r.comment === undefined ? body : `${body} comment ${renderComment(r.comment)}`;
}

export function renderBaseSpec(b: BaseChainSpec): string {
  return `type ${b.type} hook ${b.hook} priority ${b.priority}; policy ${b.policy ?? 'accept'};`;
}

export function renderElement(e: Element): string {
  const comment = e.comment === undefined ? '' : ` comment ${renderComment(e.comment)}`;
  return `${literal(e.key)}${comment}${e.value ? ` : ${renderValue(e.value)}` : ''}`;
}

/** `type …; flags …; comment …;` — the body of a set declaration, one clause per array entry. */
export function setClauses(s: SetDecl): string[] {
  const out = [`${s.isTypeof ? 'typeof' : 'type'} ${s.keyType}${s.kind === 'map' ? ` : ${s.valueType ?? 'verdict'}` : ''}`];
  if (s.flags?.length) out.push(`flags ${s.flags.join(',')}`);
  if (s.comment !== undefined) out.push(`comment ${renderComment(s.comment)}`);
  return out;
}

/** The whole table in the nested form: sets and maps (with their elements) first, then chains. */
export function renderRulesetText(r: Ruleset): string {
  const out: string[] = [`table ${r.family} ${renderName(r.table)} {`];
  if (r.comment !== undefined) out.push(`\tcomment ${renderComment(r.comment)}`);
  for (const s of r.sets.values()) {
    out.push('', `\t${s.kind} ${renderName(s.name)} {`, ...setClauses(s).map((c) => `\t\t${c}`));
    const els = r.elements.get(s.name) ?? [];
    if (els.length) out.push(`\t\telements = { ${els.map(renderElement).join(',\n\t\t\t     ')} }`);
    out.push('\t}');
  }
  for (const c of r.chains.values()) out.push('', ...chainText(c));
  out.push('}', '');
  return out.join('\n');
}

function chainText(c: Chain): string[] {
  const out = [`\tchain ${renderName(c.name)} {`];
  if (c.base) out.push(`\t\t${renderBaseSpec(c.base)}`);
  if (c.comment !== undefined) out.push(`\t\tcomment ${renderComment(c.comment)}`);
  for (const r of c.rules) out.push(`\t\t${renderRule(r)}`);
  out.push('\t}');
  return out;
}
