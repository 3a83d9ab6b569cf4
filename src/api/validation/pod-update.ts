// What a Pod update may change in spec: images, a shorter activeDeadlineSeconds, added tolerations, removed scheduling gates.
import { field } from '../status.ts';
import { arr, deepEqual, index, isObj, isSet, num, obj, required, semanticEqual, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { inclusiveRangeError } from './names.ts';

const UPDATABLE = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];
const MAX_INT32 = 2147483647;
const MAX_DIFF_LINES = 20;

function containerCountChanged(next: Obj, old: Obj, { list }: { list: string }): Causes {
  return arr(next[list]).length === arr(old[list]).length ? [] : [field.forbidden(`spec.${list}`, 'pod updates may not add or remove containers')];
}

function validateDeadline(next: Obj, old: Obj): Causes {
  const n = num(next.activeDeadlineSeconds);
  const o = num(old.activeDeadlineSeconds);
  if (n !== undefined) {
    if (n < 0 || n > MAX_INT32) return [field.invalid('spec.activeDeadlineSeconds', n, inclusiveRangeError(0, MAX_INT32))];
    if (o !== undefined && o < n) return [field.invalid('spec.activeDeadlineSeconds', n, 'must be less than or equal to previous value')];
  } else if (o !== undefined) {
    return [field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value')];
  }
  return [];
}

function validateOnlyAddedTolerations(next: Obj, old: Obj): Causes {
  const added = arr(next.tolerations).map(obj);
  for (const before of arr(old.tolerations).map(obj)) {
    const found = added.some((t) => semanticEqual({ ...before, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return [];
}

function validateOnlyDeletedGates(next: Obj, old: Obj): Causes {
  const before = new Set(arr(old.schedulingGates).map((g) => str(obj(g).name)));
  const out: Causes = [];
  arr(next.schedulingGates).forEach((g, i) => {
    const name = str(obj(g).name);
    if (!before.has(name)) out.push(field.forbidden(`${index('spec.schedulingGates', i)}.name`, `only deletion is allowed, but found new scheduling gate '${name}'`));
  });
  return out;
}

/** A short, readable list of what differs; upstream prints a go-cmp diff here. */
export function describeDiff(old: unknown, next: unknown): string[] {
  const lines: string[] = [];
  const walk = (o: unknown, n: unknown, path: string): void => {
    if (lines.length >= MAX_DIFF_LINES || semanticEqual(o, n)) return;
    if (isObj(o) && isObj(n)) {
      for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) walk(o[k], n[k], `${path}.${k}`);
    } else if (Array.isArray(o) && Array.isArray(n) && o.length === n.length) {
      o.forEach((x, i) => walk(x, n[i], index(path, i)));
    } else {
      lines.push(`- ${path}: ${JSON.stringify(o ?? null)}`, `+ ${path}: ${JSON.stringify(n ?? null)}`);
    }
  };
  walk(old, next, 'spec');
  return lines;
}

export function validatePodSpecUpdate(next: Obj, old: Obj): Causes {
  for (const list of ['containers', 'initContainers']) {
    const changed = containerCountChanged(next, old, { list });
    if (changed.length) return changed;
  }
  const out: Causes = [];
  for (const list of ['containers', 'initContainers']) {
    arr(next[list]).forEach((c, i) => {
      if (!str(obj(c).image)) out.push(required(`${index(`spec.${list}`, i)}.image`));
    });
  }
  const deadline = validateDeadline(next, old);
  if (deadline.length) return [...out, ...deadline];
  out.push(...validateOnlyAddedTolerations(next, old));
  out.push(...validateOnlyDeletedGates(next, old));
  if (deepEqual(next, old)) return out;

  const munged: Obj = structuredClone(next);
  for (const list of ['containers', 'initContainers']) {
    const olds = arr(old[list]);
    munged[list] = arr(munged[list]).map((c, i) => ({ ...obj(c), image: obj(olds[i]).image }));
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  munged.schedulingGates = old.schedulingGates;
  const oldGrace = num(old.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (isSet(old.schedulingGates) && arr(old.schedulingGates).length) {
    // a gated pod may gain node selector entries, never lose or change them
    const before = obj(old.nodeSelector);
    const after = obj(munged.nodeSelector);
    if (!Object.entries(before).every(([k, v]) => after[k] === v)) {
      out.push(field.invalid('spec.nodeSelector', after, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
    }
    munged.nodeSelector = old.nodeSelector;
  }
  if (!semanticEqual(munged, old)) {
    const diff = describeDiff(old, munged).join('\n');
    out.push(field.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE.join(',')}\n${diff}`));
  }
  return out;
}
