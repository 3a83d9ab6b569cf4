// Strategic merge patch (application/strategic-merge-patch+json), the server half of apimachinery's
// pkg/util/strategicpatch as kube-apiserver runs it (MergeParallelList and IgnoreUnmatchedNulls both on).
// Objects merge key by key and `null` deletes a key. A list merges only where the schema says so: lists of objects
// item by item on the merge key, lists of scalars as a set; every other list is replaced. Directives:
//   $patch: replace | delete | merge    on an object, or as a list item ({"$patch":"replace"}; {key, "$patch":"delete"})
//   $retainKeys: [...]                  drop the live keys not listed
//   $setElementOrder/<list>: [...]       final order of a merged list
//   $deleteFromPrimitiveList/<list>: [...]  remove these scalars from a list
// Where upstream differs, on purpose:
//   * values new to the object are cleaned of nulls and directives, as upstream's removeDirectives does, but an
//     absent key patched with {"$patch":"replace", ...} gets the given content (upstream drops it);
//   * {"$patch":"delete"} on a field removes the field (upstream leaves `{}`, which typed decoding mostly omits);
//   * `$patch: merge` is accepted as the default it names (upstream 1.32 rejects it on maps and in lists);
//   * malformed patches that upstream answers with a 500 (missing merge key, unknown $patch, order mismatch,
//     wrong types) are 400 BadRequest here; the messages are upstream's.

import { StatusError, badRequest } from '../status.ts';
import { cloneJson, hasOwn, isObject, jsonTypeName, setKey, type JsonObject } from './json-value.ts';
import { checkSetElementOrder, identityOf, orderMergedList } from './list-order.ts';
import type { PatchSchema } from './patch-schemas.ts';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

const NO_SCHEMA: PatchSchema = {};
/** What a `$patch: delete` object merges to: its key is removed. */
const DELETED = Symbol('deleted');

