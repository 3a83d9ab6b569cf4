// Pod tolerations (core ValidateTolerations).
import { field } from '../status.ts';
import { arr, child, index, isSet, obj, str } from './causes.ts';
import type { Causes } from './causes.ts';
import { validateLabelName } from './labels.ts';
import { isValidLabelValue } from './names.ts';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: unknown, path: string): Causes {
  const out: Causes = [];
  arr(tolerations).forEach((t, i) => {
    const tol = obj(t);
    const p = index(path, i);
    const k = str(tol.key);
    const operator = str(tol.operator);
    const value = str(tol.value);
    const effect = str(tol.effect);
    if (k) out.push(...validateLabelName(k, child(p, 'key')));
    if (!k && operator !== 'Exists') {
      out.push(field.invalid(child(p, 'operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(tol.tolerationSeconds) && effect !== 'NoExecute') {
      out.push(field.invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const errs = isValidLabelValue(value);
      if (errs.length) out.push(field.invalid(child(p, 'operator'), value, errs.join(';')));
    } else if (operator === 'Exists') {
      if (value) out.push(field.invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(field.notSupported(child(p, 'operator'), operator, ['Equal', 'Exists']));
    }
    if (effect && !EFFECTS.includes(effect)) out.push(field.notSupported(child(p, 'effect'), effect, EFFECTS));
  });
  return out;
}
