// ConfigMaps and Secrets: keys, total size, per-type required keys, immutability.
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { byteLength, immutable, invalids, key, obj, required, semanticEqual, str } from './causes.ts';
import type { Causes } from './causes.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isConfigMapKey, nameIsDNSSubdomain } from './names.ts';

const MAX_SIZE = 1024 * 1024;
const META = { nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true };

/** Bytes a base64 string decodes to. */
function decodedLength(b64: string): number {
  const clean = b64.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

function decode(b64: string): string | undefined {
  try {
    return atob(b64);
  } catch {
    return undefined;
  }
}

export function validateConfigMap(cm: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMeta(cm.metadata, { ...META, ...options });
  const data = obj(cm.data);
  const binary = obj(cm.binaryData);
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    out.push(...invalids(key('data', k), k, isConfigMapKey(k)));
    if (Object.hasOwn(binary, k)) out.push(field.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    size += byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    out.push(...invalids(key('binaryData', k), k, isConfigMapKey(k)));
    size += decodedLength(str(v));
  }
  // upstream reports the whole object, with an empty path
  if (size > MAX_SIZE) out.push(field.tooLong('', MAX_SIZE));
  return out;
}

function immutableContents(next: KubeObject, old: KubeObject, { fields }: { fields: string[] }): Causes {
  if (old.immutable !== true) return [];
  const out: Causes = [];
  if (next.immutable !== true) out.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!semanticEqual(next[f], old[f])) out.push(field.forbidden(f, 'field is immutable when `immutable` is set'));
  return out;
}

export function validateConfigMapUpdate(cm: KubeObject, old: KubeObject): Causes {
  return [...validateObjectMetaUpdate(cm.metadata, old.metadata), ...immutableContents(cm, old, { fields: ['data', 'binaryData'] })];
}

/** The keys a typed Secret must carry, in data or (before conversion merges it) stringData. */
function validateSecretType(secret: KubeObject, keys: Map<string, string>): Causes {
  const has = (k: string) => keys.has(k);
  const out: Causes = [];
  const jsonKey = (k: string) => {
    if (!has(k)) return out.push(required(key('data', k)));
    try {
      JSON.parse(keys.get(k)!);
    } catch (e) {
      out.push(field.invalid(key('data', k), '<secret contents redacted>', (e as Error).message));
    }
  };
  switch (str(secret.type) || 'Opaque') {
    case 'kubernetes.io/service-account-token':
      if (!str(secret.metadata.annotations?.['kubernetes.io/service-account.name'])) out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) out.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!keys.get('ssh-privatekey')) out.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) out.push(required('data[tls.crt]'));
      if (!has('tls.key')) out.push(required('data[tls.key]'));
      break;
  }
  return out;
}

export function validateSecret(secret: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMeta(secret.metadata, { ...META, ...options });
  const keys = new Map<string, string>();
  let size = 0;
  for (const [k, v] of Object.entries(obj(secret.data))) {
    keys.set(k, decode(str(v)) ?? '');
    size += decodedLength(str(v));
  }
  for (const [k, v] of Object.entries(obj(secret.stringData))) {
    if (!keys.has(k)) size += byteLength(str(v));
    keys.set(k, str(v));
  }
  for (const k of keys.keys()) out.push(...invalids(key('data', k), k, isConfigMapKey(k)));
  if (size > MAX_SIZE) out.push(field.tooLong('data', MAX_SIZE));
  out.push(...validateSecretType(secret, keys));
  return out;
}

export function validateSecretUpdate(secret: KubeObject, old: KubeObject): Causes {
  return [
    ...validateObjectMetaUpdate(secret.metadata, old.metadata),
    ...immutable('type', { next: str(secret.type) || 'Opaque', old: str(old.type) || 'Opaque' }),
    ...immutableContents(secret, old, { fields: ['data'] }),
  ];
}
