// The single-machine Store: one SQLite file, owned by one process.
//
// Durability: WAL journal with synchronous=FULL. A commit appends the transaction to the WAL with
// write(2) before returning, so once a write is acknowledged its bytes are in the kernel and survive
// the process being killed (even with SIGKILL); FULL also fsyncs the WAL on every commit, so they
// survive a kernel crash or power loss too (NORMAL would only sync at checkpoints).
// locking_mode=EXCLUSIVE holds the file lock for the store's lifetime: watchers are fed in-process,
// so a second process writing the same file would bypass them.
// Group commit: writes requested while the event loop turns are queued and committed together in one
// transaction (one fsync), each with its own revision, and acknowledged only after that commit. A write
// whose precondition fails (KeyExists, RevisionMismatch…) changes nothing and fails alone.
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import type { ListResult, Store, StoredObject, WatchHandle, WatchOptions } from './store.ts';
import { StoreError } from './store.ts';
import { prefixEnd } from './key-range.ts';
import type { RawEvent } from './watch-hub.ts';
import { WatchHub } from './watch-hub.ts';

export interface SqliteStoreOptions {
  /** How many revisions of change history watchers can resume from (default 10,000). */
  historyLimit?: number;
}

const DEFAULT_HISTORY_LIMIT = 10_000;
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, value TEXT NOT NULL, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  revision INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, prev_value TEXT
);
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
PRAGMA user_version = ${SCHEMA_VERSION};
`;

interface Statements {
  get: StatementSync;
  listAll: StatementSync;
  listFrom: StatementSync;
  listRange: StatementSync;
  eventsAll: StatementSync;
  eventsFrom: StatementSync;
  eventsRange: StatementSync;
  put: StatementSync;
  remove: StatementSync;
  addEvent: StatementSync;
  dropEvents: StatementSync;
  setMeta: StatementSync;
  getMeta: StatementSync;
}

function prepare(db: DatabaseSync): Statements {
  const objects = 'SELECT key, value, revision FROM objects';
  const events = 'SELECT revision, key, type, value, prev_value AS prevValue FROM events WHERE revision > ?';
  return {
    get: db.prepare('SELECT value, revision FROM objects WHERE key = ?'),
    listAll: db.prepare(`${objects} ORDER BY key`),
    listFrom: db.prepare(`${objects} WHERE key >= ? ORDER BY key`),
    listRange: db.prepare(`${objects} WHERE key >= ? AND key < ? ORDER BY key`),
    eventsAll: db.prepare(`${events} ORDER BY revision`),
    eventsFrom: db.prepare(`${events} AND key >= ? ORDER BY revision`),
    eventsRange: db.prepare(`${events} AND key >= ? AND key < ? ORDER BY revision`),
    put: db.prepare('INSERT INTO objects (key, value, revision) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, revision = excluded.revision'),
    remove: db.prepare('DELETE FROM objects WHERE key = ?'),
    addEvent: db.prepare('INSERT INTO events (revision, key, type, value, prev_value) VALUES (?, ?, ?, ?, ?)'),
    dropEvents: db.prepare('DELETE FROM events WHERE revision <= ?'),
    setMeta: db.prepare('UPDATE meta SET value = ? WHERE name = ?'),
    getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
  };
}

interface PendingWrite {
  change: (revision: number) => RawEvent;
  resolve: (event: RawEvent) => void;
  reject: (error: unknown) => void;
}

/** The three forms of one prefix query: every key, keys >= prefix, and keys in [prefix, prefixEnd(prefix)). */
type PrefixQuery = [all: StatementSync, from: StatementSync, range: StatementSync];

function byPrefix(query: PrefixQuery, options: { prefix: string; afterRevision?: number }): unknown[] {
  const lead = options.afterRevision === undefined ? [] : [options.afterRevision];
  const { prefix } = options;
  if (prefix === '') return query[0].all(...lead);
  const end = prefixEnd(prefix);
  return end === undefined ? query[1].all(...lead, prefix) : query[2].all(...lead, prefix, end);
}

export class SqliteStore implements Store {
  readonly path: string;
  #db: DatabaseSync;
  #stmts: Statements;
  #hub = new WatchHub();
  #historyLimit: number;
  #revision: number;
  /** Every event with a revision above this is still in the events table. */
  #compacted: number;
  /** A trim inside the running transaction, applied to #compacted only once it commits. */
  #pendingCompacted: number | undefined;
  #closing: Promise<void> | undefined;
  #queue: PendingWrite[] = [];
  #isFlushScheduled = false;

  private constructor(path: string, db: DatabaseSync, historyLimit: number) {
    this.path = path;
    this.#db = db;
    this.#historyLimit = historyLimit;
    this.#stmts = prepare(db);
    this.#revision = this.#meta('revision');
    this.#compacted = this.#meta('compacted');
  }

  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    const historyLimit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isSafeInteger(historyLimit) || historyLimit < 1) throw new RangeError(`historyLimit must be a positive integer, not ${historyLimit}`);
    const db = new DatabaseSync(path);
    try {
      db.exec('PRAGMA busy_timeout = 2000; PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
      return new SqliteStore(path, db, historyLimit);
    } catch (e) {
      db.close();
      const message = e instanceof Error ? e.message : String(e);
      const hint = /locked|busy/i.test(message) ? ' (is another skiff server using it?)' : '';
      throw new StoreError('Unavailable', `cannot open ${path}: ${message}${hint}`, { cause: e });
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    this.#assertOpen();
    const row = this.#stmts.get.get(key) as { value: string; revision: number } | undefined;
    return row && { key, value: JSON.parse(row.value), revision: row.revision };
  }

  async list(prefix: string): Promise<ListResult> {
    this.#assertOpen();
    const s = this.#stmts;
    const rows = byPrefix([s.listAll, s.listFrom, s.listRange], { prefix }) as Array<{ key: string; value: string; revision: number }>;
    return { items: rows.map((r) => ({ key: r.key, value: JSON.parse(r.value), revision: r.revision })), revision: this.#revision };
  }

  async create(key: string, value: Record<string, unknown>): Promise<number> {
    this.#assertOpen();
    const json = JSON.stringify(value);
    const ev = await this.#write((revision) => {
      if (this.#stmts.get.get(key)) throw new StoreError('KeyExists', `key ${key} already exists`);
      this.#stmts.put.run(key, json, revision);
      return { type: 'ADDED', key, value: json, revision };
    });
    return ev.revision;
  }

  async update(key: string, value: Record<string, unknown>, expectedRevision?: number): Promise<number> {
    this.#assertOpen();
    const json = JSON.stringify(value);
    const ev = await this.#write((revision) => {
      const current = this.#current(key, expectedRevision);
      this.#stmts.put.run(key, json, revision);
      return { type: 'MODIFIED', key, value: json, prevValue: current.value, revision };
    });
    return ev.revision;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ value: Record<string, unknown>; revision: number }> {
    this.#assertOpen();
    const ev = await this.#write((revision) => {
      const last = this.#current(key, expectedRevision).value;
      this.#stmts.remove.run(key);
      return { type: 'DELETED', key, value: last, revision };
    });
    return { value: JSON.parse(ev.value), revision: ev.revision };
  }

  watch(prefix: string, options: WatchOptions): WatchHandle {
    if (this.#closing) return this.#hub.failed(options, new StoreError('Closed', 'the store is closed'));
    if (options.afterRevision < this.#compacted) {
      return this.#hub.failed(options, new StoreError('Compacted', `revision ${options.afterRevision} is older than the kept history (from ${this.#compacted})`));
    }
    const s = this.#stmts;
    const rows = byPrefix([s.eventsAll, s.eventsFrom, s.eventsRange], { prefix, afterRevision: options.afterRevision }) as Array<RawEvent & { prevValue: string | null }>;
    const replay = rows.map((r) => ({ ...r, prevValue: r.prevValue ?? undefined }));
    return this.#hub.add(prefix, { ...options, replay });
  }

  async currentRevision(): Promise<number> {
    this.#assertOpen();
    return this.#revision;
  }

  /** Forgets change history before `revision`: watches from afterRevision < revision - 1 then fail with Compacted. */
  async compact(revision: number): Promise<void> {
    this.#assertOpen();
    if (revision > this.#revision) throw new RangeError(`cannot compact future revision ${revision} (current ${this.#revision})`);
    if (revision - 1 > this.#compacted) this.#transaction(() => this.#dropHistory(revision - 1));
  }

  /** Stops every watcher with a Closed error (after the events already queued for it), then closes the file. */
  close(): Promise<void> {
    this.#closing ??= this.#hub.closeAll(new StoreError('Closed', 'the store is closed')).then(() => this.#db.close());
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new StoreError('Closed', 'the store is closed');
  }

  #meta(name: string): number {
    return (this.#stmts.getMeta.get(name) as { value: number }).value;
  }

  #current(key: string, expectedRevision: number | undefined): { value: string; revision: number } {
    const row = this.#stmts.get.get(key) as { value: string; revision: number } | undefined;
    if (!row) throw new StoreError('KeyNotFound', `key ${key} not found`);
    if (expectedRevision !== undefined && row.revision !== expectedRevision) {
      throw new StoreError('RevisionMismatch', `key ${key} is at revision ${row.revision}, not ${expectedRevision}`);
    }
    return row;
  }

  /** Queues one write; it commits with the others queued in this turn of the event loop (group commit). */
  #write(change: (revision: number) => RawEvent): Promise<RawEvent> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ change, resolve, reject });
      if (!this.#isFlushScheduled) {
        this.#isFlushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits every queued write in one transaction; watchers and callers hear of them only after the commit. */
  #flush(): void {
    this.#isFlushScheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (this.#closing) {
      for (const w of batch) w.reject(new StoreError('Closed', 'the store is closed'));
      return;
    }
    const done: { write: PendingWrite; event: RawEvent }[] = [];
    const refused: { write: PendingWrite; error: unknown }[] = [];
    let revision = this.#revision;
    try {
      this.#transaction(() => {
        for (const write of batch) {
          let ev: RawEvent;
          try {
            ev = write.change(revision + 1);
          } catch (e) {
            // a failed precondition is thrown before the change writes anything
            if (!(e instanceof StoreError)) throw e;
            refused.push({ write, error: e });
            continue;
          }
          revision++;
          this.#stmts.addEvent.run(revision, ev.key, ev.type, ev.value, ev.prevValue ?? null);
          done.push({ write, event: ev });
        }
        if (!done.length) return;
        this.#stmts.setMeta.run(revision, 'revision');
        // Trim in batches of a tenth of the window, so most writes touch no old rows.
        if (revision - this.#compacted > this.#historyLimit + Math.ceil(this.#historyLimit / 10)) this.#dropHistory(revision - this.#historyLimit);
      });
    } catch (e) {
      for (const w of batch) w.reject(e);
      return;
    }
    this.#revision = revision;
    for (const { event } of done) this.#hub.publish(event);
    for (const { write, event } of done) write.resolve(event);
    for (const { write, error } of refused) write.reject(error);
  }

  #dropHistory(through: number): void {
    this.#stmts.dropEvents.run(through);
    this.#stmts.setMeta.run(through, 'compacted');
    this.#pendingCompacted = through;
  }

  #transaction<T>(body: () => T): T {
    this.#pendingCompacted = undefined;
    let result: T;
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      result = body();
      this.#db.exec('COMMIT');
    } catch (e) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // SQLite already rolled back (e.g. on SQLITE_FULL); the original error is the one to report.
      }
      if (e instanceof StoreError) throw e;
      throw new StoreError('Unavailable', `write to ${this.path} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (this.#pendingCompacted !== undefined) this.#compacted = this.#pendingCompacted;
    return result;
  }
}
