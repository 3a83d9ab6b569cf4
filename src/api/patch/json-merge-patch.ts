// JSON merge patch, RFC 7386 (application/merge-patch+json): objects merge recursively, null deletes, anything else replaces.

import { cloneJson, hasOwn, isObject, setKey, type JsonObject } from './json-value.ts';

/** Returns a new value; neither input is mutated and the result shares no structure with them. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const result: JsonObject = isObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setKey(result, key, applyMergePatch(hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}
