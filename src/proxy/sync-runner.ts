// A bounded-frequency runner: runs `fn` when asked, but never more often than minIntervalMs, at least
// every maxIntervalMs, one run at a time, and after a failure again with exponential back-off.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SyncRunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  /** First retry delay after a failure (doubles per failure, up to retryMaxMs). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  timers?: Timers;
  onError?: (e: unknown, failures: number) => void;
}

export class SyncRunner {
  #fn: () => Promise<void>;
  #o: Required<Omit<SyncRunnerOptions, 'onError'>> & Pick<SyncRunnerOptions, 'onError'>;
  #t: Timers;
  #timer: unknown;
  #timerAt = Infinity;
  #running?: Promise<void>;
  #isRequestedWhileRunning = false;
  #lastStart = -Infinity;
  /** After a failure, nothing runs before this (back-off), whoever asks. */
  #retryAt = -Infinity;
  #failures = 0;
  #isStopped = false;
  runs = 0;

  constructor(fn: () => Promise<void>, options: SyncRunnerOptions) {
    this.#fn = fn;
    this.#t = options.timers ?? realTimers;
    this.#o = { retryBaseMs: 100, retryMaxMs: 30_000, timers: this.#t, ...options };
  }

  get failures(): number {
    return this.#failures;
  }

  /** Asks for a run as soon as the minimum interval allows. */
  request(): void {
    if (this.#isStopped) return;
    if (this.#running) {
      this.#isRequestedWhileRunning = true;
      return;
    }
    this.#scheduleAt(this.#earliest(this.#t.now()));
  }

  /** Asks for a run at `at` (ms on the runner's clock) or earlier. */
  requestAt(at: number): void {
    if (!this.#isStopped) this.#scheduleAt(this.#earliest(at));
  }

  #earliest(at: number): number {
    return Math.max(at, this.#lastStart + this.#o.minIntervalMs, this.#retryAt);
  }

  /** Stops scheduling and waits for a run in flight to finish. */
  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#timer !== undefined) this.#t.clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  #scheduleAt(at: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) this.#t.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#t.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      void this.#run();
    }, Math.max(0, at - this.#t.now()));
  }

  async #run(): Promise<void> {
    if (this.#isStopped || this.#running) return;
    this.#lastStart = this.#t.now();
    this.runs++;
    let isFailed = false;
    this.#running = this.#fn().then(
      () => {
        this.#failures = 0;
        this.#retryAt = -Infinity;
      },
      (e: unknown) => {
        isFailed = true;
        this.#failures++;
        this.#o.onError?.(e, this.#failures);
      },
    );
    await this.#running;
    this.#running = undefined;
    if (this.#isStopped) return;
    const now = this.#t.now();
    if (isFailed) {
      this.#retryAt = now + Math.min(this.#o.retryMaxMs, this.#o.retryBaseMs * 2 ** (this.#failures - 1));
      this.#scheduleAt(this.#retryAt);
    } else if (this.#isRequestedWhileRunning) this.#scheduleAt(this.#earliest(now));
    this.#isRequestedWhileRunning = false;
    this.#scheduleAt(now + this.#o.maxIntervalMs);
  }
}
