// Small accessors for defaulting loosely typed objects in place. Upstream distinguishes pointer fields
// (unset = nil) from value fields (unset = the zero value); `defaultNil` and `defaultZero` mirror that.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** obj[key] when it is an object, else undefined. */
export function objAt(obj: Obj, key: string): Obj | undefined {
  const v = obj[key];
  return isObj(v) ? v : undefined;
}

/** obj[key] as an object, created as `{}` when absent or null. */
export function ensureObj(obj: Obj, key: string): Obj {
  const v = obj[key];
  if (isObj(v)) return v;
  const created: Obj = {};
  obj[key] = created;
  return created;
}

/** The object entries of the array at obj[key] (non-objects are skipped, not removed). */
export function objsAt(obj: Obj | undefined, key: string): Obj[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** Pointer semantics: set when the field is absent or null. */
export function defaultNil(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Value semantics: set when the field is absent, null, "" or 0. */
export function defaultZero(obj: Obj, key: string, value: unknown): void {
  const v = obj[key];
  if (v === undefined || v === null || v === '' || v === 0) obj[key] = value;
}
