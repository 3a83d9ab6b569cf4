// Defaulting of networking.k8s.io/v1 and discovery.k8s.io/v1 kinds, as upstream's defaults.go files do it.
import type { KubeObject } from '../types.ts';
import { defaultNil, ensureObj, objAt, objsAt } from './fields.ts';

export function defaultNetworkPolicy(np: KubeObject): void {
  const spec = ensureObj(np, 'spec');
  const policyTypes = spec.policyTypes;
  if (!Array.isArray(policyTypes) || policyTypes.length === 0) {
    // A policy that names no types implies Ingress, and Egress too when it has egress rules.
    const hasEgress = Array.isArray(spec.egress) && spec.egress.length > 0;
    spec.policyTypes = hasEgress ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const key of ['ingress', 'egress']) {
    for (const rule of objsAt(spec, key)) for (const port of objsAt(rule, 'ports')) defaultNil(port, 'protocol', 'TCP');
  }
}

export function defaultIngressClass(ic: KubeObject): void {
  const parameters = objAt(ensureObj(ic, 'spec'), 'parameters');
  if (parameters) defaultNil(parameters, 'scope', 'Cluster');
}

export function defaultEndpointSlice(slice: KubeObject): void {
  // Endpoint conditions are left as given: nil means "unknown" to consumers.
  for (const port of objsAt(slice, 'ports')) {
    defaultNil(port, 'name', '');
    defaultNil(port, 'protocol', 'TCP');
  }
}
