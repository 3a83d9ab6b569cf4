// Turns a request path into what it addresses, the way kube-apiserver's RequestInfoResolver does.
import { findResource } from '../api/resources.ts';
import type { ResourceInfo } from '../api/resources.ts';

export type RequestTarget =
  | { type: 'nonResource'; path: string }
  | { type: 'apiRoot'; isCore: boolean }
  | { type: 'group'; group: string }
  | { type: 'groupVersion'; group: string; version: string }
  | {
      type: 'resource';
      resource: ResourceInfo;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { type: 'unknownResource'; group: string; version: string; plural: string };

export function resolveRequest(pathname: string): RequestTarget {
  const parts = pathname.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'apiRoot', isCore: true };
    if (parts[1] !== 'v1') return { type: 'nonResource', path: pathname };
    return resolveResourcePath('', 'v1', parts.slice(2));
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'apiRoot', isCore: false };
    if (parts.length === 2) return { type: 'group', group: parts[1] };
    return resolveResourcePath(parts[1], parts[2], parts.slice(3));
  }
  return { type: 'nonResource', path: pathname };
}

function resolveResourcePath(group: string, version: string, rest: string[]): RequestTarget {
  if (rest.length === 0) return { type: 'groupVersion', group, version };
  let namespace: string | undefined;
  let segs = rest;
  // /namespaces/{ns}/{resource}... addresses namespaced resources; /namespaces/{name}[/sub] is the Namespace itself.
  const isNamespaceSubresource = group === '' && segs.length === 3 && (segs[2] === 'status' || segs[2] === 'finalize');
  if (segs[0] === 'namespaces' && segs.length >= 3 && !isNamespaceSubresource) {
    namespace = segs[1];
    segs = segs.slice(2);
  }
  const [plural, name, subresource, ...extra] = segs;
  const resource = findResource(group, version, plural);
  if (!resource || extra.length) return { type: 'unknownResource', group, version, plural };
  if (namespace !== undefined && !resource.isNamespaced) return { type: 'unknownResource', group, version, plural };
  return { type: 'resource', resource, namespace, name, subresource };
}
