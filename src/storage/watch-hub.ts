// In-process fan-out of committed changes to watchers. A write queues its event on every matching
// watcher while it commits (so nothing can slip between a watcher's replay and its live events),
// and delivery happens later from a microtask: never on the writer's stack, in revision order per
// watcher. Values travel as JSON text and are parsed per delivery, so watchers cannot share objects.
import type { StoreEvent, StoreEventType, WatchHandle, WatchOptions } from './store.ts';
import { StoreError } from './store.ts';

export interface RawEvent {
  type: StoreEventType;
  key: string;
  /** JSON text of the new value (for DELETED, of the last value). */
  value: string;
  /** JSON text of the previous value, for MODIFIED. */
  prevValue?: string;
  revision: number;
}

class HubWatcher implements WatchHandle {
  readonly prefix: string;
  readonly options: WatchOptions;
  queue: Array<RawEvent | StoreError> = [];
  lastQueued: number;
  isStopped = false;
  #onStop: (w: HubWatcher) => void;

  constructor(prefix: string, options: WatchOptions, onStop: (w: HubWatcher) => void) {
    this.prefix = prefix;
    this.options = options;
    this.lastQueued = options.afterRevision;
    this.#onStop = onStop;
  }

  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.queue = [];
    this.#onStop(this);
  }
}

function toEvent(raw: RawEvent): StoreEvent {
  const event: StoreEvent = { type: raw.type, key: raw.key, value: JSON.parse(raw.value), revision: raw.revision };
  if (raw.type === 'DELETED') event.prevValue = JSON.parse(raw.value);
  else if (raw.prevValue !== undefined) event.prevValue = JSON.parse(raw.prevValue);
  return event;
}

export class WatchHub {
  /** Watchers grouped by prefix: a write tests each distinct prefix once, however many watchers share it. */
  #byPrefix = new Map<string, Set<HubWatcher>>();
  #pending = new Set<HubWatcher>();
  #isScheduled = false;
  #idle: Array<() => void> = [];

  get size(): number {
    let n = 0;
    for (const set of this.#byPrefix.values()) n += set.size;
    return n;
  }

  /** Registers a watcher that first receives `replay` (events after its afterRevision, in order), then live events. */
  add(prefix: string, options: WatchOptions & { replay?: RawEvent[] }): WatchHandle {
    const { replay = [], ...watchOptions } = options;
    const w = new HubWatcher(prefix, watchOptions, (x) => this.#remove(x));
    let set = this.#byPrefix.get(prefix);
    if (!set) this.#byPrefix.set(prefix, (set = new Set()));
    set.add(w);
    for (const ev of replay) this.#enqueue(w, ev);
    return w;
  }

  /** A watcher that only ever reports `error`. */
  failed(options: WatchOptions, error: StoreError): WatchHandle {
    const w = new HubWatcher('', options, () => {});
    this.#enqueue(w, error);
    return w;
  }

  /** Queues a committed event for every watcher whose prefix the key starts with. */
  publish(ev: RawEvent): void {
    for (const [prefix, set] of this.#byPrefix) {
      if (!ev.key.startsWith(prefix)) continue;
      for (const w of set) this.#enqueue(w, ev);
    }
  }

  /** Ends every watcher with `error` after what is already queued; resolves once delivered. */
  closeAll(error: StoreError): Promise<void> {
    for (const set of this.#byPrefix.values()) for (const w of set) this.#enqueue(w, error);
    this.#byPrefix.clear();
    if (!this.#isScheduled) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #remove(w: HubWatcher): void {
    const set = this.#byPrefix.get(w.prefix);
    set?.delete(w);
    if (set?.size === 0) this.#byPrefix.delete(w.prefix);
    this.#pending.delete(w);
  }

  #enqueue(w: HubWatcher, item: RawEvent | StoreError): void {
    if (w.isStopped) return;
    if (!(item instanceof StoreError)) {
      if (item.revision <= w.lastQueued) return;
      w.lastQueued = item.revision;
    }
    w.queue.push(item);
    this.#pending.add(w);
    if (!this.#isScheduled) {
      this.#isScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    // A Set visits entries added during iteration, so events published by a handler are delivered in this pass.
    for (const w of this.#pending) {
      this.#pending.delete(w);
      try {
        this.#drain(w);
      } catch (e) {
        queueMicrotask(() => {
          throw e; // an onError handler threw: a caller's bug, surfaced without blocking other watchers
        });
      }
    }
    this.#isScheduled = false;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  #drain(w: HubWatcher): void {
    const items = w.queue;
    w.queue = [];
    for (const item of items) {
      if (w.isStopped) return;
      if (item instanceof StoreError) {
        w.stop();
        w.options.onError(item);
        return;
      }
      try {
        w.options.onEvent(toEvent(item));
      } catch (e) {
        // One failing handler must not stop delivery to the others; its watch ends with the cause.
        w.stop();
        w.options.onError(new StoreError('Unavailable', `watch handler failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
        return;
      }
    }
  }
}
