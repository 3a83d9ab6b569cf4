// A work queue of keys with de-duplication, per-key exclusivity and rate-limited retries (as client-go's workqueue).

export interface WorkQueueOptions {
  /** First retry delay; doubles per failure of the same key up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Keys processed at once. */
  workers?: number;
}

export class WorkQueue {
  #queue: string[] = [];
  #queued = new Set<string>();
  #processing = new Set<string>();
  #dirtyWhileProcessing = new Set<string>();
  #failures = new Map<string, number>();
  #timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  #handler: (key: string) => Promise<void>;
  #options: Required<WorkQueueOptions>;
  #active = 0;
  #isStopped = false;
  #idleWaiters: (() => void)[] = [];
  onError: (key: string, error: unknown) => void = (key, e) => console.error(`work queue: ${key}:`, e instanceof Error ? e.message : e);

  constructor(handler: (key: string) => Promise<void>, options: WorkQueueOptions = {}) {
    this.#handler = handler;
    this.#options = { baseDelayMs: 5, maxDelayMs: 30_000, workers: 4, ...options };
  }

  add(key: string): void {
    if (this.#isStopped) return;
    if (this.#processing.has(key)) {
      this.#dirtyWhileProcessing.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Adds `key` after `delayMs`; a pending later delay for the same key is brought forward, an earlier one kept. */
  addAfter(key: string, delayMs: number): void {
    if (this.#isStopped) return;
    const due = Date.now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending) {
      if (pending.due <= due) return;
      clearTimeout(pending.timer);
    }
    this.#timers.set(key, { due, timer: setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs) });
  }

  get length(): number {
    return this.#queue.length;
  }

  /** Resolves when nothing is queued, processing or waiting for a retry. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  stop(): void {
    this.#isStopped = true;
    for (const t of this.#timers.values()) clearTimeout(t.timer);
    this.#timers.clear();
    this.#queue = [];
    this.#queued.clear();
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && this.#active === 0 && this.#timers.size === 0;
  }

  #pump(): void {
    while (!this.#isStopped && this.#active < this.#options.workers && this.#queue.length) {
      const key = this.#queue.shift()!;
      this.#queued.delete(key);
      this.#processing.add(key);
      this.#active++;
      void this.#process(key);
    }
    if (this.#isIdle()) for (const w of this.#idleWaiters.splice(0)) w();
  }

  async #process(key: string): Promise<void> {
    try {
      await this.#handler(key);
      this.#failures.delete(key);
    } catch (e) {
      const n = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, n);
      if (n === 1 || n % 10 === 0) this.onError(key, e);
      this.addAfter(key, Math.min(this.#options.baseDelayMs * 2 ** (n - 1), this.#options.maxDelayMs));
    } finally {
      this.#processing.delete(key);
      this.#active--;
      if (this.#dirtyWhileProcessing.delete(key)) this.add(key);
      this.#pump();
    }
  }
}
