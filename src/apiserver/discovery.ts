// Discovery documents: aggregated (apidiscovery.k8s.io/v2) and legacy (APIVersions, APIGroupList, APIResourceList), and /version.
import { GROUP_ORDER, groupVersion, RESOURCES, resourcesIn } from '../api/resources.ts';
import type { ResourceInfo } from '../api/resources.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4' };

export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    emulationMajor: KUBERNETES_VERSION.major,
    emulationMinor: KUBERNETES_VERSION.minor,
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '31',
    gitVersion: `${KUBERNETES_VERSION.gitVersion}+skiff`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'skiff',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

const BASE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function verbsFor(r: ResourceInfo): string[] {
  return r.kind === 'Namespace' ? BASE_VERBS.filter((v) => v !== 'deletecollection') : BASE_VERBS;
}

const SUBRESOURCE_VERBS: Record<string, { kind?: (r: ResourceInfo) => { group: string; version: string; kind: string }; verbs: string[] }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { kind: () => ({ group: 'autoscaling', version: 'v1', kind: 'Scale' }), verbs: ['get', 'patch', 'update'] },
  log: { kind: () => ({ group: '', version: 'v1', kind: 'Pod' }), verbs: ['get'] },
  exec: { kind: () => ({ group: '', version: 'v1', kind: 'PodExecOptions' }), verbs: ['create', 'get'] },
  attach: { kind: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions' }), verbs: ['create', 'get'] },
  portforward: { kind: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions' }), verbs: ['create', 'get'] },
  eviction: { kind: () => ({ group: 'policy', version: 'v1', kind: 'Eviction' }), verbs: ['create'] },
  finalize: { verbs: ['update'] },
  binding: { kind: () => ({ group: '', version: 'v1', kind: 'Binding' }), verbs: ['create'] },
};

function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const own = { group: r.group, version: r.version, kind: r.kind };
  const out: Record<string, unknown> = {
    resource: r.plural,
    responseKind: own,
    scope: r.isNamespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: verbsFor(r),
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({ subresource: s, responseKind: SUBRESOURCE_VERBS[s]?.kind?.(r) ?? own, verbs: SUBRESOURCE_VERBS[s]?.verbs ?? ['get'] }));
  }
  return out;
}

function aggregatedGroup(group: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (group) metadata.name = group;
  return { metadata, versions: [{ version: 'v1', freshness: 'Current', resources: resourcesIn(group, 'v1').map(aggregatedResource) }] };
}

export function aggregatedDiscovery(isCore: boolean): Record<string, unknown> {
  const groups = isCore ? [''] : GROUP_ORDER.filter((g) => g !== '');
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groups.map(aggregatedGroup) };
}

export function legacyApiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function legacyGroup(group: string): Record<string, unknown> {
  const v = { groupVersion: `${group}/v1`, version: 'v1' };
  return { name: group, versions: [v], preferredVersion: v };
}

export function legacyGroupList(): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUP_ORDER.filter((g) => g !== '').map(legacyGroup) };
}

export function legacyGroup1(group: string): Record<string, unknown> | undefined {
  if (!GROUP_ORDER.includes(group) || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...legacyGroup(group) };
}

export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const rs = resourcesIn(group, version);
  if (!rs.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.isNamespaced, kind: r.kind, verbs: verbsFor(r) };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const s of r.subresources) {
      const k = SUBRESOURCE_VERBS[s]?.kind?.(r);
      const sub: Record<string, unknown> = { name: `${r.plural}/${s}`, singularName: '', namespaced: r.isNamespaced, kind: k?.kind ?? r.kind, verbs: SUBRESOURCE_VERBS[s]?.verbs ?? ['get'] };
      if (k && k.group !== r.group) {
        sub.group = k.group;
        sub.version = k.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

export function servedGroupVersions(): string[] {
  return [...new Set(RESOURCES.map(groupVersion))];
}
