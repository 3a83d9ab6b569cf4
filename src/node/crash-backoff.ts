// Crash-loop back-off, as the kubelet's flowcontrol.Backoff: the first restart is immediate, then each further one
// waits base, 2×base, … up to max after the container finished. A container that ran longer than 2×max since
// the last restart starts over at base. Pure (times are passed in, in ms).

export interface BackoffOptions {
  /** The first delay (10 s in the kubelet). */
  baseMs: number;
  /** The longest delay (5 min in the kubelet). */
  maxMs: number;
}

interface Entry {
  delayMs: number;
  lastUpdateMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 10_000, maxMs: 300_000 };

export class CrashBackoff {
  #options: BackoffOptions;
  #entries = new Map<string, Entry>();

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    this.#options = options;
  }

  /** How long a container that finished at `finishedAtMs` must still wait before it may start again (0: now). */
  remaining(key: string, at: { finishedAtMs: number; nowMs: number }): number {
    const { finishedAtMs, nowMs } = at;
    const e = this.#entries.get(key);
    if (!e || this.#hasExpired(e, finishedAtMs)) return 0;
    return Math.max(0, finishedAtMs + e.delayMs - nowMs);
  }

  /** The delay in force for `key` (for the CrashLoopBackOff message). */
  delay(key: string): number {
    return this.#entries.get(key)?.delayMs ?? 0;
  }

  /** Records a restart of a container that finished at `finishedAtMs`: the next crash waits longer. */
  next(key: string, finishedAtMs: number): void {
    const e = this.#entries.get(key);
    if (!e || this.#hasExpired(e, finishedAtMs)) this.#entries.set(key, { delayMs: this.#options.baseMs, lastUpdateMs: finishedAtMs });
    else this.#entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.#options.maxMs), lastUpdateMs: finishedAtMs });
  }

  forget(prefix: string): void {
    for (const k of [...this.#entries.keys()]) if (k.startsWith(prefix)) this.#entries.delete(k);
  }

  #hasExpired(e: Entry, eventMs: number): boolean {
    return eventMs - e.lastUpdateMs > 2 * this.#options.maxMs;
  }
}

/** `back-off 20s restarting failed container=app pod=web_default(uid)`, the kubelet's message. */
export function backoffMessage(delayMs: number, target: { container: string; pod: { name: string; namespace: string; uid: string } }): string {
  const { container, pod } = target;
  return `back-off ${formatDuration(delayMs)} restarting failed container=${container} pod=${pod.name}_${pod.namespace}(${pod.uid})`;
}

/** Go's time.Duration String for whole milliseconds: 10s, 1m20s, 5m0s, 200ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = Number((totalSeconds - minutes * 60).toFixed(3));
  return minutes ? `${minutes}m${seconds}s` : `${seconds}s`;
}
