// discovery.k8s.io/v1 EndpointSlice (pkg/apis/discovery/validation).
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, immutable, index, invalids, isObj, isSet, obj, required, str, tooMany } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { validateIPv4, validateIPv6, validateNonSpecialIP } from './ip.ts';
import { validateLabels } from './labels.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isFullyQualifiedDomainName, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from './names.ts';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_ENDPOINTS = 1000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

function validateAddress(address: string, { addressType, path }: { addressType: string; path: string }): Causes {
  switch (addressType) {
    case 'IPv4':
      return [...validateIPv4(path, address), ...validateNonSpecialIP(path, address)];
    case 'IPv6':
      return [...validateIPv6(path, address), ...validateNonSpecialIP(path, address)];
    case 'FQDN': {
      const bad = isFullyQualifiedDomainName(address);
      if (!address) return [required(path)];
      return bad ? [field.invalid(path, bad.value, bad.message)] : [];
    }
    default:
      return [];
  }
}

function validateHints(hints: Obj, path: string): Causes {
  const zones = arr(hints.forZones);
  const zonesPath = child(path, 'forZones');
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(zonesPath, zones.length, MAX_ZONE_HINTS)];
  const out: Causes = [];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const name = str(obj(z).name);
    const p = child(index(zonesPath, i), 'name');
    if (seen.has(name)) out.push(field.duplicate(p, name));
    seen.add(name);
    out.push(...invalids(p, name, isValidLabelValue(name)));
  });
  return out;
}

function validateEndpoints(endpoints: unknown[], addressType: string): Causes {
  if (endpoints.length > MAX_ENDPOINTS) return [tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  const out: Causes = [];
  endpoints.forEach((e, i) => {
    const ep = obj(e);
    const p = index('endpoints', i);
    const addresses = arr(ep.addresses);
    const addressesPath = child(p, 'addresses');
    if (!addresses.length) out.push(required(addressesPath, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) out.push(tooMany(addressesPath, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => out.push(...validateAddress(str(a), { addressType, path: index(addressesPath, j) })));
    if (isSet(ep.nodeName)) out.push(...invalids(child(p, 'nodeName'), str(ep.nodeName), nameIsDNSSubdomain(str(ep.nodeName), false)));
    const topology = obj(ep.deprecatedTopology);
    const topologyPath = child(p, 'deprecatedTopology');
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) out.push(tooMany(topologyPath, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    out.push(...validateLabels(topology, topologyPath));
    if (isSet(ep.hostname)) out.push(...invalids(child(p, 'hostname'), str(ep.hostname), isDNS1123Label(str(ep.hostname))));
    if (isObj(ep.hints)) out.push(...validateHints(ep.hints, child(p, 'hints')));
  });
  return out;
}

function validatePorts(ports: unknown[]): Causes {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const out: Causes = [];
  const names = new Set<string>();
  ports.forEach((pt, i) => {
    const port = obj(pt);
    const p = index('ports', i);
    const name = str(port.name);
    if (name) out.push(...invalids(child(p, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) out.push(field.duplicate(child(p, 'name'), name));
    else names.add(name);
    // protocol defaults to TCP
    const protocol = str(port.protocol) || 'TCP';
    if (!PROTOCOLS.includes(protocol)) out.push(field.notSupported(child(p, 'protocol'), protocol, PROTOCOLS));
    if (isSet(port.appProtocol)) out.push(...invalids(child(p, 'appProtocol'), str(port.appProtocol), isQualifiedName(str(port.appProtocol))));
  });
  return out;
}

export function validateEndpointSlice(slice: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMeta(slice.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const addressType = str(slice.addressType);
  if (!addressType) out.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) out.push(field.notSupported('addressType', addressType, ADDRESS_TYPES));
  out.push(...validateEndpoints(arr(slice.endpoints), addressType));
  out.push(...validatePorts(arr(slice.ports)));
  return out;
}

export function validateEndpointSliceUpdate(slice: KubeObject, old: KubeObject): Causes {
  return [...validateObjectMetaUpdate(slice.metadata, old.metadata), ...immutable('addressType', { next: slice.addressType, old: old.addressType })];
}
