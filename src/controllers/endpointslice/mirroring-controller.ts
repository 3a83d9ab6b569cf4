// The EndpointSlice mirroring controller: user-managed Endpoints of Services without selector become EndpointSlices.
import { findResource } from '../../api/resources.ts';
import type { EndpointSlice, Service } from '../../api/types.ts';
import type { KubeClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { ENDPOINT_SLICES, SERVICES } from './endpointslice-controller.ts';
import { applySliceChanges, sliceServiceKey } from './slice-writer.ts';
import type { Endpoints } from './endpoints-types.ts';
import { hasSelector } from './pod-endpoints.ts';
import { MAX_MIRRORED_PER_SUBSET, reconcileMirroredSlices, shouldMirror } from './reconcile-mirrored-slices.ts';
import type { MirrorChanges } from './reconcile-mirrored-slices.ts';
import { SliceTracker } from './slice-tracker.ts';
import { splitKey, StaleCacheError, SyncLoop } from './sync-loop.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MIRRORING_CONTROLLER } from './well-known.ts';

const ENDPOINTS = findResource('', 'v1', 'endpoints')!;

export interface EndpointSliceMirroringControllerOptions {
  /** Upstream's --mirroring-max-endpoints-per-subset, 1000 by default. */
  maxEndpointsPerSubset?: number;
  workers?: number;
  sliceChangeDelayMs?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

export function createEndpointSliceMirroringController(informers: SharedInformers, options: EndpointSliceMirroringControllerOptions = {}): Controller & { idle(): Promise<void> } {
  return new MirroringController(informers, options);
}

class MirroringController implements Controller {
  readonly name = 'endpointslice-mirroring';
  #client: KubeClient;
  #services: Informer<Service>;
  #endpoints: Informer<Endpoints>;
  #slices: Informer<EndpointSlice>;
  #loop: SyncLoop;
  #tracker = new SliceTracker();
  #events: EventRecorder;
  #max: number;
  #sliceChangeDelayMs: number;

  constructor(informers: SharedInformers, options: EndpointSliceMirroringControllerOptions) {
    this.#client = informers.client;
    this.#services = informers.for<Service>(SERVICES);
    this.#endpoints = informers.for<Endpoints>(ENDPOINTS);
    this.#slices = informers.for<EndpointSlice>(ENDPOINT_SLICES);
    this.#events = new EventRecorder(informers.client, { component: 'endpointslice-mirroring-controller' });
    this.#max = options.maxEndpointsPerSubset ?? MAX_MIRRORED_PER_SUBSET;
    this.#sliceChangeDelayMs = options.sliceChangeDelayMs ?? 1000;
    this.#loop = new SyncLoop({
      name: 'endpointslice-mirroring',
      informers: [this.#services, this.#endpoints, this.#slices],
      sync: (key) => this.#sync(key),
      // Mirrored slices whose Endpoints went while we were down are found through their own keys.
      initialKeys: () => new Set([...this.#endpoints.list().filter(shouldMirror).map(keyOf), ...this.#slices.list().filter(isMirrored).map(sliceServiceKey)]),
      workers: options.workers,
      baseDelayMs: options.retryBaseDelayMs,
      maxDelayMs: options.maxRetryDelayMs,
    });
    this.#services.addHandlers({
      onAdd: (s) => !hasSelector(s) && this.#loop.add(keyOf(s)),
      onUpdate: (s, old) => hasSelector(s) !== hasSelector(old) && this.#loop.add(keyOf(s)),
      onDelete: (s) => !hasSelector(s) && this.#loop.add(keyOf(s)),
    });
    this.#endpoints.addHandlers({
      onAdd: (e) => shouldMirror(e) && this.#loop.add(keyOf(e)),
      onUpdate: (e, old) => (shouldMirror(e) || shouldMirror(old)) && this.#loop.add(keyOf(e)),
      onDelete: (e) => shouldMirror(e) && this.#loop.add(keyOf(e)),
    });
    this.#slices.addHandlers({
      onAdd: (s) => this.#onSliceChange(s),
      onUpdate: (s, old) => {
        if (isMirrored(old) !== isMirrored(s) || old.metadata.labels?.[LABEL_SERVICE_NAME] !== s.metadata.labels?.[LABEL_SERVICE_NAME]) {
          for (const x of [old, s]) if (x.metadata.labels?.[LABEL_SERVICE_NAME]) this.#loop.addAfter(sliceServiceKey(x), this.#sliceChangeDelayMs);
          return;
        }
        this.#onSliceChange(s);
      },
      onDelete: (s) => {
        if (isMirrored(s) && !this.#tracker.handleDeletion(sliceServiceKey(s), s)) this.#loop.addAfter(sliceServiceKey(s), this.#sliceChangeDelayMs);
      },
    });
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

  #onSliceChange(s: EndpointSlice): void {
    if (isMirrored(s) && !this.#tracker.isOwnWrite(sliceServiceKey(s), s)) this.#loop.addAfter(sliceServiceKey(s), this.#sliceChangeDelayMs);
  }

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const slices = this.#slices.list().filter((s) => s.metadata.namespace === namespace && s.metadata.labels?.[LABEL_SERVICE_NAME] === name && isMirrored(s) && !s.metadata.deletionTimestamp);
    if (this.#tracker.isStale(key, slices)) throw new StaleCacheError(`EndpointSlice cache for ${key} is behind this controller's writes`);
    const endpoints = this.#endpoints.get(key);
    const changes = reconcileMirroredSlices({ endpoints, service: this.#services.get(key), slices, maxEndpointsPerSubset: this.#max });
    const isWriting = changes.create.length + changes.update.length > 0;
    const about = endpoints && { ...endpoints, apiVersion: 'v1', kind: 'Endpoints' };
    if (about && isWriting && changes.invalidAddresses) {
      await this.#events.record(about, 'Warning', 'InvalidIPAddress', `Skipped ${changes.invalidAddresses} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (about && isWriting && changes.skippedAddresses) {
      await this.#events.record(about, 'Warning', 'TooManyAddressesToMirror', `A max of ${this.#max} addresses can be mirrored to EndpointSlices per Endpoints subset. ${changes.skippedAddresses} addresses were skipped`);
    }
    await applySliceChanges(this.#client, this.#tracker, { key, namespace, changes });
  }

}

function isMirrored(s: EndpointSlice): boolean {
  return s.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER;
}


function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
