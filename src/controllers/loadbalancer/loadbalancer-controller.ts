// Gives LoadBalancer Services of our class an address from the pool, in status.loadBalancer.ingress.
import { findResource } from '../../api/resources.ts';
import type { Service } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { Allocations, parsePool } from './ip-pool.ts';
import { decide, DEFAULT_LOADBALANCER_CLASS, DEFAULT_POOL, isManaged, rebuildAllocations } from './lb-decision.ts';

const SERVICES = findResource('', 'v1', 'services')!;

export interface LoadBalancerOptions {
  /** IPv4 CIDR the addresses come from; network and broadcast addresses are never given out. */
  pool?: string;
  /** Services with this spec.loadBalancerClass, or none, are ours. */
  loadBalancerClass?: string;
  now?: () => Date;
  retryBaseDelayMs?: number;
}

export function createLoadBalancerController(informers: SharedInformers, options: LoadBalancerOptions = {}): Controller {
  return new LoadBalancerController(informers, options);
}

class LoadBalancerController implements Controller {
  readonly name = 'loadbalancer';
  #informers: SharedInformers;
  #services: Informer<Service>;
  #queue: WorkQueue;
  #recorder: EventRecorder;
  #allocations: Allocations;
  #className: string;
  #isSynced = false;

  constructor(informers: SharedInformers, options: LoadBalancerOptions) {
    this.#informers = informers;
    this.#allocations = new Allocations(parsePool(options.pool ?? DEFAULT_POOL));
    this.#className = options.loadBalancerClass ?? DEFAULT_LOADBALANCER_CLASS;
    this.#services = informers.for<Service>(SERVICES);
    this.#queue = new WorkQueue((key) => this.#sync(key), { workers: 2, baseDelayMs: options.retryBaseDelayMs ?? 20 });
    this.#recorder = new EventRecorder(informers.client, { component: 'skiff-loadbalancer', now: options.now });
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the workers run. */
  async start(): Promise<void> {
    const enqueue = (svc: Service) => {
      if (this.#isSynced) this.#queue.add(objectKeyOf(svc));
    };
    this.#services.addHandlers({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue });
    await this.#services.synced;
    // Before deciding anything, learn who already holds what, so a restart never hands an address out twice.
    rebuildAllocations(this.#services.list(), this.#allocations, this.#className, objectKeyOf);
    this.#isSynced = true;
    for (const svc of this.#services.list()) this.#queue.add(objectKeyOf(svc));
  }

  stop(): void {
    this.#isSynced = false;
    this.#queue.stop();
  }

  async #sync(key: string): Promise<void> {
    const svc = this.#services.get(key);
    const heldBefore = this.#allocations.ipOf(key);
    const decision = decide(svc, key, this.#allocations, this.#className);
    if (heldBefore && this.#allocations.ipOf(key) !== heldBefore) this.#retryPending();
    if (!svc) return;
    switch (decision.type) {
      case 'none':
        return;
      case 'assign':
        await this.#writeStatus(svc, [{ ip: decision.ip, ipMode: 'VIP' }]);
        if (decision.isNew) await this.#recorder.record(svc, 'Normal', 'IPAllocated', `Assigned IP ${JSON.stringify([decision.ip])}`);
        return;
      case 'fail':
        if (decision.shouldClearStatus) await this.#writeStatus(svc, null);
        await this.#recorder.record(svc, 'Warning', 'AllocationFailed', decision.message);
        return;
      case 'release':
        if (decision.shouldClearStatus) await this.#writeStatus(svc, null);
        return;
    }
  }

  async #writeStatus(svc: Service, ingress: { ip: string; ipMode: string }[] | null): Promise<void> {
    try {
      await this.#informers.client.patch(SERVICES, svc.metadata.namespace, svc.metadata.name!, { status: { loadBalancer: { ingress } } }, { subresource: 'status' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** An address came free: services still waiting for one get another chance. */
  #retryPending(): void {
    for (const s of this.#services.list()) {
      const k = objectKeyOf(s);
      if (isManaged(s, this.#className) && !this.#allocations.ipOf(k)) this.#queue.add(k);
    }
  }
}
