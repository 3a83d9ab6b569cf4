// Identity and semantic equality of EndpointSlice endpoints and port lists.
import type { Endpoint, EndpointPort } from '../../api/types.ts';

/**
 * An endpoint's identity: addresses, hostname and the object it targets. Conditions, node and zone are
 * not part of it, so a change there updates the endpoint in place instead of moving it between slices.
 */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** Equal in everything endpointKey leaves out (the target's resourceVersion is ignored). */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  const ta = a.targetRef;
  const tb = b.targetRef;
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    (ta === undefined) === (tb === undefined) &&
    ta?.kind === tb?.kind &&
    ta?.namespace === tb?.namespace &&
    ta?.name === tb?.name &&
    ta?.uid === tb?.uid
  );
}

/** The same for any order of ports; an unnamed port and a port named "" are the same, as are a missing protocol and TCP. */
export function portsKey(ports: readonly EndpointPort[] | null | undefined): string {
  const norm = (ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']);
  norm.sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  return JSON.stringify(norm);
}

/** An insertion-ordered set of endpoints keyed by identity. */
export class EndpointSet {
  #items = new Map<string, Endpoint>();

  add(ep: Endpoint): void {
    this.#items.set(endpointKey(ep), ep);
  }

  get(ep: Endpoint): Endpoint | undefined {
    return this.#items.get(endpointKey(ep));
  }

  delete(ep: Endpoint): void {
    this.#items.delete(endpointKey(ep));
  }

  get size(): number {
    return this.#items.size;
  }

  /** Removes and returns the first endpoint added. */
  shift(): Endpoint | undefined {
    const first = this.#items.entries().next();
    if (first.done) return undefined;
    this.#items.delete(first.value[0]);
    return first.value[1];
  }
}

export function sameStringMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => Object.hasOwn(b ?? {}, k) && a![k] === b![k]);
}
