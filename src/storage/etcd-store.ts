// The distributed Store: etcd v3 through its JSON gateway. The resourceVersion is etcd's own store-wide
// revision (mod_revision of a key, header.revision of a write), and every precondition is an etcd
// transaction compare, so several API servers can share one etcd. Store keys live under a prefix
// (default "/skiff/") so several clusters can share one etcd too.
import type { ListResult, Store, StoredObject, WatchHandle, WatchOptions } from './store.ts';
import { StoreError } from './store.ts';
import { prefixEndBytes } from './key-range.ts';
import type { EtcdKeyValue, RangeResponse, TxnResponse } from './etcd-client.ts';
import { EtcdClient, fromBase64, int64, toBase64 } from './etcd-client.ts';
import { EtcdWatch } from './etcd-watch.ts';

export interface EtcdStoreOptions {
  /** Prefix of every etcd key this store writes (default "/skiff/"). */
  prefix?: string;
  /** How long a watch keeps reopening a broken stream before failing with Unavailable (default 30 s). */
  watchRetryBudgetMs?: number;
  /**
   * etcd keeps every revision until compacted. Every interval the store compacts to the revision it saw one
   * interval earlier, so watchers can resume from at least that far back (default 5 min, as kube-apiserver; 0 = never).
   */
  compactionIntervalMs?: number;
}

/** Objects per range request when listing; pages are read at one pinned revision. */
const LIST_PAGE_SIZE = 500;

type Compare = Record<string, string>;

export class EtcdStore implements Store {
  readonly prefix: string;
  #client: EtcdClient;
  #watchRetryBudgetMs: number | undefined;
  #watches = new Set<EtcdWatch>();
  #compactor: NodeJS.Timeout | undefined;
  #isClosed = false;

