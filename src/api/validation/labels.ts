// Labels and LabelSelectors (apimachinery meta/v1/validation), and matching a selector against a label set.
import { field } from '../status.ts';
import { arr, child, index, invalids, isObj, obj, required, str } from './causes.ts';
import type { Causes } from './causes.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';

export function validateLabelName(name: string, path: string): Causes {
  return invalids(path, name, isQualifiedName(name));
}

/** Both key and value errors are reported on the map's own path, as upstream does. */
export function validateLabels(labels: unknown, path: string): Causes {
  const out: Causes = [];
  for (const [k, v] of Object.entries(obj(labels))) {
    out.push(...validateLabelName(k, path));
    out.push(...invalids(path, str(v), isValidLabelValue(str(v))));
  }
  return out;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

export function validateLabelSelector(selector: unknown, path: string): Causes {
  if (!isObj(selector)) return [];
  const out = validateLabels(selector.matchLabels, child(path, 'matchLabels'));
  arr(selector.matchExpressions).forEach((e, i) => {
    const expr = obj(e);
    const p = index(child(path, 'matchExpressions'), i);
    const values = arr(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (!values.length) out.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length) out.push(field.forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        out.push(field.invalid(child(p, 'operator'), expr.operator ?? '', 'not a valid selector operator'));
    }
    out.push(...validateLabelName(str(expr.key), child(p, 'key')));
    values.forEach((v, j) => out.push(...invalids(index(child(p, 'values'), j), str(v), isValidLabelValue(str(v)))));
  });
  return out;
}

export function isEmptySelector(selector: unknown): boolean {
  const s = obj(selector);
  return Object.keys(obj(s.matchLabels)).length + arr(s.matchExpressions).length === 0;
}

/** Whether a (valid) LabelSelector selects the labels. An empty selector selects everything. */
export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  const s = obj(selector);
  for (const [k, v] of Object.entries(obj(s.matchLabels))) if (labels[k] !== str(v)) return false;
  for (const e of arr(s.matchExpressions)) {
    const expr = obj(e);
    const k = str(expr.key);
    const has = Object.hasOwn(labels, k);
    const values = arr(expr.values).map(str);
    if (!OPERATORS.includes(str(expr.operator))) return false;
    if (expr.operator === 'In' && !(has && values.includes(labels[k]))) return false;
    if (expr.operator === 'NotIn' && has && values.includes(labels[k])) return false;
    if (expr.operator === 'Exists' && !has) return false;
    if (expr.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
