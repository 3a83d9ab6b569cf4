// The resources Skiff serves, spelled as upstream serves them in discovery.

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  isNamespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: string[];
}

const ALL = ['all'];

function core(kind: string, plural: string, isNamespaced: boolean, shortNames: string[], extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group: '', version: 'v1', kind, plural, singular: kind.toLowerCase(), isNamespaced, shortNames, categories: [], subresources: [], ...extra };
}

function grouped(group: string, kind: string, plural: string, isNamespaced: boolean, shortNames: string[], extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group, version: 'v1', kind, plural, singular: kind.toLowerCase(), isNamespaced, shortNames, categories: [], subresources: [], ...extra };
}

export const RESOURCES: readonly ResourceInfo[] = [
  core('Namespace', 'namespaces', false, ['ns'], { subresources: ['status', 'finalize'] }),
  core('Node', 'nodes', false, ['no'], { subresources: ['status'] }),
  core('Pod', 'pods', true, ['po'], { categories: ALL, subresources: ['status', 'binding', 'log', 'exec', 'portforward', 'attach', 'eviction'] }),
  core('Service', 'services', true, ['svc'], { categories: ALL, subresources: ['status'] }),
  core('Endpoints', 'endpoints', true, ['ep'], { singular: 'endpoints' }),
  core('Secret', 'secrets', true, []),
  core('ConfigMap', 'configmaps', true, ['cm']),
  core('Event', 'events', true, ['ev']),
  core('ServiceAccount', 'serviceaccounts', true, ['sa']),
  grouped('apps', 'Deployment', 'deployments', true, ['deploy'], { categories: ALL, subresources: ['status', 'scale'] }),
  grouped('apps', 'ReplicaSet', 'replicasets', true, ['rs'], { categories: ALL, subresources: ['status', 'scale'] }),
  grouped('discovery.k8s.io', 'EndpointSlice', 'endpointslices', true, []),
  grouped('networking.k8s.io', 'Ingress', 'ingresses', true, ['ing'], { subresources: ['status'] }),
  grouped('networking.k8s.io', 'IngressClass', 'ingressclasses', false, []),
  grouped('networking.k8s.io', 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  grouped('coordination.k8s.io', 'Lease', 'leases', true, []),
];

export const GROUP_ORDER = ['', 'apps', 'discovery.k8s.io', 'networking.k8s.io', 'coordination.k8s.io'];

export function groupVersion(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}

/** "services" or "deployments.apps": the qualified resource name upstream uses in messages. */
export function qualifiedResource(r: ResourceInfo): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

/** "Service" or "Deployment.apps": the qualified kind used in Invalid messages. */
export function qualifiedKind(r: ResourceInfo): string {
  return r.group === '' ? r.kind : `${r.kind}.${r.group}`;
}
