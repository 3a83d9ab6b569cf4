// The storage contract. Only the API server uses it. Keys are opaque strings shaped
// "<group>/<plural>/<namespace>/<name>" (namespace empty for cluster-scoped objects);
// values are JSON-serialisable objects, serialized by the time a write resolves (callers may reuse
// them). Every write gets the next value of one store-wide, strictly increasing revision (the
// resourceVersion).

export interface StoredObject {
  key: string;
  value: Record<string, unknown>;
  /** Revision of the last write to this key. */
  revision: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The store's revision at the moment of the list. */
  revision: number;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The new value; for DELETED, the last value before deletion. */
  value: Record<string, unknown>;
  /** For MODIFIED and DELETED: the value before this event. */
  prevValue?: Record<string, unknown>;
  /** The revision of this event (for DELETED, the revision of the delete itself). */
  revision: number;
}

export interface WatchHandle {
  /** Stops delivery; idempotent. */
  stop(): void;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision, in order. */
  afterRevision: number;
  /** The event's values belong to this watcher alone (decoded for it): it may keep or change them. */
  onEvent(event: StoreEvent): void;
  /** Called once if the watch can no longer continue (e.g. compacted, store closed, backend lost). */
  onError(error: StoreError): void;
}

export type StoreErrorCode = 'KeyExists' | 'KeyNotFound' | 'RevisionMismatch' | 'Compacted' | 'Closed' | 'Unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export interface Store {
  get(key: string): Promise<StoredObject | undefined>;
  /** All keys starting with `prefix`, sorted by key. */
  list(prefix: string): Promise<ListResult>;
  /** Fails with KeyExists if the key is present. Returns the new revision. */
  create(key: string, value: Record<string, unknown>): Promise<number>;
  /**
   * Replaces the value. With `expectedRevision`, fails with RevisionMismatch unless the key's
   * current revision equals it. Fails with KeyNotFound if the key is absent.
   */
  update(key: string, value: Record<string, unknown>, expectedRevision?: number): Promise<number>;
  /** Removes the key; same precondition rules as update. Returns the deleted object and the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<{ value: Record<string, unknown>; revision: number }>;
  /**
   * Streams changes under `prefix`. If `afterRevision` is older than what the store still holds,
   * onError receives a Compacted error (the API server answers 410 Expired).
   */
  watch(prefix: string, options: WatchOptions): WatchHandle;
  /** The revision of the most recent write. */
  currentRevision(): Promise<number>;
  close(): Promise<void>;
}
