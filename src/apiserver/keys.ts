import type { ResourceInfo } from '../api/resources.ts';

// Storage keys: "<group or core>/<plural>/<namespace>/<name>" or "<group>/<plural>/<name>" for cluster-scoped kinds.

function base(r: ResourceInfo): string {
  return `${r.group || 'core'}/${r.plural}/`;
}

export function objectKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  return r.isNamespaced ? `${base(r)}${namespace}/${name}` : `${base(r)}${name}`;
}

/** The prefix holding every object of `r`, or every object of `r` in one namespace. */
export function collectionPrefix(r: ResourceInfo, namespace?: string): string {
  return r.isNamespaced && namespace ? `${base(r)}${namespace}/` : base(r);
}
