// The EndpointSlice controller: keeps the slices of every Service with a selector in line with its pods.
import { findResource } from '../../api/resources.ts';
import { matchesSelectorMap } from '../../api/selectors.ts';
import type { EndpointSlice, Pod, Service } from '../../api/types.ts';
import type { KubeClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import type { Node } from './endpoints-types.ts';
import { hasSelector, lastChangeTriggerTime, servicesForPodChange, servicesSelecting } from './pod-endpoints.ts';
import { reconcileEndpointSlices } from './reconcile-endpoint-slices.ts';
import type { EndpointSliceChanges } from './reconcile-endpoint-slices.ts';
import { applySliceChanges, sliceServiceKey } from './slice-writer.ts';
import { SliceTracker } from './slice-tracker.ts';
import { splitKey, StaleCacheError, SyncLoop } from './sync-loop.ts';
import { ENDPOINTSLICE_CONTROLLER, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './well-known.ts';

export const SERVICES = findResource('', 'v1', 'services')!;
export const PODS = findResource('', 'v1', 'pods')!;
export const NODES = findResource('', 'v1', 'nodes')!;
export const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export interface EndpointSliceControllerOptions {
  /** Upstream's --max-endpoints-per-slice, 100 by default. */
  maxEndpointsPerSlice?: number;
  workers?: number;
  /** Delay before resyncing a Service after someone else changed one of its slices (upstream: 1 s). */
  sliceChangeDelayMs?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

export function createEndpointSliceController(informers: SharedInformers, options: EndpointSliceControllerOptions = {}): Controller & { idle(): Promise<void> } {
  return new EndpointSliceController(informers, options);
}

class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  #client: KubeClient;
  #services: Informer<Service>;
  #pods: Informer<Pod>;
  #slices: Informer<EndpointSlice>;
  #nodes: Informer<Node>;
  #loop: SyncLoop;
  #tracker = new SliceTracker();
  #maxEndpointsPerSlice: number;
  #sliceChangeDelayMs: number;
  /** Services with pods on nodes not (yet) known: resynced when a Node appears. */
  #waitingForNodes = new Set<string>();

  constructor(informers: SharedInformers, options: EndpointSliceControllerOptions) {
    this.#client = informers.client;
    this.#services = informers.for<Service>(SERVICES);
    this.#pods = informers.for<Pod>(PODS);
    this.#slices = informers.for<EndpointSlice>(ENDPOINT_SLICES);
    this.#nodes = informers.for<Node>(NODES);
    this.#maxEndpointsPerSlice = options.maxEndpointsPerSlice ?? 100;
    this.#sliceChangeDelayMs = options.sliceChangeDelayMs ?? 1000;
    this.#loop = new SyncLoop({
      name: 'endpointslice',
      informers: [this.#services, this.#pods, this.#slices, this.#nodes],
      sync: (key) => this.#sync(key),
      initialKeys: () => this.#services.list().map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      workers: options.workers,
      baseDelayMs: options.retryBaseDelayMs,
      maxDelayMs: options.maxRetryDelayMs,
    });
    this.#addHandlers();
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the loop runs. */
  async start(): Promise<void> {
    await this.#loop.start();
  }

  stop(): void {
    this.#loop.stop();
  }

  idle(): Promise<void> {
    return this.#loop.idle();
  }

  #addHandlers(): void {
    const serviceKey = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;
    this.#services.addHandlers({ onAdd: (s) => this.#loop.add(serviceKey(s)), onUpdate: (s) => this.#loop.add(serviceKey(s)), onDelete: (s) => this.#loop.add(serviceKey(s)) });
    const enqueueAll = (keys: Set<string>) => {
      for (const k of keys) this.#loop.add(k);
    };
    this.#pods.addHandlers({
      onAdd: (p) => enqueueAll(servicesForPodChange(this.#services.list(), p)),
      onUpdate: (p, old) => enqueueAll(servicesForPodChange(this.#services.list(), p, old)),
      onDelete: (p) => enqueueAll(servicesSelecting(this.#services.list(), p.metadata.namespace, p.metadata.labels)),
    });
    this.#slices.addHandlers({
      onAdd: (s) => this.#onSliceChange(s),
      onUpdate: (s, old) => {
        if (old.metadata.labels?.[LABEL_SERVICE_NAME] !== s.metadata.labels?.[LABEL_SERVICE_NAME] || isManaged(old) !== isManaged(s)) {
          for (const x of [old, s]) if (x.metadata.labels?.[LABEL_SERVICE_NAME]) this.#loop.addAfter(sliceServiceKey(x), this.#sliceChangeDelayMs);
          return;
        }
        this.#onSliceChange(s);
      },
      onDelete: (s) => {
        if (!isManaged(s) || this.#tracker.handleDeletion(sliceServiceKey(s), s)) return;
        this.#loop.addAfter(sliceServiceKey(s), this.#sliceChangeDelayMs);
      },
    });
    this.#nodes.addHandlers({
      onAdd: () => {
        for (const k of this.#waitingForNodes) this.#loop.add(k);
      },
    });
  }

  /** Someone else's change to one of our slices: put it back after a short delay. Our own writes' echoes are ignored. */
  #onSliceChange(s: EndpointSlice): void {
    if (!isManaged(s)) return;
    const key = sliceServiceKey(s);
    if (!this.#tracker.isOwnWrite(key, s)) this.#loop.addAfter(key, this.#sliceChangeDelayMs);
  }

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(key);
    const slices = this.#slices.list().filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === name && isManaged(s) && !s.metadata.deletionTimestamp);
    if (this.#tracker.isStale(key, slices)) throw new StaleCacheError(`EndpointSlice cache for ${key} is behind this controller's writes`);
    const pods = svc && hasSelector(svc) ? this.#pods.list().filter((p) => p.metadata.namespace === namespace && matchesSelectorMap(svc.spec.selector, p.metadata.labels)) : [];
    const nodes = new Map(this.#nodes.list().map((n) => [n.metadata.name!, n]));
    const changes = reconcileEndpointSlices({
      service: svc,
      pods,
      slices,
      nodes,
      maxEndpointsPerSlice: this.#maxEndpointsPerSlice,
      triggerTime: svc ? lastChangeTriggerTime(svc, pods) : undefined,
    });
    await applySliceChanges(this.#client, this.#tracker, { key, namespace, changes });
    if (changes.problems.length) {
      this.#waitingForNodes.add(key);
      throw new Error(changes.problems.join('; '));
    }
    this.#waitingForNodes.delete(key);
  }

}

function isManaged(s: EndpointSlice): boolean {
  return s.metadata.labels?.[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER;
}