  private constructor(client: EtcdClient, options: EtcdStoreOptions) {
    this.#client = client;
    this.prefix = options.prefix ?? '/skiff/';
    this.#watchRetryBudgetMs = options.watchRetryBudgetMs;
    const interval = options.compactionIntervalMs ?? 5 * 60_000;
    if (interval > 0) {
      let previous: number | undefined;
      this.#compactor = setInterval(async () => {
        try {
          const now = await this.currentRevision();
          if (previous !== undefined) await this.compact(previous);
          previous = now;
        } catch {
          // Another API server compacted first, or etcd is briefly away: the next tick tries again.
        }
      }, interval).unref();
    }
  }

  /** Connects and checks that etcd answers; fails with StoreError Unavailable otherwise. */
  static async connect(endpoint: string, options: EtcdStoreOptions = {}): Promise<EtcdStore> {
    const store = new EtcdStore(new EtcdClient(endpoint), options);
    try {
      await store.currentRevision();
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.#assertOpen();
    const res = await this.#client.call<RangeResponse>('/v3/kv/range', { key: this.#key(key) });
    const kv = res.kvs?.[0];
    return kv && { key, value: this.#decode(kv), revision: int64(kv.mod_revision) };
  }

  async list(prefix: string): Promise<ListResult> {
    this.#assertOpen();
    const start = Buffer.from(this.prefix + prefix);
    const rangeEnd = toBase64(prefixEndBytes(start));
    const items: StoredObject[] = [];
    let from = start;
    let revision: number | undefined;
    while (true) {
      const page: Record<string, unknown> = { key: toBase64(from), range_end: rangeEnd, limit: String(LIST_PAGE_SIZE) };
      if (revision !== undefined) page.revision = String(revision);
      const res = await this.#client.call<RangeResponse>('/v3/kv/range', page);
      revision ??= int64(res.header.revision);
      for (const kv of res.kvs ?? []) items.push({ key: this.#storeKey(kv), value: this.#decode(kv), revision: int64(kv.mod_revision) });
      if (!res.more || !res.kvs?.length) return { items, revision };
      from = Buffer.concat([fromBase64(res.kvs.at(-1)!.key), Buffer.from([0])]);
    }
  }

  async create(key: string, value: Record<string, unknown>): Promise<number> {
    this.#assertOpen();
    const k = this.#key(key);
    const res = await this.#txn({
      compare: [{ key: k, target: 'CREATE', result: 'EQUAL', create_revision: '0' }],
      success: [{ request_put: { key: k, value: toBase64(JSON.stringify(value)) } }],
    });
    if (!res.succeeded) throw new StoreError('KeyExists', `key ${key} already exists`);
    return int64(res.header.revision);
  }

  async update(key: string, value: Record<string, unknown>, expectedRevision?: number): Promise<number> {
    this.#assertOpen();
    const k = this.#key(key);
    const res = await this.#txn({
      compare: [this.#precondition(k, expectedRevision)],
      success: [{ request_put: { key: k, value: toBase64(JSON.stringify(value)) } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.#preconditionFailed(key, res, expectedRevision);
    return int64(res.header.revision);
  }

  async delete(key: string, expectedRevision?: number): Promise<{ value: Record<string, unknown>; revision: number }> {
    this.#assertOpen();
    const k = this.#key(key);
    const res = await this.#txn({
      compare: [this.#precondition(k, expectedRevision)],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.#preconditionFailed(key, res, expectedRevision);
    const prev = res.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new StoreError('Unavailable', `etcd deleted ${key} without returning its value`);
    return { value: this.#decode(prev), revision: int64(res.header.revision) };
  }

  watch(prefix: string, options: WatchOptions): WatchHandle {
    if (this.#isClosed) {
      let isStopped = false;
      queueMicrotask(() => isStopped || options.onError(new StoreError('Closed', 'the store is closed')));
      return { stop: () => void (isStopped = true) };
    }
    const key = Buffer.from(this.prefix + prefix);
    const watch = new EtcdWatch(this.#client, {
      ...options,
      key,
      rangeEnd: prefixEndBytes(key),
      storePrefix: this.prefix,
      retryBudgetMs: this.#watchRetryBudgetMs,
      onStop: () => this.#watches.delete(watch),
    });
    this.#watches.add(watch);
    return watch;
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    const res = await this.#client.call<RangeResponse>('/v3/kv/range', { key: toBase64(this.prefix), count_only: true });
    return int64(res.header.revision);
  }

  /** etcd compaction (of the whole etcd, not only this prefix): watches from afterRevision < revision - 1 fail with Compacted. */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    await this.#client.call('/v3/kv/compaction', { revision: String(revision), physical: true });
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearInterval(this.#compactor);
    for (const w of [...this.#watches]) w.fail(new StoreError('Closed', 'the store is closed'));
    this.#client.close();
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new StoreError('Closed', 'the store is closed');
  }

  #key(key: string): string {
    return toBase64(this.prefix + key);
  }

  #storeKey(kv: EtcdKeyValue): string {
    return fromBase64(kv.key).toString('utf8').slice(this.prefix.length);
  }

  #decode(kv: EtcdKeyValue): Record<string, unknown> {
    try {
      return JSON.parse(fromBase64(kv.value).toString('utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new StoreError('Unavailable', `etcd key ${fromBase64(kv.key).toString('utf8')} does not hold JSON`, { cause: e });
    }
  }

  /** The key exists and, if asked, was last written at `expectedRevision`. */
  #precondition(k: string, expectedRevision: number | undefined): Compare {
    if (expectedRevision === undefined) return { key: k, target: 'CREATE', result: 'GREATER', create_revision: '0' };
    return { key: k, target: 'MOD', result: 'EQUAL', mod_revision: String(expectedRevision) };
  }

  /** Tells a missing key from a stale revision, from the failure branch's range read. */
  #preconditionFailed(key: string, res: TxnResponse, expectedRevision: number | undefined): StoreError {
    const kv = res.responses?.[0]?.response_range?.kvs?.[0];
    if (!kv) return new StoreError('KeyNotFound', `key ${key} not found`);
    return new StoreError('RevisionMismatch', `key ${key} is at revision ${int64(kv.mod_revision)}, not ${expectedRevision}`);
  }

  #txn(body: { compare: Compare[]; success: object[]; failure?: object[] }): Promise<TxnResponse> {
    return this.#client.call<TxnResponse>('/v3/kv/txn', body);
  }
}
