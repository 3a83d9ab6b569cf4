// Canonical Endpoints subsets: upstream's RepackSubsets, a deterministic order, and semantic comparison.
import type { EndpointAddress, EndpointsPort, EndpointSubset } from './endpoints-types.ts';

const NO_PORT = '-';

function portId(p: EndpointsPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']);
}

/** Two addresses are the same endpoint when IP and target UID agree (upstream's addressKey). */
function addressId(a: EndpointAddress): string {
  return JSON.stringify([a.ip, a.targetRef?.uid ?? '']);
}

/**
 * Regroups subsets so each port appears once, with every address that offers it: ports offered by the same
 * addresses (with the same readiness) share a subset. An address not ready on a port in any input is not ready there.
 */
export function repackSubsets(subsets: readonly EndpointSubset[] | null | undefined): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, { port?: EndpointsPort; ready: Map<string, boolean> }>();
  const note = (portKey: string, port: EndpointsPort | undefined, addr: EndpointAddress, isReady: boolean) => {
    const id = addressId(addr);
    if (!addresses.has(id)) addresses.set(id, addr);
    let entry = ports.get(portKey);
    if (!entry) ports.set(portKey, (entry = { port, ready: new Map() }));
    if (entry.ready.get(id) !== false) entry.ready.set(id, isReady);
  };
  for (const s of subsets ?? []) {
    const list: [string, EndpointsPort | undefined][] = s.ports?.length ? s.ports.map((p) => [portId(p), p]) : [[NO_PORT, undefined]];
    for (const [key, port] of list) {
      for (const a of s.addresses ?? []) note(key, port, a, true);
      for (const a of s.notReadyAddresses ?? []) note(key, port, a, false);
    }
  }
  const groups = new Map<string, { ports: EndpointsPort[]; ready: Map<string, boolean> }>();
  for (const { port, ready } of ports.values()) {
    const key = JSON.stringify([...ready].sort());
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: [], ready }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const subset: EndpointSubset = {};
    const ready = [...g.ready].filter(([, r]) => r).map(([id]) => addresses.get(id)!);
    const notReady = [...g.ready].filter(([, r]) => !r).map(([id]) => addresses.get(id)!);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (g.ports.length) subset.ports = g.ports;
    out.push(subset);
  }
  return sortSubsets(out);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function normalAddress(a: EndpointAddress): EndpointAddress {
  const out: EndpointAddress = { ip: a.ip };
  if (a.hostname) out.hostname = a.hostname;
  if (a.nodeName) out.nodeName = a.nodeName;
  if (a.targetRef) {
    const { resourceVersion: _rv, ...ref } = a.targetRef;
    out.targetRef = ref;
  }
  return out;
}

function normalPort(p: EndpointsPort): EndpointsPort {
  const out: EndpointsPort = { port: p.port, protocol: p.protocol ?? 'TCP' };
  if (p.name) out.name = p.name;
  if (p.appProtocol) out.appProtocol = p.appProtocol;
  return out;
}

/** A deterministic order: addresses by IP then target UID, ports and subsets by content. */
export function sortSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const sortAddrs = (list: EndpointAddress[] | undefined) => list && [...list].sort((x, y) => compareText(addressId(x), addressId(y)));
  return subsets
    .map((s) => {
      const out: EndpointSubset = {};
      if (s.addresses?.length) out.addresses = sortAddrs(s.addresses);
      if (s.notReadyAddresses?.length) out.notReadyAddresses = sortAddrs(s.notReadyAddresses);
      if (s.ports?.length) out.ports = [...s.ports].sort((x, y) => compareText(portId(x), portId(y)));
      return out;
    })
    .sort((x, y) => compareText(JSON.stringify(x), JSON.stringify(y)));
}

/** Equal as upstream compares them, but blind to order, to `[]` versus absent, and to the targets' resourceVersions. */
export function subsetsEqual(a: readonly EndpointSubset[] | null | undefined, b: readonly EndpointSubset[] | null | undefined): boolean {
  const canon = (list: readonly EndpointSubset[] | null | undefined) =>
    JSON.stringify(
      sortSubsets(
        (list ?? []).map((s) => ({
          addresses: s.addresses?.map(normalAddress),
          notReadyAddresses: s.notReadyAddresses?.map(normalAddress),
          ports: s.ports?.map(normalPort),
        })),
      ),
    );
  return canon(a) === canon(b);
}

export function countAddresses(subsets: readonly EndpointSubset[] | null | undefined): number {
  return (subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
}
