// Table printers for discovery.k8s.io EndpointSlices, networking.k8s.io kinds and coordination.k8s.io Leases.
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, formatLabelSelector, listWithMore, nameOf, rec, recs, str } from './format.ts';
import type { KindPrinter } from './format.ts';
import { loadBalancerAddresses } from './core.ts';

export const endpointSlicePrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'endpoints is a list of unique endpoints in this slice.'),
    AGE_COLUMN,
  ],
  cells(slice, now) {
    const ports = recs(slice.ports).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
    const addresses = recs(slice.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(String) : []));
    return [nameOf(slice), str(slice.addressType), listWithMore(ports), listWithMore(addresses), ageOf(slice, now)];
  },
};

/** Rule hosts: up to three, "*" when none names a host. Upstream counts the rest from all rules, hosts or not. */
function ingressHosts(rules: Record<string, unknown>[]): string {
  const hosts: string[] = [];
  let hasMore = false;
  for (const rule of rules) {
    if (hosts.length === 3) hasMore = true;
    if (!hasMore && str(rule.host)) hosts.push(str(rule.host));
  }
  if (hosts.length === 0) return '*';
  return hasMore ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

export const ingressPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells(ing, now) {
    const spec = rec(ing.spec);
    const ports = recs(spec.tls).length ? '80, 443' : '80';
    return [nameOf(ing), str(spec.ingressClassName) || '<none>', ingressHosts(recs(spec.rules)), loadBalancerAddresses(ing.status), ports, ageOf(ing, now)];
  },
};

export const ingressClassPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Controller', 'Controller that is responsible for handling this class'),
    column('Parameters', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  cells(ic, now) {
    const spec = rec(ic.spec);
    let parameters = '<none>';
    if (spec.parameters != null) {
      const p = rec(spec.parameters);
      parameters = `${str(p.kind)}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${str(p.name)}`;
    }
    return [nameOf(ic), str(spec.controller), parameters, ageOf(ic, now)];
  },
};

export const networkPolicyPrinter: KindPrinter = {
  columns: [NAME_COLUMN, column('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies.'), AGE_COLUMN],
  cells: (np, now) => [nameOf(np), formatLabelSelector(rec(np.spec).podSelector), ageOf(np, now)],
};

export const leasePrinter: KindPrinter = {
  columns: [NAME_COLUMN, column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), AGE_COLUMN],
  cells: (lease, now) => [nameOf(lease), str(rec(lease.spec).holderIdentity), ageOf(lease, now)],
};
