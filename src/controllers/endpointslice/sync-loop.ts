// The loop shared by the endpoint controllers: nothing is queued before every informer listed once, then a
// full resync; keys go through a WorkQueue that retries failures with back-off.
import { WorkQueue } from '../runtime/work-queue.ts';

/** The informer cache lags this controller's own writes; retry shortly, quietly. */
export class StaleCacheError extends Error {
  override name = 'StaleCacheError';
  readonly code = 'StaleCache';
}

export interface SyncLoopOptions {
  /** For log lines. */
  name: string;
  /** The informers whose first list must complete before anything is queued. */
  informers: readonly { readonly synced: Promise<void> }[];
  sync: (key: string) => Promise<void>;
  /** Every key to sync once the caches are complete. */
  initialKeys: () => Iterable<string>;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class SyncLoop {
  #options: SyncLoopOptions;
  #queue: WorkQueue;
  #isSynced = false;

  constructor(options: SyncLoopOptions) {
    this.#options = options;
    this.#queue = new WorkQueue(options.sync, { workers: options.workers ?? 4, baseDelayMs: options.baseDelayMs ?? 5, maxDelayMs: options.maxDelayMs ?? 30_000 });
    this.#queue.onError = (key, e) => {
      if (!(e instanceof StaleCacheError)) console.error(`${options.name} ${key}:`, e instanceof Error ? e.message : e);
    };
  }

  get isSynced(): boolean {
    return this.#isSynced;
  }

  /** Dropped before the caches synced: the resync that follows covers it. */
  add(key: string): void {
    if (this.#isSynced) this.#queue.add(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.#isSynced) this.#queue.addAfter(key, delayMs);
  }

  async start(): Promise<void> {
    await Promise.all(this.#options.informers.map((i) => i.synced));
    this.#isSynced = true;
    for (const key of this.#options.initialKeys()) this.#queue.add(key);
  }

  stop(): void {
    this.#isSynced = false;
    this.#queue.stop();
  }

  /** Resolves when nothing is queued, running or waiting for a retry (for tests). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
