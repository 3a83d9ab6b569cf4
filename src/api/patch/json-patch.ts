// JSON patch, RFC 6902 (application/json-patch+json), with JSON pointers per RFC 6901.
//
// Errors follow kube-apiserver (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch):
// a body that does not decode as a list of operation objects is 400 BadRequest; every failure while applying
// (unknown op, missing path/from/value, bad pointer, nonexistent target, failed test) is 422 Invalid with the
// generic message of NewGenericServerResponse(422). Upstream drops the detail from the response; it is kept here
// as the error's `cause`. More than 10000 operations is 413, as upstream.

import { StatusError, badRequest } from '../status.ts';
import { cloneJson, hasOwn, isObject, jsonEqual, jsonTypeName, setKey } from './json-value.ts';

const MAX_OPERATIONS = 10000;
const INVALID_MESSAGE = 'the server rejected our request due to an error in our request';

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (patch === null) return cloneJson(document);
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isObject(op) && op !== null) throw badRequest(`json: cannot unmarshal ${jsonTypeName(op)} into Go value of type jsonpatch.Operation`);
  }
  if (patch.length > MAX_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${patch.length}`);
  }
  let doc = cloneJson(document);
  patch.forEach((op, i) => {
    try {
      doc = applyOperation(doc, (op ?? {}) as Record<string, unknown>);
    } catch (e) {
      if (!(e instanceof PatchFailure)) throw e;
      throw new StatusError(422, 'Invalid', INVALID_MESSAGE, {}, { cause: new Error(`operation ${i}: ${e.message}`) });
    }
  });
  return doc;
}

class PatchFailure extends Error {}

function applyOperation(doc: unknown, op: Record<string, unknown>): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, pointer(op, 'path'), cloneJson(value(op)));
    case 'remove':
      return remove(doc, pointer(op, 'path'));
    case 'replace': {
      const path = pointer(op, 'path');
      const replacement = cloneJson(value(op));
      get(doc, path);
      return path.length === 0 ? replacement : set(doc, path, replacement);
    }
    case 'move': {
      const path = pointer(op, 'path');
      const from = pointer(op, 'from');
      const moved = get(doc, from);
      if (!isPrefix(from, path)) return add(remove(doc, from), path, moved);
      if (from.length === path.length) return doc;
      throw new PatchFailure(`move from ${String(op.from)} into its own child ${String(op.path)}`);
    }
    case 'copy': {
      const path = pointer(op, 'path');
      return add(doc, path, cloneJson(get(doc, pointer(op, 'from'))));
    }
    case 'test': {
      const path = pointer(op, 'path');
      const expected = value(op);
      let actual: unknown;
      try {
        actual = get(doc, path);
      } catch (e) {
        if (e instanceof PatchFailure) throw new PatchFailure(`testing value ${String(op.path)} failed: ${e.message}`);
        throw e;
      }
      if (!jsonEqual(actual, expected)) throw new PatchFailure(`testing value ${String(op.path)} failed`);
      return doc;
    }
    default:
      throw new PatchFailure(op.op === undefined ? 'operation missing op field' : `unexpected op: ${JSON.stringify(op.op)}`);
  }
}

function value(op: Record<string, unknown>): unknown {
  if (!hasOwn(op, 'value')) throw new PatchFailure(`${String(op.op)} operation missing value field`);
  return op.value;
}

/** Parses a JSON pointer (RFC 6901) into reference tokens. */
function pointer(op: Record<string, unknown>, member: 'path' | 'from'): string[] {
  const text = op[member];
  if (typeof text !== 'string') throw new PatchFailure(`${String(op.op)} operation missing ${member} field`);
  if (text === '') return [];
  if (!text.startsWith('/')) throw new PatchFailure(`invalid JSON pointer ${JSON.stringify(text)}`);
  return text.slice(1).split('/').map((token) => {
    if (/~[^01]|~$/.test(token)) throw new PatchFailure(`invalid escape in JSON pointer ${JSON.stringify(text)}`);
    return token.replaceAll('~1', '/').replaceAll('~0', '~');
  });
}

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((token, i) => token === path[i]);
}

function arrayIndex(token: string, length: number, options: { isInsert: boolean }): number {
  if (options.isInsert && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchFailure(`invalid array index ${JSON.stringify(token)}`);
  const index = Number(token);
  if (index > length || (!options.isInsert && index === length)) throw new PatchFailure(`array index ${index} out of bounds (length ${length})`);
  return index;
}

/** The container holding the last token of `path`; every step before it must exist. */
function parentOf(doc: unknown, path: string[]): unknown {
  let node = doc;
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, { isInsert: false })];
    else if (isObject(node) && hasOwn(node, token)) node = node[token];
    else throw new PatchFailure(`path ${render(path)} does not exist: missing ${JSON.stringify(token)}`);
  }
  return node;
}

function get(doc: unknown, path: string[]): unknown {
  if (path.length === 0) return doc;
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent.length, { isInsert: false })];
  if (isObject(parent) && hasOwn(parent, last)) return parent[last];
  throw new PatchFailure(`path ${render(path)} does not exist`);
}

function set(doc: unknown, path: string[], item: unknown): unknown {
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent[arrayIndex(last, parent.length, { isInsert: false })] = item;
  else setKey(parent as Record<string, unknown>, last, item);
  return doc;
}

function add(doc: unknown, path: string[], item: unknown): unknown {
  if (path.length === 0) return item;
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, { isInsert: true }), 0, item);
  else if (isObject(parent)) setKey(parent, last, item);
  else throw new PatchFailure(`add: parent of ${render(path)} is not an object or array`);
  return doc;
}

function remove(doc: unknown, path: string[]): unknown {
  if (path.length === 0) throw new PatchFailure('remove: cannot remove the whole document');
  const parent = parentOf(doc, path);
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, { isInsert: false }), 1);
  else if (isObject(parent) && hasOwn(parent, last)) delete parent[last];
  else throw new PatchFailure(`remove: path ${render(path)} does not exist`);
  return doc;
}

function render(path: string[]): string {
  return path.map((token) => '/' + token.replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}
