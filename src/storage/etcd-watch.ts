// One Store watch as one etcd watch stream. A broken stream is reopened from the revision after the
// last event delivered, so a transient failure loses and repeats nothing; a compacted start revision
// ends the watch with Compacted, and a backend gone for longer than the retry budget with Unavailable.
import type { StoreEvent, WatchHandle, WatchOptions } from './store.ts';
import { StoreError } from './store.ts';
import type { EtcdClient, EtcdKeyValue, EtcdStream, WatchResponse } from './etcd-client.ts';
import { fromBase64, int64, toBase64 } from './etcd-client.ts';

export interface EtcdWatchOptions extends WatchOptions {
  /** The etcd range to watch (raw bytes, store prefix included). */
  key: Buffer;
  rangeEnd: Buffer;
  /** The store's key prefix, cut from every key before it is reported. */
  storePrefix: string;
  /** How long to keep trying to reopen a broken stream before giving up (default 30 s). */
  retryBudgetMs?: number;
  onStop?: () => void;
}

const FIRST_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 2_000;

function decode(kv: EtcdKeyValue): Record<string, unknown> {
  return JSON.parse(fromBase64(kv.value).toString('utf8')) as Record<string, unknown>;
}

export class EtcdWatch implements WatchHandle {
  #client: EtcdClient;
  #options: EtcdWatchOptions;
  /** Every event with a revision below this has been delivered. */
  #next: number;
  #stream: EtcdStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #backoff = FIRST_BACKOFF_MS;
  #failingSince: number | undefined;
  #isStopped = false;

  constructor(client: EtcdClient, options: EtcdWatchOptions) {
    this.#client = client;
    this.#options = options;
    this.#next = options.afterRevision + 1;
    this.#open();
  }

  stop(): void {
    if (this.#isStopped) return;
    this.#isStopped = true;
    clearTimeout(this.#timer);
    this.#stream?.abort();
    this.#options.onStop?.();
  }

  /** Ends the watch with `error`, delivered asynchronously like every event. */
  fail(error: StoreError): void {
    if (this.#isStopped) return;
    this.stop();
    queueMicrotask(() => this.#options.onError(error));
  }

  #open(): void {
    const o = this.#options;
    const request = { create_request: { key: toBase64(o.key), range_end: toBase64(o.rangeEnd), start_revision: String(this.#next), prev_kv: true } };
    this.#stream = this.#client.stream('/v3/watch', {
      body: request,
      onMessage: (m) => this.#onMessage(m as { result?: WatchResponse; error?: unknown }),
      onEnd: (e) => this.#retry(e),
    });
  }

  #retry(cause: StoreError): void {
    if (this.#isStopped) return;
    const now = Date.now();
    this.#failingSince ??= now;
    if (now - this.#failingSince > (this.#options.retryBudgetMs ?? 30_000)) {
      this.fail(new StoreError('Unavailable', `watch lost: ${cause.message}`, { cause }));
      return;
    }
    this.#timer = setTimeout(() => this.#open(), this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
  }

  #onMessage(message: { result?: WatchResponse; error?: unknown }): void {
    if (this.#isStopped) return;
    const res = message.result;
    if (!res) throw new Error(`watch stream error: ${JSON.stringify(message.error ?? message)}`);
    if (res.compact_revision && int64(res.compact_revision) > 0) {
      this.fail(new StoreError('Compacted', `revision ${this.#next - 1} is older than the kept history (compacted at ${res.compact_revision})`));
      return;
    }
    if (res.canceled) {
      this.fail(new StoreError('Unavailable', `etcd cancelled the watch: ${res.cancel_reason ?? 'no reason given'}`));
      return;
    }
    this.#failingSince = undefined;
    this.#backoff = FIRST_BACKOFF_MS;
    for (const ev of res.events ?? []) {
      let event: StoreEvent | undefined;
      try {
        event = this.#toStoreEvent(ev);
      } catch (e) {
        this.fail(new StoreError('Unavailable', `undecodable watch event: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
      }
      if (!event) return;
      if (event.revision < this.#next) continue;
      this.#next = event.revision + 1;
      try {
        this.#options.onEvent(event);
      } catch (e) {
        this.fail(new StoreError('Unavailable', `watch handler failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
        return;
      }
      if (this.#isStopped) return;
    }
  }

  #toStoreEvent(ev: NonNullable<WatchResponse['events']>[number]): StoreEvent | undefined {
    const key = fromBase64(ev.kv.key).toString('utf8').slice(this.#options.storePrefix.length);
    const revision = int64(ev.kv.mod_revision);
    if (ev.type === 'DELETE') {
      // The previous value is gone only when its revision was compacted away: the client must relist.
      if (!ev.prev_kv) {
        this.fail(new StoreError('Compacted', `the value deleted at revision ${revision} was compacted`));
        return undefined;
      }
      return { type: 'DELETED', key, value: decode(ev.prev_kv), prevValue: decode(ev.prev_kv), revision };
    }
    const isCreate = int64(ev.kv.create_revision) === revision;
    const event: StoreEvent = { type: isCreate ? 'ADDED' : 'MODIFIED', key, value: decode(ev.kv), revision };
    if (!isCreate && ev.prev_kv) event.prevValue = decode(ev.prev_kv);
    return event;
  }
}
