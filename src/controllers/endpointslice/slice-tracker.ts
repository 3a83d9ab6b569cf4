// Remembers this controller's own EndpointSlice writes per owner key, so a sync never acts on a cache that has
// not seen them yet (which would create duplicate slices), and the informer's echo of a write is not resynced.
import type { EndpointSlice } from '../../api/types.ts';

const DELETED = null;

/** True when `a` is known to be older than `b` (resourceVersions are compared only when both are numbers). */
function isOlder(a: string | undefined, b: string): boolean {
  return a !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

export class SliceTracker {
  /** owner key → slice name → resourceVersion we wrote, or DELETED. */
  #expected = new Map<string, Map<string, string | null>>();

  #for(key: string): Map<string, string | null> {
    let m = this.#expected.get(key);
    if (!m) this.#expected.set(key, (m = new Map()));
    return m;
  }

  recordWrite(key: string, written: EndpointSlice): void {
    this.#for(key).set(written.metadata.name!, written.metadata.resourceVersion ?? '');
  }

  recordDeletion(key: string, slice: EndpointSlice): void {
    this.#for(key).set(slice.metadata.name!, DELETED);
  }

  /**
   * Whether `cached` (the informer's slices for this key) misses a slice we wrote, holds an older version of
   * one, or still holds one we deleted. Expectations the cache has caught up with are forgotten.
   */
  isStale(key: string, cached: readonly EndpointSlice[]): boolean {
    const expected = this.#expected.get(key);
    if (!expected) return false;
    const byName = new Map(cached.map((s) => [s.metadata.name!, s]));
    let isStale = false;
    for (const [name, rv] of expected) {
      const c = byName.get(name);
      if (rv === DELETED ? c !== undefined : c === undefined || isOlder(c.metadata.resourceVersion, rv)) isStale = true;
      else expected.delete(name);
    }
    if (!expected.size) this.#expected.delete(key);
    return isStale;
  }

  /** True if this informer event shows exactly what we wrote: nothing to resync for it. */
  isOwnWrite(key: string, slice: EndpointSlice): boolean {
    const rv = this.#expected.get(key)?.get(slice.metadata.name!);
    return rv !== undefined && rv !== DELETED && rv === slice.metadata.resourceVersion;
  }

  /** Called when the informer reports a deletion; true if we deleted it ourselves. */
  handleDeletion(key: string, slice: EndpointSlice): boolean {
    const expected = this.#expected.get(key);
    const wasOurs = expected?.get(slice.metadata.name!) === DELETED;
    expected?.delete(slice.metadata.name!);
    if (expected && !expected.size) this.#expected.delete(key);
    return wasOurs;
  }
}
