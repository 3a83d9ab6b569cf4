// The update-side counterpart of expectations: resourceVersions this controller itself replaced by a write.
// While the informer cache still shows one of them, the cache is behind our own writes, and a sync would
// only decide on old data and fail with Conflict; the watch event of our write re-queues the key anyway.

export const REPLACED_VERSIONS_TTL_MS = 30_000;

export class ReplacedVersions {
  #byKey = new Map<string, { versions: Set<string>; at: number }>();
  #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Our write replaced `resourceVersion` of the object at `key`. */
  replaced(key: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    const e = this.#byKey.get(key);
    if (e) {
      e.versions.add(resourceVersion);
      e.at = this.#now();
    } else this.#byKey.set(key, { versions: new Set([resourceVersion]), at: this.#now() });
  }

  /** True while the cached version is one we replaced (and not for longer than the TTL, in case an event was lost). */
  isStale(key: string, cachedVersion: string | undefined): boolean {
    const e = this.#byKey.get(key);
    if (!e) return false;
    if (cachedVersion !== undefined && e.versions.has(cachedVersion) && this.#now() - e.at <= REPLACED_VERSIONS_TTL_MS) return true;
    this.#byKey.delete(key);
    return false;
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }
}
