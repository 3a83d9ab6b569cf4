// The pod-template-hash that names a Deployment's ReplicaSets, and template equality ignoring that label.
// Upstream hashes Go's in-memory struct dump with FNV-32a; here the same FNV-32a runs over a canonical JSON
// form (sorted keys, empty values dropped), so equal templates always hash equal, but values differ from upstream's.
import { isDeepStrictEqual } from 'node:util';
import type { PodTemplateSpec } from '../replicaset/workload-types.ts';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Upstream's rand.SafeEncodeString alphabet: no vowels (no words), no look-alike characters. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Drops null/undefined and empty objects and arrays, which the API treats as absent; sorts object keys. */
export function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonicalize).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = canonicalize((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value ?? undefined;
}

export function fnv32a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The hash of `template`, salted with the Deployment's collisionCount (as 8 little-endian bytes) when set. */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const json = Buffer.from(JSON.stringify(canonicalize(template) ?? {}), 'utf8');
  let bytes: Uint8Array = json;
  if (collisionCount !== undefined && collisionCount !== null) {
    const salt = Buffer.alloc(8);
    salt.writeUInt32LE(collisionCount >>> 0, 0);
    bytes = Buffer.concat([json, salt]);
  }
  return safeEncode(String(fnv32a(bytes)));
}

function withoutHashLabel(template: PodTemplateSpec): unknown {
  const copy = structuredClone(template);
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return canonicalize(copy);
}

/** Whether two templates are the same apart from the pod-template-hash label (upstream's EqualIgnoreHash). */
export function isEqualIgnoringHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return isDeepStrictEqual(withoutHashLabel(a), withoutHashLabel(b));
}
