// Re-adds keys to a work queue after a delay, keeping the earliest deadline per key. Kept apart from the
// queue's own retry timers so a long wait (minReadySeconds, a progress deadline) never swallows a retry.

export class DelayedRequeue {
  #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #add: (key: string) => void;

  constructor(add: (key: string) => void) {
    this.#add = add;
  }

  after(key: string, delayMs: number): void {
    const at = Date.now() + Math.max(0, delayMs);
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.#add(key);
    }, Math.max(0, delayMs));
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  stop(): void {
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
