// Reading nft's nested text (`nft list table …`, or `renderRulesetText`) back into named blocks: which
// chains and sets a table has, each chain's lines, each set's elements. Pure; no rule parsing.

export interface ListedBlock {
  kind: 'chain' | 'set' | 'map';
  name: string;
  comment?: string;
  /** Inner lines other than `elements = …` and `comment …`, trimmed (a chain's spec and rules). */
  lines: string[];
  /** Each element as written, e.g. `198.19.0.10 . tcp . 80 comment "ns/a:http" : goto service-…`. */
  elements: string[];
}

export interface ListedTable {
  family: string;
  name: string;
  comment?: string;
  blocks: ListedBlock[];
}

const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

/** Every table in the text (usually one). Unknown lines are ignored, never an error. */
export function parseTableText(text: string): ListedTable[] {
  const tables: ListedTable[] = [];
  let table: ListedTable | undefined;
  let block: ListedBlock | undefined;
  let elements: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (elements !== undefined) {
      elements += ' ' + line;
      if (balanced(elements)) {
        block!.elements.push(...splitElements(elements));
        elements = undefined;
      }
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^table (\S+) (\S+) \{$/.exec(line))) {
      table = { family: m[1], name: unquote(m[2]), blocks: [] };
      tables.push(table);
    } else if (table && !block && (m = /^(chain|set|map) (\S+) \{$/.exec(line))) {
      block = { kind: m[1] as ListedBlock['kind'], name: unquote(m[2]), lines: [], elements: [] };
      table.blocks.push(block);
    } else if (block && line === '}') {
      block = undefined;
    } else if (block && line.startsWith('elements = {')) {
      elements = line.slice('elements = '.length);
      if (balanced(elements)) {
        block.elements.push(...splitElements(elements));
        elements = undefined;
      }
    } else if (block && (m = /^comment "(.*)"$/.exec(line))) {
      block.comment = m[1];
    } else if (block && line) {
      block.lines.push(line);
    } else if (table && !block && (m = /^comment "(.*)"$/.exec(line))) {
      table.comment = m[1];
    } else if (table && !block && line === '}') {
      table = undefined;
    }
  }
  return tables;
}

/** Chain and set names of one table listing (`nft -t list table` is enough: no elements needed). */
export function listedNames(text: string, table?: { family: string; name: string }): { chains: string[]; sets: { name: string; kind: 'set' | 'map' }[] } {
  const tables = parseTableText(text).filter((t) => !table || (t.family === table.family && t.name === table.name));
  const blocks = tables.flatMap((t) => t.blocks);
  return {
    chains: blocks.filter((b) => b.kind === 'chain').map((b) => b.name),
    sets: blocks.filter((b) => b.kind !== 'chain').map((b) => ({ name: b.name, kind: b.kind as 'set' | 'map' })),
  };
}

function balanced(s: string): boolean {
  let depth = 0;
  let isQuoted = false;
  for (const ch of s) {
    if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && ch === '{') depth++;
    else if (!isQuoted && ch === '}') depth--;
  }
  return depth === 0;
}

/** `{ a, b : goto x, c }` → its elements, splitting on commas outside quotes and inner braces. */
function splitElements(s: string): string[] {
  const inner = s.trim().replace(/^\{/, '').replace(/\}$/, '');
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let isQuoted = false;
  for (const ch of inner) {
    if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && ch === '{') depth++;
    else if (!isQuoted && ch === '}') depth--;
    if (ch === ',' && depth === 0 && !isQuoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.map((e) => e.replace(/\s+/g, ' '));
}
