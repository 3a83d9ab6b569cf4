// Change trackers: informer handlers only record what changed, per Service, as a previous/current pair;
// the sync takes the pending changes all at once. Pure (no I/O, no timers).
import type { EndpointSlice, Service } from '../api/types.ts';
import { mergeSlices, sliceServiceKey } from './endpoints.ts';
import type { EndpointsByPort } from './endpoints.ts';
import { serviceKey, servicePorts } from './service-port.ts';
import type { ServicePortInfo } from './service-port.ts';

export interface Change<T> {
  /** As of the last sync (undefined: did not exist). */
  previous: T | undefined;
  current: T | undefined;
}

const keyOfService = (s: Service) => serviceKey(s.metadata.namespace ?? 'default', s.metadata.name ?? '');

export class ServiceChangeTracker {
  #current = new Map<string, ServicePortInfo[]>();
  #pending = new Map<string, Change<ServicePortInfo[]>>();

  /** Records an add (`previous` undefined), update, or delete (`current` undefined). */
  update(previous: Service | undefined, current: Service | undefined): void {
    const key = keyOfService((current ?? previous)!);
    const before = this.#current.get(key);
    const after = current ? servicePorts(current) : undefined;
    if (after) this.#current.set(key, after);
    else this.#current.delete(key);
    const pending = this.#pending.get(key);
    this.#pending.set(key, { previous: pending ? pending.previous : before, current: after });
  }

  /** The Services that really changed since the last call (a change and its undo cancel out). */
  take(): Map<string, Change<ServicePortInfo[]>> {
    const out = new Map<string, Change<ServicePortInfo[]>>();
    for (const [key, c] of this.#pending) if (!same(c.previous, c.current, (x) => x)) out.set(key, c);
    this.#pending.clear();
    return out;
  }

  get size(): number {
    return this.#current.size;
  }

  current(): ReadonlyMap<string, ServicePortInfo[]> {
    return this.#current;
  }
}

export interface EndpointsChange extends Change<EndpointsByPort> {
  /** `endpoints.kubernetes.io/last-change-trigger-time` of the slices that changed (ms since epoch). */
  triggerTimes: number[];
}

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

export class EndpointSliceChangeTracker {
  /** service → slice name → slice */
  #slices = new Map<string, Map<string, EndpointSlice>>();
  #merged = new Map<string, EndpointsByPort>();
  #pending = new Map<string, EndpointsChange>();

  update(previous: EndpointSlice | undefined, current: EndpointSlice | undefined): void {
    const slice = (current ?? previous)!;
    const key = sliceServiceKey(slice);
    if (!key) return;
    const slices = this.#slices.get(key) ?? new Map<string, EndpointSlice>();
    if (current) slices.set(slice.metadata.name ?? '', current);
    else slices.delete(slice.metadata.name ?? '');
    if (slices.size) this.#slices.set(key, slices);
    else this.#slices.delete(key);
    const before = this.#merged.get(key);
    const after = slices.size ? mergeSlices(slices.values()) : undefined;
    if (after) this.#merged.set(key, after);
    else this.#merged.delete(key);
    const pending = this.#pending.get(key) ?? { previous: before, current: after, triggerTimes: [] };
    pending.current = after;
    const t = Date.parse(current?.metadata.annotations?.[TRIGGER_TIME_ANNOTATION] ?? '');
    if (Number.isFinite(t)) pending.triggerTimes.push(t);
    this.#pending.set(key, pending);
  }

  take(): Map<string, EndpointsChange> {
    const out = new Map<string, EndpointsChange>();
    for (const [key, c] of this.#pending) if (!sameEndpoints(c.previous, c.current)) out.set(key, c);
    this.#pending.clear();
    return out;
  }

  current(): ReadonlyMap<string, EndpointsByPort> {
    return this.#merged;
  }
}

function sameEndpoints(a: EndpointsByPort | undefined, b: EndpointsByPort | undefined): boolean {
  return same(a, b, (x) => [...x]);
}

/** Deep equality through JSON, skipped when one side is missing (a cold start takes 10,000 adds at once). */
function same<T>(a: T | undefined, b: T | undefined, plain: (x: T) => unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a === b || JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}
