// Empties a terminating namespace of every namespaced object, reports progress in its status conditions,
// then removes the "kubernetes" finalizer (PUT namespaces/<name>/finalize) so the API server deletes it.
import { findResource, qualifiedResource, RESOURCES } from '../../api/resources.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import type { ContentTotals, Namespace } from './namespace-deletion.ts';
import { deletionConditions, finalizedNamespace, isContentGone, mergeConditions, namespacedResources, needsContentDeletion, tallyRemaining } from './namespace-deletion.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;

export interface NamespaceControllerOptions {
  /** The resources to empty; defaults to every served namespaced resource. */
  resources?: readonly ResourceInfo[];
  now?: () => Date;
  workers?: number;
  /** First retry delay while content remains; doubles up to maxRetryDelayMs. */
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

export class ContentRemainingError extends Error {
  override name = 'ContentRemainingError';
  readonly code = 'ContentRemaining';
}

export function createNamespaceController(informers: SharedInformers, options: NamespaceControllerOptions = {}): Controller {
  return new NamespaceController(informers, options);
}

class NamespaceController implements Controller {
  readonly name = 'namespace';
  #informers: SharedInformers;
  #namespaces: Informer<Namespace>;
  #queue: WorkQueue;
  #resources: ResourceInfo[];
  #now: () => Date;
  #isSynced = false;

  constructor(informers: SharedInformers, options: NamespaceControllerOptions) {
    this.#informers = informers;
    this.#namespaces = informers.for<Namespace>(NAMESPACES);
    this.#resources = namespacedResources(options.resources ?? RESOURCES);
    this.#now = options.now ?? (() => new Date());
    this.#queue = new WorkQueue((name) => this.#sync(name), { workers: options.workers ?? 2, baseDelayMs: options.retryBaseDelayMs ?? 50, maxDelayMs: options.maxRetryDelayMs ?? 10_000 });
    this.#queue.onError = (name, e) => {
      if (!(e instanceof ContentRemainingError)) console.error(`namespace ${name}:`, e instanceof Error ? e.message : e);
    };
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the workers run. */
  async start(): Promise<void> {
    this.#namespaces.addHandlers({ onAdd: (ns) => this.#enqueue(ns), onUpdate: (ns) => this.#enqueue(ns) });
    await this.#namespaces.synced;
    this.#isSynced = true;
    for (const ns of this.#namespaces.list()) this.#enqueue(ns);
  }

  stop(): void {
    this.#isSynced = false;
    this.#queue.stop();
  }

  #enqueue(ns: Namespace): void {
    if (this.#isSynced && needsContentDeletion(ns)) this.#queue.add(ns.metadata.name!);
  }

  async #sync(name: string): Promise<void> {
    const client = this.#informers.client;
    let ns: Namespace;
    try {
      ns = await client.get<Namespace>(NAMESPACES, undefined, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      throw e;
    }
    if (!needsContentDeletion(ns)) return;
    const totals: ContentTotals = { remainingByResource: {}, remainingByFinalizer: {}, deleteErrors: [] };
    for (const r of this.#resources) await this.#empty(r, name, totals);
    ns = await this.#writeConditions(ns, totals);
    if (!isContentGone(totals)) throw new ContentRemainingError(`namespace ${name} still has content`);
    await client.update(NAMESPACES, finalizedNamespace(ns), 'finalize');
  }

  /** DELETE the collection (background propagation, as upstream), then count what is still there. */
  async #empty(r: ResourceInfo, namespace: string, totals: ContentTotals): Promise<void> {
    const client = this.#informers.client;
    try {
      await client.request('DELETE', client.path(r, namespace), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
      const left = await client.list(r, namespace);
      tallyRemaining(totals, r, left.items);
    } catch (e) {
      totals.deleteErrors.push(`${qualifiedResource(r)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async #writeConditions(ns: Namespace, totals: ContentTotals): Promise<Namespace> {
    const { conditions, hasChanged } = mergeConditions(ns.status?.conditions ?? [], deletionConditions(totals), this.#now());
    if (!hasChanged) return ns;
    return this.#informers.client.updateStatus<Namespace>(NAMESPACES, { ...ns, status: { ...ns.status, conditions } });
  }
}
