// Small shared pieces: field paths, reading untyped JSON safely, and the cause kinds status.ts has no builder for.
import { field } from '../status.ts';
import type { StatusCause } from '../status.ts';

export type Causes = StatusCause[];
export type Obj = Record<string, unknown>;

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';

/** Upstream's field.Path: child names joined by '.', indexes and map keys in brackets. */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const index = (path: string, i: number): string => `${path}[${i}]`;
export const key = (path: string, k: string): string => `${path}[${k}]`;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) out[k] = str(val);
  return out;
};
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** Go's `Required(path, detail)`: the detail follows "Required value". */
export const required = (path: string, detail = ''): StatusCause => field.required(path, detail ? `Required value: ${detail}` : 'Required value');

export const notFound = (path: string, value: unknown): StatusCause => ({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}`, field: path });

export const tooMany = (path: string, actual: number, max: number): StatusCause => ({
  reason: 'FieldValueTooMany',
  message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}`,
  field: path,
});

export function nonNegative(value: unknown, path: string): Causes {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, IS_NEGATIVE)] : [];
}

/** One Invalid cause per message, all about `value` at `path` (the same shape as status.ts's field.invalid). */
export const invalids = (path: string, value: unknown, messages: string[]): Causes => messages.map((m) => field.invalid(path, value, m));

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** Semantic equality as Go sees it after decoding: absent, null, empty list and empty map are all the zero value. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return deepEqual(normalize(a), normalize(b));
}

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v)) {
      const n = normalize(val);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null || v === '' || v === false || v === 0 ? undefined : v;
}

export function immutable(path: string, { next, old }: { next: unknown; old: unknown }): Causes {
  return semanticEqual(next, old) ? [] : [field.invalid(path, next, FIELD_IMMUTABLE)];
}

/** A UTF-8 byte count, which is what Go's len() measures. */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}
