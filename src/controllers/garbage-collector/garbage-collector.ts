// Owner-reference garbage collection: background (dependents of a vanished owner go), foreground (an owner
// with the foregroundDeletion finalizer waits for its blocking dependents) and orphan (dependents lose the reference).
import { findByKind, RESOURCES } from '../../api/resources.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { DependencyGraph } from './dependency-graph.ts';
import type { GraphChange } from './dependency-graph.ts';
import { classifyOwner, decideDeletingOwner, decideDependent, isDeletingDependents, isOrphaning, withoutOwnerReferences } from './ownership.ts';

export interface GarbageCollectorOptions {
  /** Resources whose objects take part (as owners or dependents); defaults to every served resource but events. */
  resources?: readonly ResourceInfo[];
  workers?: number;
  retryBaseDelayMs?: number;
}

export function createGarbageCollectorController(informers: SharedInformers, options: GarbageCollectorOptions = {}): Controller {
  return new GarbageCollector(informers, options);
}

class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  #informers: SharedInformers;
  #monitored: Informer[];
  #graph = new DependencyGraph();
  #queue: WorkQueue;
  #isSynced = false;

  constructor(informers: SharedInformers, options: GarbageCollectorOptions) {
    this.#informers = informers;
    const resources = options.resources ?? RESOURCES.filter((r) => r.kind !== 'Event');
    this.#monitored = resources.map((r) => informers.for(r));
    this.#queue = new WorkQueue((uid) => this.#sync(uid), { workers: options.workers ?? 4, baseDelayMs: options.retryBaseDelayMs ?? 20 });
    // Optimistic-concurrency conflicts are expected while the informer lags our own writes; the retry is enough.
    this.#queue.onError = (key, e) => {
      if (!isStatusError(e, 'Conflict')) console.error(`${this.name}: ${key}:`, e instanceof Error ? e.message : e);
    };
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the workers run. */
  async start(): Promise<void> {
    for (const inf of this.#monitored) {
      const resource = inf.resource;
      const change = (type: GraphChange['type'], object: KubeObject) => this.#onChange({ type, resource, object });
      inf.addHandlers({ onAdd: (o) => change('added', o), onUpdate: (o) => change('updated', o), onDelete: (o) => change('deleted', o) });
    }
    await Promise.all(this.#monitored.map((i) => i.synced));
    this.#isSynced = true;
    for (const inf of this.#monitored) {
      for (const o of inf.list()) {
        if (o.metadata.ownerReferences?.length || isDeletingDependents(o) || isOrphaning(o)) this.#queue.add(o.metadata.uid!);
      }
    }
  }

  stop(): void {
    this.#isSynced = false;
    this.#queue.stop();
  }

  #onChange(change: GraphChange): void {
    const affected = this.#graph.apply(change);
    if (this.#isSynced) for (const uid of affected) this.#queue.add(uid);
  }

  async #sync(uid: string): Promise<void> {
    const node = this.#graph.get(uid);
    if (!node) return;
    const live = await this.#get(node.resource, node.object.metadata.namespace, node.object.metadata.name!);
    if (!live || live.metadata.uid !== uid) return;
    if (isOrphaning(live) || isDeletingDependents(live)) {
      await this.#processDeletingOwner(node.resource, live);
      return;
    }
    const refs = live.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const classified = [];
    for (const ref of refs) classified.push({ ref, status: classifyOwner(ref, await this.#findOwner(ref, live)) });
    const action = decideDependent(live, classified, this.#graph.hasDependents(uid));
    const { namespace, name } = live.metadata;
    const client = this.#informers.client;
    if (action.type === 'removeOwnerReferences') {
      await ignoreNotFound(client.patch(node.resource, namespace, name!, ownerRefsPatch(live, withoutOwnerReferences(live, action.uids))));
    } else if (action.type === 'delete') {
      await ignoreNotFound(client.delete(node.resource, namespace, name!, { propagationPolicy: action.propagationPolicy, preconditions: { uid } }));
    }
  }

  async #processDeletingOwner(resource: ResourceInfo, owner: KubeObject): Promise<void> {
    const client = this.#informers.client;
    const dependents = this.#graph.dependentsOf(owner.metadata.uid!);
    const action = decideDeletingOwner(owner, dependents.map((d) => d.object));
    switch (action.type) {
      case 'orphanDependents': {
        for (const d of dependents) {
          const remaining = withoutOwnerReferences(d.object, [owner.metadata.uid!]);
          if (remaining.length === d.object.metadata.ownerReferences?.length) continue;
          await ignoreNotFound(client.patch(d.resource, d.object.metadata.namespace, d.object.metadata.name!, ownerRefsPatch(d.object, remaining)));
        }
        await this.#removeFinalizer(resource, owner, 'orphan');
        return;
      }
      case 'removeFinalizer':
        await this.#removeFinalizer(resource, owner, action.finalizer);
        return;
      case 'deleteDependents':
        for (const d of action.dependents) this.#queue.add(d.metadata.uid!);
        return;
      case 'none':
        return;
    }
  }

  async #removeFinalizer(resource: ResourceInfo, obj: KubeObject, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const patch = { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } };
    await ignoreNotFound(this.#informers.client.patch(resource, obj.metadata.namespace, obj.metadata.name!, patch));
  }

  /** The object now named by the reference: from the graph when it holds that uid, else asked of the API server. */
  async #findOwner(ref: OwnerReference, dependent: KubeObject): Promise<KubeObject | undefined> {
    const resource = findByKind(ref.apiVersion, ref.kind);
    // A kind we cannot look up is never treated as gone: deleting on a guess is worse than keeping.
    if (!resource) return { metadata: { uid: ref.uid, name: ref.name } };
    if (resource.isNamespaced && !dependent.metadata.namespace) return undefined;
    const known = this.#graph.get(ref.uid)?.object;
    if (known && known.metadata.name === ref.name) return known;
    return this.#get(resource, resource.isNamespaced ? dependent.metadata.namespace : undefined, ref.name);
  }

  async #get(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.#informers.client.get(resource, namespace, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }
}

/** A merge patch of the whole list, guarded by resourceVersion so a concurrent change is retried, not lost. */
function ownerRefsPatch(obj: KubeObject, refs: OwnerReference[]): unknown {
  return { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata.resourceVersion } };
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return;
    if (isStatusError(e, 'Conflict') && /Precondition failed: UID/.test((e as Error).message)) return;
    throw e;
  }
}
