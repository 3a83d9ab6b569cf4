// Remembers this controller's own EndpointSlice writes per owner key, so a sync never acts on a cache that has
// not seen them yet (which would create duplicate slices), and the informer's echo of a write is not resynced.
import type { EndpointSlice } from '../../api/types.ts';

const DELETED = null;

/** True when `a` is known to be older than `b` (resourceVersions are compared only when both are numbers). */
function isOlder(a: string | undefined, b: string): boolean {
  return a !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

interface Expectation {
  /** The resourceVersion we wrote, or DELETED. */
  version: string | null;
  at: number;
}

export class SliceTracker {
  /** owner key → slice name → what we wrote. */
  #expected = new Map<string, Map<string, Expectation>>();
  #now: () => number;
  #maxAgeMs: number;

  /** Expectations older than maxAgeMs are dropped, so an event the informer never delivered cannot block a key forever. */
  constructor(options: { now?: () => number; maxAgeMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? 30_000;
  }

  #for(key: string): Map<string, Expectation> {
    let m = this.#expected.get(key);
    if (!m) this.#expected.set(key, (m = new Map()));
    return m;
  }

  recordWrite(key: string, written: EndpointSlice): void {
    this.#for(key).set(written.metadata.name!, { version: written.metadata.resourceVersion ?? '', at: this.#now() });
  }

  recordDeletion(key: string, slice: EndpointSlice): void {
    this.#for(key).set(slice.metadata.name!, { version: DELETED, at: this.#now() });
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
    const oldest = this.#now() - this.#maxAgeMs;
    for (const [name, { version, at }] of expected) {
      const c = byName.get(name);
      const isMet = version === DELETED ? c === undefined : c !== undefined && !isOlder(c.metadata.resourceVersion, version);
      if (isMet || at < oldest) expected.delete(name);
      else isStale = true;
    }
    if (!expected.size) this.#expected.delete(key);
    return isStale;
  }

  /** True if this informer event shows exactly what we wrote: nothing to resync for it. */
  isOwnWrite(key: string, slice: EndpointSlice): boolean {
    const version = this.#expected.get(key)?.get(slice.metadata.name!)?.version;
    return version !== undefined && version !== DELETED && version === slice.metadata.resourceVersion;
  }

  /** Called when the informer reports a deletion; true if we deleted it ourselves. */
  handleDeletion(key: string, slice: EndpointSlice): boolean {
    const expected = this.#expected.get(key);
    const wasOurs = expected?.get(slice.metadata.name!)?.version === DELETED;
    expected?.delete(slice.metadata.name!);
    if (expected && !expected.size) this.#expected.delete(key);
    return wasOurs;
  }
}
