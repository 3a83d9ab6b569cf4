// Creations and deletions a controller has sent but not yet seen in its informer cache (upstream's
// UIDTrackingControllerExpectations): while any are outstanding the cache is behind our own writes,
// so acting on it would create or delete twice.

/** Upstream's ExpectationsTimeout: after this, expectations are assumed lost (a missed watch event) and ignored. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  /** Keys of the objects whose deletion we wait to see; each counts once. */
  deleting: Set<string>;
  setAt: number;
}

export class ControllerExpectations {
  #byController = new Map<string, Expectation>();
  #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  expectCreations(controllerKey: string, count: number): void {
    this.#byController.set(controllerKey, { add: count, del: 0, deleting: new Set(), setAt: this.#now() });
  }

  expectDeletions(controllerKey: string, objectKeys: readonly string[]): void {
    this.#byController.set(controllerKey, { add: 0, del: objectKeys.length, deleting: new Set(objectKeys), setAt: this.#now() });
  }

  /** An object we created appeared, or a create we expected will never happen. */
  creationObserved(controllerKey: string): void {
    const e = this.#byController.get(controllerKey);
    if (e) e.add--;
  }

  /** An object we deleted disappeared (or started terminating); a key not awaited, or seen already, is ignored. */
  deletionObserved(controllerKey: string, objectKey: string): void {
    const e = this.#byController.get(controllerKey);
    if (e?.deleting.delete(objectKey)) e.del--;
  }

  /** True when the cache has caught up with our writes (or they timed out, or we never wrote). */
  isSatisfied(controllerKey: string): boolean {
    const e = this.#byController.get(controllerKey);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.#now() - e.setAt > EXPECTATIONS_TIMEOUT_MS;
  }

  delete(controllerKey: string): void {
    this.#byController.delete(controllerKey);
  }

  /** For tests and diagnostics. */
  pending(controllerKey: string): { add: number; del: number } | undefined {
    const e = this.#byController.get(controllerKey);
    return e && { add: e.add, del: e.del };
  }
}
