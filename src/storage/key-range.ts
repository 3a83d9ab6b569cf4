// Exact prefix ranges. Both backends order keys by their UTF-8 bytes (SQLite's BINARY collation,
// etcd's byte keys), which is Unicode code point order, so "starts with p" is the half-open range
// [p, prefixEnd(p)) — no LIKE patterns, whose `%` and `_` would match more than the prefix.

/** The least string above every string that starts with `prefix`; undefined when no bound is needed. */
export function prefixEnd(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1; // surrogates are not characters
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/** etcd's `range_end` for a prefix: the prefix with its last byte below 0xff incremented (and the rest dropped). */
export function prefixEndBytes(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // etcd: "\0" means every key >= key
}
