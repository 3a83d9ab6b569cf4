// Element order of merged lists in a strategic merge patch, as apimachinery's strategicpatch orders them
// (design: community/contributors/design-proposals/cli/preserve-order-in-strategic-merge-patch.md).
// Precedence: $setElementOrder, then the order in the patch list, then the order in the live list. Items named by
// the patch keep the patch's order; server-only items keep their live order and are interleaved before the first
// patch item that follows them in the live list. A new item has no live position, so without $setElementOrder it
// lands ahead of the remaining server-only items (kubectl always sends $setElementOrder, which places it exactly).

import { badRequest } from '../status.ts';
import { hasOwn, isObject, jsonTypeName } from './json-value.ts';

/** An element's identity: its merge key's value for lists of objects, the element itself for lists of scalars. */
export function identityOf(item: unknown, mergeKey: string | undefined): unknown {
  if (mergeKey === undefined) return item;
  if (!isObject(item)) throw badRequest(`expected a map, but received a ${jsonTypeName(item)}`);
  if (!hasOwn(item, mergeKey)) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey];
}

/** Orders `merged` by `patchOrder` (the patch list or $setElementOrder) and `serverOrder` (the live list). */
export function orderMergedList(merged: unknown[], options: { patchOrder: unknown[]; serverOrder: unknown[]; mergeKey?: string }): unknown[] {
  const { mergeKey } = options;
  const patchIndex = firstIndexes(options.patchOrder, mergeKey);
  const serverIndex = firstIndexes(options.serverOrder, mergeKey);
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (patchIndex.has(identityOf(item, mergeKey)) ? patchItems : serverOnly).push(item);
  const byIndexIn = (index: Map<unknown, number>) => (a: unknown, b: unknown): number => {
    const ia = index.get(identityOf(a, mergeKey));
    const ib = index.get(identityOf(b, mergeKey));
    return ia !== undefined && ib !== undefined ? ia - ib : 0;
  };
  patchItems.sort(byIndexIn(patchIndex));
  serverOnly.sort(byIndexIn(serverIndex));

  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length && j < patchItems.length) {
    const left = serverIndex.get(identityOf(serverOnly[i], mergeKey));
    const right = serverIndex.get(identityOf(patchItems[j], mergeKey));
    if (left !== undefined && right !== undefined && left < right) result.push(serverOnly[i++]);
    else result.push(patchItems[j++]);
  }
  return result.concat(serverOnly.slice(i), patchItems.slice(j));
}

/**
 * The patch list must name its items in the same relative order as $setElementOrder and only items that it names
 * (items carrying a `$patch` directive are exempt). Upstream answers a mismatch with this message.
 */
export function checkSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0 || patchList.length === 0) return;
  const named = patchList.filter((item) => !(isObject(item) && hasOwn(item, '$patch')));
  let p = 0;
  for (let s = 0; p < named.length && s < order.length; s++) {
    if (identityOf(named[p], mergeKey) === identityOf(order[s], mergeKey)) p++;
  }
  if (p < named.length) {
    throw badRequest(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match $setElementOrder list:\n${JSON.stringify(order)}\n`);
  }
}

function firstIndexes(list: unknown[], mergeKey: string | undefined): Map<unknown, number> {
  const index = new Map<unknown, number>();
  list.forEach((item, i) => {
    const id = identityOf(item, mergeKey);
    if (!index.has(id)) index.set(id, i);
  });
  return index;
}
