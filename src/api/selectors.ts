// Label and field selectors: the string syntax of `?labelSelector=` / `?fieldSelector=` and LabelSelector objects.
import type { LabelSelector } from './types.ts';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
}

/** Parses `a=b,c!=d,e in (x,y),!f,g,h notin (z),i>3`. Empty string → no requirements (matches everything). */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  let i = 0;
  const s = text;
  const skipSpace = () => {
    while (i < s.length && s[i] === ' ') i++;
  };
  const readWord = (): string => {
    skipSpace();
    const start = i;
    while (i < s.length && !' ,=!()<>'.includes(s[i])) i++;
    return s.slice(start, i);
  };
  while (true) {
    skipSpace();
    if (i >= s.length) break;
    let negated = false;
    if (s[i] === '!') {
      negated = true;
      i++;
    }
    const key = readWord();
    if (!key) throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? 'EOF'}', expected: identifier`);
    skipSpace();
    if (negated) {
      out.push({ key, operator: 'DoesNotExist', values: [] });
    } else if (i >= s.length || s[i] === ',') {
      out.push({ key, operator: 'Exists', values: [] });
    } else if (s.startsWith('==', i) || s[i] === '=') {
      i += s.startsWith('==', i) ? 2 : 1;
      out.push({ key, operator: 'In', values: [readWord()] });
    } else if (s.startsWith('!=', i)) {
      i += 2;
      out.push({ key, operator: 'NotIn', values: [readWord()] });
    } else if (s[i] === '>' || s[i] === '<') {
      const op = s[i] === '>' ? 'Gt' : 'Lt';
      i++;
      const v = readWord();
      if (!/^-?\d+$/.test(v)) throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
      out.push({ key, operator: op, values: [v] });
    } else {
      const word = readWord();
      if (word !== 'in' && word !== 'notin') throw new SelectorParseError(`unable to parse requirement: found '${word}', expected: in, notin, =, ==, !=, gt, lt`);
      skipSpace();
      if (s[i] !== '(') throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? 'EOF'}', expected: '('`);
      i++;
      const values: string[] = [];
      while (true) {
        values.push(readWord());
        skipSpace();
        if (s[i] === ',') {
          i++;
          continue;
        }
        if (s[i] === ')') {
          i++;
          break;
        }
        throw new SelectorParseError(`unable to parse requirement: found '${s[i] ?? 'EOF'}', expected: ',', ')'`);
      }
      out.push({ key, operator: word === 'in' ? 'In' : 'NotIn', values });
    }
    skipSpace();
    if (i < s.length) {
      if (s[i] !== ',') throw new SelectorParseError(`unable to parse requirement: found '${s[i]}', expected: ','`);
      i++;
    }
  }
  return out;
}

export function matchesRequirements(reqs: readonly LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(v)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Gt':
      case 'Lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.operator === 'Gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** A LabelSelector object as requirements. `null`/undefined selects nothing; `{}` selects everything. */
export function labelSelectorRequirements(sel: LabelSelector): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) out.push({ key, operator: 'In', values: [value] });
  for (const e of sel.matchExpressions ?? []) out.push({ key: e.key, operator: e.operator, values: e.values ?? [] });
  return out;
}

export function matchesLabelSelector(sel: LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  return matchesRequirements(labelSelectorRequirements(sel), labels);
}

/** `spec.selector` maps of Services and ReplicationControllers: an empty map selects nothing. */
export function matchesSelectorMap(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}

export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

export interface FieldRequirement {
  field: string;
  isNegated: boolean;
  value: string;
}

/** Parses `a=b,c!=d` with `\` escapes for `,`, `=` and `\` in values. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (!text.trim()) return out;
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      cur += text[i] + text[i + 1];
      i++;
    } else if (text[i] === ',') {
      terms.push(cur);
      cur = '';
    } else cur += text[i];
  }
  terms.push(cur);
  for (const term of terms) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new SelectorParseError(`invalid selector: '${term}'; can't understand '${term}'`);
    out.push({ field: m[1].trim(), isNegated: m[2] === '!=', value: m[3].replace(/\\(.)/g, '$1') });
  }
  return out;
}

export function matchesFields(reqs: readonly FieldRequirement[], fields: Record<string, string>): boolean {
  return reqs.every((r) => ((fields[r.field] ?? '') === r.value) !== r.isNegated);
}
