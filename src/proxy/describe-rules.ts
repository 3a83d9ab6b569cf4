// `skiff proxy rules`: the proxy's table regrouped by Service — each Service's map entries, chains and
// affinity sets together, after the shared skeleton. Works on `nft list table` output or on the model.
import type { Ruleset } from '../netfilter/model.ts';
import { parseTableText } from '../netfilter/listing.ts';
import type { ListedBlock } from '../netfilter/listing.ts';
import { renderRulesetText } from '../netfilter/render.ts';

interface Group {
  entries: string[];
  blocks: ListedBlock[];
}

/** `ns/name:port` or `ns/name:port session affinity` → `ns/name`; anything else → undefined. */
export function serviceOfComment(comment: string | undefined): string | undefined {
  const m = /^([a-z0-9][-a-z0-9.]*\/[a-z0-9][-a-z0-9.]*)(?::[-a-z0-9]+)?(?: .*)?$/.exec(comment ?? '');
  return m?.[1];
}

export function describeRules(input: string | Ruleset): string {
  const text = typeof input === 'string' ? input : renderRulesetText(input);
  const out: string[] = [];
  for (const table of parseTableText(text)) {
    out.push(`table ${table.family} ${table.name}${table.comment ? ` — ${table.comment}` : ''}`);
    const shared: ListedBlock[] = [];
    const services = new Map<string, Group>();
    const group = (svc: string) => services.get(svc) ?? services.set(svc, { entries: [], blocks: [] }).get(svc)!;
    for (const b of table.blocks) {
      const owner = serviceOfComment(b.comment);
      if (b.kind === 'chain' && owner) group(owner).blocks.push(b);
      else if (b.kind !== 'chain' && owner) group(owner).blocks.push(b);
      else shared.push(b);
      if (b.kind === 'chain' || owner) continue;
      for (const e of b.elements) {
        const svc = serviceOfComment(/comment "([^"]*)"/.exec(e)?.[1]);
        if (svc) group(svc).entries.push(`${b.name.padEnd(22)} ${e.replace(/ comment "[^"]*"/, '')}`);
      }
    }
    out.push('', '# shared chains, sets and maps');
    for (const b of shared) out.push(...blockText(b, true));
    for (const svc of [...services.keys()].sort()) {
      const g = services.get(svc)!;
      out.push('', `# Service ${svc}`);
      for (const e of g.entries) out.push(`  ${e}`);
      for (const b of g.blocks) out.push(...blockText(b, false));
    }
  }
  return out.join('\n') + '\n';
}

function blockText(b: ListedBlock, isShared: boolean): string[] {
  const head = `  ${b.kind} ${b.name}${b.comment && !serviceOfComment(b.comment) ? `  # ${b.comment}` : ''}`;
  if (b.kind === 'chain') return [head, ...b.lines.map((l) => `      ${l}`)];
  const count = b.elements.length;
  // A shared map's elements are listed under their Services; a Service's own set (affinity) shows its entries.
  if (isShared && b.elements.some((e) => /comment "/.test(e))) return [`${head}  (${count} element${count === 1 ? '' : 's'}, listed under their Services)`];
  return [head, ...b.lines.map((l) => `      ${l}`), ...b.elements.map((e) => `      ${e}`)];
}
