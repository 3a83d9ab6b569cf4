// What the LoadBalancer IP controller does with one Service: keep, assign, fail, or release its address.
import type { Service } from '../../api/types.ts';
import { isInPool } from './ip-pool.ts';
import type { Allocations } from './ip-pool.ts';

export const DEFAULT_LOADBALANCER_CLASS = 'skiff.dev/l2';
export const DEFAULT_POOL = '198.18.1.0/24';

export type LbDecision =
  /** Nothing to do: not ours, or status already right. */
  | { type: 'none' }
  /** Write status with `ip` (already reserved in the allocations); `isNew` when the status did not show it yet. */
  | { type: 'assign'; ip: string; isNew: boolean }
  /** No address can be given; `shouldClearStatus` when the status still shows one. */
  | { type: 'fail'; message: string; shouldClearStatus: boolean }
  /** Not (or no longer) a LoadBalancer of ours: drop any address of our pool from status. */
  | { type: 'release'; shouldClearStatus: boolean };

export function statusIp(svc: Service): string | undefined {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  return ingress.length === 1 ? ingress[0].ip : undefined;
}

/** A LoadBalancer Service whose class is unset or ours. */
export function isManaged(svc: Service, loadBalancerClass: string): boolean {
  return svc.spec?.type === 'LoadBalancer' && (!svc.spec.loadBalancerClass || svc.spec.loadBalancerClass === loadBalancerClass);
}

/**
 * Decides for one service and updates `allocations` accordingly (reserve or release happen here, before any
 * write, so concurrent decisions never hand out one address twice).
 */
export function decide(svc: Service | undefined, key: string, allocations: Allocations, loadBalancerClass: string): LbDecision {
  if (!svc || !isManaged(svc, loadBalancerClass)) {
    allocations.release(key);
    const shown = svc && statusIp(svc);
    // Another class's service is someone else's business, even if its address looks like ours.
    const isOtherClass = svc?.spec?.type === 'LoadBalancer';
    return { type: 'release', shouldClearStatus: Boolean(svc && !isOtherClass && shown && isInPool(allocations.pool, shown)) };
  }
  const shown = statusIp(svc);
  const hasForeignStatus = (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0;
  const fail = (why: string): LbDecision => {
    allocations.release(key);
    return { type: 'fail', message: `Failed to allocate IP for "${key}": ${why}`, shouldClearStatus: hasForeignStatus };
  };
  const requested = svc.spec.loadBalancerIP;
  let ip: string | undefined;
  if (requested) {
    if (!isInPool(allocations.pool, requested)) return fail(`"${requested}" is not allowed in config`);
    if (!allocations.reserve(key, requested)) return fail(`"${requested}" is already in use`);
    ip = requested;
  } else {
    const held = allocations.ipOf(key);
    if (held) ip = held;
    else if (shown && allocations.reserve(key, shown)) ip = shown;
    else {
      const free = allocations.firstFree();
      if (!free) return fail('no available IPs');
      allocations.reserve(key, free);
      ip = free;
    }
  }
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const isCurrent = ingress.length === 1 && ingress[0].ip === ip && (ingress[0] as { ipMode?: string }).ipMode === 'VIP';
  if (isCurrent) return { type: 'none' };
  return { type: 'assign', ip, isNew: shown !== ip };
}

/** Restores the allocations from services' status after a restart: oldest service first wins a contested address. */
export function rebuildAllocations(services: readonly Service[], allocations: Allocations, loadBalancerClass: string, keyOf: (svc: Service) => string): void {
  const ordered = [...services].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || keyOf(a).localeCompare(keyOf(b)));
  for (const svc of ordered) {
    if (!isManaged(svc, loadBalancerClass)) continue;
    const ip = statusIp(svc);
    if (ip) allocations.reserve(keyOf(svc), ip);
  }
}
