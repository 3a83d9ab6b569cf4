// The Endpoints controller: keeps the legacy Endpoints object of every Service with a selector in line with its pods.
import { findResource } from '../../api/resources.ts';
import { matchesSelectorMap } from '../../api/selectors.ts';
import { isStatusError } from '../../api/status.ts';
import type { Pod, Service } from '../../api/types.ts';
import type { KubeClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { PODS, SERVICES } from '../endpointslice/endpointslice-controller.ts';
import { isNamespaceTerminating } from '../../api/status.ts';
import type { Endpoints } from '../endpointslice/endpoints-types.ts';
import { hasSelector, lastChangeTriggerTime, servicesForPodChange, servicesSelecting } from '../endpointslice/pod-endpoints.ts';
import { splitKey, StaleCacheError, SyncLoop } from '../endpointslice/sync-loop.ts';
import { ANNOTATION_LEADER } from '../endpointslice/well-known.ts';
import { reconcileEndpoints } from './reconcile-endpoints.ts';

export const ENDPOINTS = findResource('', 'v1', 'endpoints')!;

export interface EndpointsControllerOptions {
  workers?: number;
  /** Upstream's cap of 1000 addresses per Endpoints object. */
  maxCapacity?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

export function createEndpointsController(informers: SharedInformers, options: EndpointsControllerOptions = {}): Controller & { idle(): Promise<void> } {
  return new EndpointsController(informers, options);
}

class EndpointsController implements Controller {
  readonly name = 'endpoints';
  #client: KubeClient;
  #services: Informer<Service>;
  #pods: Informer<Pod>;
  #endpoints: Informer<Endpoints>;
  #loop: SyncLoop;
  #maxCapacity?: number;
  /** What the cache must show after our last write to a key before we act on it again. */
  #expected = new Map<string, { isPresent: boolean; replacedVersion?: string }>();

  constructor(informers: SharedInformers, options: EndpointsControllerOptions) {
    this.#client = informers.client;
    this.#services = informers.for<Service>(SERVICES);
    this.#pods = informers.for<Pod>(PODS);
    this.#endpoints = informers.for<Endpoints>(ENDPOINTS);
    this.#maxCapacity = options.maxCapacity;
    this.#loop = new SyncLoop({
      name: 'endpoints',
      informers: [this.#services, this.#pods, this.#endpoints],
      sync: (key) => this.#sync(key),
      // Every Endpoints too: those whose Service went while we were down are deleted (upstream's checkLeftoverEndpoints).
      initialKeys: () => new Set([...this.#services.list(), ...this.#endpoints.list().filter((e) => !e.metadata.annotations?.[ANNOTATION_LEADER])].map(keyOf)),
      workers: options.workers,
      baseDelayMs: options.retryBaseDelayMs,
      maxDelayMs: options.maxRetryDelayMs,
    });
    this.#services.addHandlers({ onAdd: (s) => this.#loop.add(keyOf(s)), onUpdate: (s) => this.#loop.add(keyOf(s)), onDelete: (s) => this.#loop.add(keyOf(s)) });
    const enqueueAll = (keys: Set<string>) => {
      for (const k of keys) this.#loop.add(k);
    };
    this.#pods.addHandlers({
      onAdd: (p) => enqueueAll(servicesForPodChange(this.#services.list(), p)),
      onUpdate: (p, old) => enqueueAll(servicesForPodChange(this.#services.list(), p, old)),
      onDelete: (p) => enqueueAll(servicesSelecting(this.#services.list(), p.metadata.namespace, p.metadata.labels)),
    });
    this.#endpoints.addHandlers({
      onDelete: (e) => {
        this.#expected.delete(keyOf(e));
        this.#loop.add(keyOf(e));
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

  async #sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(key);
    const current = this.#endpoints.get(key);
    const expected = this.#expected.get(key);
    if (expected && (expected.isPresent !== Boolean(current) || (current && current.metadata.resourceVersion === expected.replacedVersion))) {
      throw new StaleCacheError(`Endpoints cache for ${key} is behind this controller's writes`);
    }
    this.#expected.delete(key);
    const pods = svc && hasSelector(svc) ? this.#pods.list().filter((p) => p.metadata.namespace === namespace && matchesSelectorMap(svc.spec.selector, p.metadata.labels)) : [];
    const action = reconcileEndpoints({ service: svc, pods, current, triggerTime: svc ? lastChangeTriggerTime(svc, pods) : undefined, maxCapacity: this.#maxCapacity });
    switch (action.type) {
      case 'none':
        return;
      case 'delete':
        try {
          await this.#client.delete(ENDPOINTS, namespace, name);
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
        this.#expected.set(key, { isPresent: false });
        return;
      case 'create':
        try {
          await this.#client.create(ENDPOINTS, action.endpoints);
        } catch (e) {
          if (isNamespaceTerminating(e)) return;
          throw e;
        }
        this.#expected.set(key, { isPresent: true });
        return;
      case 'update': {
        const written = await this.#client.update(ENDPOINTS, action.endpoints);
        if (written.metadata.resourceVersion !== current?.metadata.resourceVersion) this.#expected.set(key, { isPresent: true, replacedVersion: current?.metadata.resourceVersion });
      }
    }
  }
}

function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
