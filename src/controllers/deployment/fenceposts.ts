// maxSurge / maxUnavailable resolved against spec.replicas, rounding as upstream: surge up, unavailable down.
import type { Deployment, IntOrString } from '../replicaset/workload-types.ts';
import { specReplicas } from '../replicaset/workload-types.ts';

export class InvalidIntOrPercentError extends Error {
  override name = 'InvalidIntOrPercentError';
  readonly code = 'InvalidIntOrPercent';
}

/** An int as is, or "N%" of `total` rounded up or down. */
export function scaledValue(value: IntOrString | undefined, total: number, isRoundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) throw new InvalidIntOrPercentError(`invalid value for IntOrString: invalid type: string is not a percentage: "${value}"`);
  const exact = (Number(m[1]) * total) / 100;
  return isRoundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** [surge, unavailable]; both resolving to zero would stall a rollout, so unavailable becomes 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

function fenceposts(d: Deployment): [number, number] {
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge ?? '25%', ru?.maxUnavailable ?? '25%', specReplicas(d));
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

/** Never more than spec.replicas; zero for Recreate or an empty deployment. */
export function maxUnavailable(d: Deployment): number {
  const replicas = specReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d)[1], replicas);
}