/** Returns a new object; neither input is mutated and the result shares no structure with them. */
export function applyStrategicMergePatch(current: unknown, patch: unknown, schema: PatchSchema): unknown {
  if (patch === null) return cloneJson(current);
  if (!isObject(patch)) throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`);
  const merged = mergeObject(isObject(current) ? cloneJson(current) : {}, patch, schema);
  return merged === DELETED ? {} : merged;
}

/** `original` is owned by the merge (a private copy) and is updated in place; `patch` is only read. */
function mergeObject(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject | typeof DELETED {
  if (hasOwn(patch, PATCH)) {
    const directive = patch[PATCH];
    if (directive === 'delete') return DELETED;
    if (directive === 'replace') {
      const { [PATCH]: _, ...content } = patch;
      return mergeObject({}, content, schema);
    }
    if (directive !== 'merge') throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  if (hasOwn(patch, RETAIN_KEYS)) retainKeys(original, patch);

  const ordered = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = directiveTarget(key, SET_ELEMENT_ORDER, 'invalid patch format of setElementOrder list');
    ordered.add(field);
    const list = orderList(original, patch, { field, order, schema: fieldSchema(schema, field) });
    if (list !== undefined) setKey(original, field, list);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key) || ordered.has(key)) continue;
    const merged = value === null ? DELETED : mergeValue(original, { key, value, schema: fieldSchema(schema, key) });
    if (merged === DELETED) delete original[key];
    else setKey(original, key, merged);
  }
  for (const [key, toDelete] of Object.entries(patch)) {
    if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    const field = directiveTarget(key, DELETE_FROM_PRIMITIVE_LIST, 'invalid patch format of primitive list');
    const list = hasOwn(original, field) ? original[field] : undefined;
    if (Array.isArray(list) && Array.isArray(toDelete)) setKey(original, field, list.filter((item) => !toDelete.includes(item)));
  }
  return original;
}

function mergeValue(parent: JsonObject, options: { key: string; value: unknown; schema: PatchSchema }): unknown {
  const { key, value, schema } = options;
  if (!hasOwn(parent, key)) return fresh(value, schema);
  const original = parent[key];
  if (isObject(original) && isObject(value)) return schema.strategy === 'replace' ? fresh(value, schema) : mergeObject(original, value, schema);
  if (Array.isArray(original) && Array.isArray(value)) return mergeList(original, value, schema);
  return fresh(value, schema);
}

/** A patch value for a field the object does not have yet: nulls and directives are resolved against nothing. */
function fresh(value: unknown, schema: PatchSchema): unknown {
  if (isObject(value)) return mergeObject({}, value, schema);
  if (Array.isArray(value)) return mergeList([], value, schema);
  return value;
}

function mergeList(original: unknown[], patch: unknown[], schema: PatchSchema): unknown[] {
  const itemSchema = schema.items ?? NO_SCHEMA;
  if (schema.strategy !== 'merge' && schema.strategy !== 'merge,retainKeys') {
    return patch.map((item) => fresh(item, itemSchema)).filter((item) => item !== DELETED);
  }
  if (original.length === 0 && patch.length === 0) return [];
  if (!holdsObjects(original, patch)) {
    return orderMergedList([...new Set([...original, ...patch])], { patchOrder: patch, serverOrder: original });
  }
  const mergeKey = schema.mergeKey;
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');

  let base = original;
  const named: JsonObject[] = [];
  let isReplace = false;
  for (const item of patch as JsonObject[]) {
    const directive = hasOwn(item, PATCH) ? item[PATCH] : undefined;
    if (directive === undefined) named.push(item);
    else if (directive === 'delete') {
      const id = identityOf(item, mergeKey);
      base = base.filter((live) => identityOf(live, mergeKey) !== id);
    } else if (directive === 'replace') isReplace = true;
    else if (directive === 'merge') {
      if (hasOwn(item, mergeKey)) named.push(item);
    } else throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);
  }
  if (isReplace) {
    const replacement = named.map((item) => fresh(item, itemSchema));
    return orderMergedList(replacement, { patchOrder: [], serverOrder: replacement, mergeKey });
  }

  const merged = base.slice();
  for (const item of named) {
    const id = identityOf(item, mergeKey);
    const at = merged.findIndex((live) => identityOf(live, mergeKey) === id);
    if (at >= 0) merged[at] = mergeObject(merged[at] as JsonObject, item, itemSchema);
    else merged.push(fresh(item, itemSchema));
  }
  return orderMergedList(merged, { patchOrder: named, serverOrder: base, mergeKey });
}

/** `$setElementOrder/<field>`: merges the field's patch list (if any), then orders the result as listed. */
function orderList(original: JsonObject, patch: JsonObject, options: { field: string; order: unknown; schema: PatchSchema }): unknown[] | undefined {
  const { field, schema } = options;
  const order = asList(options.order);
  const live = hasOwn(original, field) ? asList(original[field]) : undefined;
  const patchList = hasOwn(patch, field) ? asList(patch[field]) : undefined;
  const isMerge = schema.strategy === 'merge' || schema.strategy === 'merge,retainKeys';
  const mergeKey = isMerge && schema.mergeKey ? schema.mergeKey : undefined;
  checkSetElementOrder(patchList ?? [], order, mergeKey);
  if (live === undefined && patchList === undefined) return undefined;
  const merged = patchList === undefined ? live! : mergeList(live ?? [], patchList, schema);
  return orderMergedList(merged, { patchOrder: order, serverOrder: live ?? [], mergeKey });
}

function asList(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw badRequest(`expected a []interface {}, but received a ${jsonTypeName(value)}`);
  return value;
}

function retainKeys(original: JsonObject, patch: JsonObject): void {
  const keys = patch[RETAIN_KEYS];
  if (!Array.isArray(keys)) throw badRequest('invalid patch format of retainKeys');
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!keys.includes(key)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const key of Object.keys(original)) if (!keys.includes(key)) delete original[key];
}

/** True for a list of objects, false for a list of scalars; mixed lists and lists of lists are rejected as upstream does. */
function holdsObjects(original: unknown[], patch: unknown[]): boolean {
  const all = [...original, ...patch];
  if (all.some(Array.isArray)) throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {}, { cause: new Error('lists of lists are not supported') });
  const types = new Set(all.map(jsonTypeName));
  if (types.size > 1) throw badRequest(`list element types are not identical: ${JSON.stringify([original, patch])}`);
  return types.has('object');
}

function directiveTarget(key: string, prefix: string, message: string): string {
  if (!key.startsWith(prefix + '/')) throw badRequest(message);
  return key.slice(prefix.length + 1);
}

function isDirectiveKey(key: string): boolean {
  return key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
}

function fieldSchema(schema: PatchSchema, key: string): PatchSchema {
  return schema.fields && hasOwn(schema.fields, key) ? schema.fields[key] : NO_SCHEMA;
}
