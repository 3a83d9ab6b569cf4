// The whole proxy table for a cluster state: the skeleton plus every Service's part. Pure.
import type { EndpointSlice, Service } from '../api/types.ts';
import { mergeInto } from '../netfilter/model.ts';
import type { Element, Ruleset } from '../netfilter/model.ts';
import { renderElement } from '../netfilter/render.ts';
import { mergeSlices, sliceServiceKey } from './endpoints.ts';
import type { EndpointsByPort } from './endpoints.ts';
import { keyPolicy, renderBase, slotMapDecl } from './render-base.ts';
import type { RenderOptions } from './render-base.ts';
import { EndpointSlots } from './endpoint-slots.ts';
import { renderServicePart } from './render-service.ts';
import type { RenderContext } from './render-service.ts';
import { serviceKey, servicePorts } from './service-port.ts';
import type { ServicePortInfo } from './service-port.ts';

export type { RenderOptions } from './render-base.ts';

/** What the proxy knows of the cluster: every Service's ports and endpoints, keyed `ns/name`. */
export interface ProxyState {
  services: ReadonlyMap<string, readonly ServicePortInfo[]>;
  endpoints: ReadonlyMap<string, EndpointsByPort>;
}

/** Builds the state straight from API objects (tests, tools). */
export function buildState(services: readonly Service[], slices: readonly EndpointSlice[]): ProxyState {
  const svc = new Map<string, ServicePortInfo[]>();
  for (const s of services) svc.set(serviceKey(s.metadata.namespace ?? 'default', s.metadata.name ?? ''), servicePorts(s));
  const grouped = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const key = sliceServiceKey(slice);
    if (key) grouped.set(key, [...(grouped.get(key) ?? []), slice]);
  }
  const endpoints = new Map<string, EndpointsByPort>();
  for (const [key, list] of grouped) endpoints.set(key, mergeSlices(list));
  return { services: svc, endpoints };
}

/** Renders every Service's part, in key order, taking endpoint slots from `options.slots`. */
export function renderParts(state: ProxyState, options: RenderContext): Map<string, Ruleset> {
  const parts = new Map<string, Ruleset>();
  for (const key of [...state.services.keys()].sort()) parts.set(key, renderServicePart(state.services.get(key)!, state.endpoints.get(key), options));
  return parts;
}

/** The skeleton plus the declarations of the endpoint slot maps `maps` (in place). */
export function declareSlotMaps(base: Ruleset, maps: readonly string[]): Ruleset {
  for (const name of maps) base.sets.set(name, slotMapDecl(name));
  return base;
}

/**
 * The whole `ip skiff-<cluster>-proxy` table. When two Services claim the same map key (two Services
 * sharing an externalIP and port), the first by `ns/name` keeps it.
 */
export function renderRuleset(state: ProxyState, options: RenderOptions): Ruleset {
  const slots = new EndpointSlots();
  const parts = renderParts(state, { ...options, slots });
  return assemble(declareSlotMaps(renderBase(options), slots.maps), parts.values());
}

/**
 * `assemble` for parts whose elements are already claimed (`ServiceClaims`): no key is looked at.
 * Sets whose keys are shared are left out; the claims know their elements.
 */
export function assembleClaimed(base: Ruleset, parts: Iterable<Ruleset>): Ruleset {
  const out = mergeInto({ ...base, chains: new Map(), sets: new Map(), elements: new Map() }, base);
  // Each chain and set lives in one part: no need to look before setting.
  for (const part of parts) {
    for (const [name, c] of part.chains) out.chains.set(name, c);
    for (const [name, d] of part.sets) out.sets.set(name, d);
    for (const [name, els] of part.elements) {
      if (keyPolicy(name) === 'shared') continue;
      const list = out.elements.get(name);
      if (!list) out.elements.set(name, [...els]);
      else for (const e of els) list.push(e);
    }
  }
  return out;
}

export function assemble(base: Ruleset, parts: Iterable<Ruleset>): Ruleset {
  const out = mergeInto({ ...base, chains: new Map(), sets: new Map(), elements: new Map() }, base);
  const seen = new Map<string, Set<string>>();
  for (const part of parts) mergeInto(out, withoutClaimed(part, seen));
  return out;
}

/** `part` minus elements whose key an earlier part already claimed (and records its own claims). */
export function withoutClaimed(part: Ruleset, seen: Map<string, Set<string>>): Ruleset {
  let isCopied = false;
  const elements = new Map<string, Element[]>();
  for (const [set, els] of part.elements) {
    if (keyPolicy(set) === 'own') {
      elements.set(set, els);
      continue;
    }
    const claimed = seen.get(set) ?? new Set<string>();
    seen.set(set, claimed);
    const kept = els.filter((e) => {
      const k = renderElement({ key: e.key });
      if (claimed.has(k)) return false;
      claimed.add(k);
      return true;
    });
    if (kept.length !== els.length) isCopied = true;
    if (kept.length) elements.set(set, kept);
  }
  return isCopied ? { ...part, elements } : part;
}
