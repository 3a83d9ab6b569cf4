// An informer: list, then watch from the list's resourceVersion, keeping a local cache and telling handlers
// what changed. Re-lists when the watch expires (410) or breaks; never loses an event silently.
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import type { KubeClient, WatchStream } from './client.ts';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  onDelete?(obj: T): void;
}

export function objectKeyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceInfo;
  #client: KubeClient;
  #namespace?: string;
  #selectors: { labelSelector?: string; fieldSelector?: string };
  #cache = new Map<string, T>();
  #handlers: InformerHandlers<T>[] = [];
  #isStopped = false;
  #stream?: WatchStream;
  #resolveSynced!: () => void;
  readonly synced: Promise<void>;
  #isSynced = false;
  #backoffMs = 100;
  onError: (e: unknown) => void = (e) => console.error(`informer ${this.resource?.plural}:`, e instanceof Error ? e.message : e);

  constructor(client: KubeClient, resource: ResourceInfo, options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}) {
    this.#client = client;
    this.resource = resource;
    this.#namespace = options.namespace;
    this.#selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    this.synced = new Promise((resolve) => (this.#resolveSynced = resolve));
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.#handlers.push(h);
    if (this.#isSynced) for (const o of this.#cache.values()) h.onAdd?.(o);
  }

  get hasSynced(): boolean {
    return this.#isSynced;
  }

  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  start(): this {
    void this.#run();
    return this;
  }

  stop(): void {
    this.#isStopped = true;
    this.#stream?.stop();
  }

  async #run(): Promise<void> {
    while (!this.#isStopped) {
      try {
        const rv = await this.#relist();
        await this.#watch(rv);
        this.#backoffMs = 100;
      } catch (e) {
        if (this.#isStopped) return;
        this.onError(e);
        await new Promise((r) => setTimeout(r, this.#backoffMs));
        this.#backoffMs = Math.min(this.#backoffMs * 2, 5000);
      }
    }
  }

  async #relist(): Promise<string> {
    const list = await this.#client.list<T>(this.resource, this.#namespace, this.#selectors);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKeyOf(item);
      seen.add(key);
      this.#apply('ADDED', item);
    }
    for (const [key, old] of this.#cache) {
      if (!seen.has(key)) {
        this.#cache.delete(key);
        for (const h of this.#handlers) h.onDelete?.(old);
      }
    }
    if (!this.#isSynced) {
      this.#isSynced = true;
      this.#resolveSynced();
    }
    return list.metadata.resourceVersion ?? '';
  }

  async #watch(resourceVersion: string): Promise<void> {
    let rv = resourceVersion;
    while (!this.#isStopped) {
      this.#stream = await this.#client.watch(this.resource, this.#namespace, { ...this.#selectors, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) });
      if (this.#isStopped) {
        this.#stream.stop();
        return;
      }
      for await (const ev of this.#stream) {
        if (ev.type === 'ERROR') return; // expired or failed: re-list
        const obj = ev.object as T;
        rv = obj.metadata?.resourceVersion ?? rv;
        if (ev.type === 'BOOKMARK') continue;
        this.#apply(ev.type, obj);
      }
    }
  }

  #apply(type: string, obj: T): void {
    const key = objectKeyOf(obj);
    const old = this.#cache.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.#cache.delete(key);
      for (const h of this.#handlers) h.onDelete?.(obj);
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#cache.set(key, obj);
    for (const h of this.#handlers) {
      if (old) h.onUpdate?.(obj, old);
      else h.onAdd?.(obj);
    }
  }
}
