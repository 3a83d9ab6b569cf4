// The generic REST registry: create/get/list/update/delete of any served kind over a Store,
// with defaulting, validation, admission, optimistic concurrency and graceful deletion.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceInfo } from '../api/resources.ts';
import { findResource, groupVersion, qualifiedKind, qualifiedResource } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { alreadyExists, badRequest, conflict, forbidden, internalError, invalid, notFound, StatusError, field } from '../api/status.ts';
import { applyDefaults } from '../api/defaults/index.ts';
import { prepareService, validateCreate, validateUpdate } from '../api/validation/index.ts';
import type { Store, StoredObject } from '../storage/store.ts';
import { StoreError } from '../storage/store.ts';
import { collectionPrefix, objectKey } from './keys.ts';
import { CREATE_ON_UPDATE, hasStatusSubresource, initialStatus, mergeForUpdate, specChanged, tracksGeneration } from './strategy.ts';
import type { Admission } from './admission.ts';

export interface WriteOptions {
  isDryRun?: boolean;
  subresource?: string;
}

export interface DeleteOptions {
  isDryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object as it is now: gone (isDeleted) or marked for deletion. */
  object: KubeObject;
  isDeleted: boolean;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_RETRIES = 16;

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

export function withRevision(stored: StoredObject | { value: Record<string, unknown>; revision: number }): KubeObject {
  const obj = stored.value as KubeObject;
  obj.metadata = { ...obj.metadata, resourceVersion: String(stored.revision) };
  return obj;
}

function stripForStorage(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  if (out.metadata) delete out.metadata.resourceVersion;
  delete out.metadata.managedFields;
  return out;
}

function parseRv(rv: string | undefined, r: ResourceInfo, name: string): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw invalid(qualifiedKind(r), name, [field.invalid('metadata.resourceVersion', rv, 'must be a valid resource version')]);
  return Number(rv);
}

export class Registry {
  readonly store: Store;
  #admission: Admission;
  #now: () => Date;

  constructor(store: Store, options: { admission: Admission; now?: () => Date }) {
    this.store = store;
    this.#admission = options.admission;
    this.#now = options.now ?? (() => new Date());
  }

  async get(r: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    const stored = await this.#wrap(() => this.store.get(objectKey(r, namespace, name)));
    if (!stored) throw notFound(qualifiedResource(r), name);
    return withRevision(stored);
  }

  async list(r: ResourceInfo, namespace: string | undefined): Promise<{ items: KubeObject[]; revision: number }> {
    const res = await this.#wrap(() => this.store.list(collectionPrefix(r, namespace)));
    return { items: res.items.map(withRevision), revision: res.revision };
  }

  async create(r: ResourceInfo, namespace: string | undefined, input: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const obj = this.#prepareIdentity(r, namespace, input);
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = this.#timestamp();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.managedFields;
    if (tracksGeneration(r.kind)) meta.generation = 1;
    else delete meta.generation;
    if (hasStatusSubresource(r)) obj.status = initialStatus(r.kind, obj);
    applyDefaults(r.kind, obj);
    if (!meta.name) throw invalid(qualifiedKind(r), '', [field.required('metadata.name', 'Required value: name or generateName is required')]);
    const causes = validateCreate(r.kind, obj, { isNamespaced: r.isNamespaced });
    if (causes.length) throw invalid(qualifiedKind(r), meta.name, causes);
    if (r.isNamespaced) await this.#checkNamespaceWritable(meta.namespace!);
    const key = objectKey(r, meta.namespace, meta.name);
    if (options.isDryRun) {
      if (await this.store.get(key)) throw alreadyExists(qualifiedResource(r), meta.name);
    }
    const outcome = await this.#admission.admit({ operation: 'CREATE', resource: r, object: obj, isDryRun: !!options.isDryRun });
    if (options.isDryRun) {
      outcome?.rollback?.();
      return obj;
    }
    try {
      // the store serializes the value before it resolves, so the same copy becomes the response
      const value = stripForStorage(obj);
      const revision = await this.store.create(key, value);
      outcome?.commit?.();
      return withRevision({ value, revision });
    } catch (e) {
      outcome?.rollback?.();
      if (e instanceof StoreError && e.code === 'KeyExists') throw alreadyExists(qualifiedResource(r), meta.name);
      throw this.#storeFailure(e);
    }
  }

  /**
   * Replaces an object (PUT, or the result of a patch). `mutate` receives the current object and returns the desired one;
   * it is re-run when a concurrent writer wins, unless the caller pinned a resourceVersion.
   */
  async update(
    r: ResourceInfo,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject | undefined) => KubeObject,
    options: WriteOptions = {},
  ): Promise<{ object: KubeObject; isCreated: boolean }> {
    const key = objectKey(r, namespace, name);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const stored = await this.#wrap(() => this.store.get(key));
      const current = stored ? withRevision(stored) : undefined;
      const desired = this.#prepareIdentity(r, namespace, mutate(current ? structuredClone(current) : undefined));
      if (desired.metadata.name !== name) {
        throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (!current) {
        if (!CREATE_ON_UPDATE.has(r.kind) || options.subresource) throw notFound(qualifiedResource(r), name);
        const created = await this.create(r, namespace, desired, options).catch((e) => {
          if (e instanceof StatusError && e.reason === 'AlreadyExists') return undefined;
          throw e;
        });
        if (created) return { object: created, isCreated: true };
        continue;
      }
      const pinned = parseRv(desired.metadata.resourceVersion, r, name);
      if (pinned !== undefined && pinned !== stored!.revision) throw conflict(qualifiedResource(r), name);
      const next = this.#prepareUpdate(r, desired, current, options.subresource);
      if (isDeepStrictEqual(stripForStorage(next), stripForStorage(current))) return { object: current, isCreated: false };
      const outcome = await this.#admission.admit({ operation: 'UPDATE', resource: r, object: next, oldObject: current, isDryRun: !!options.isDryRun });
      if (options.isDryRun) {
        outcome?.rollback?.();
        return { object: next, isCreated: false };
      }
      const value = stripForStorage(next);
      try {
        if (this.#shouldDeleteDuringUpdate(r, next)) {
          const res = await this.store.delete(key, stored!.revision);
          this.#admission.released({ resource: r, object: next });
          return { object: withRevision({ value, revision: res.revision }), isCreated: false };
        }
        const revision = await this.store.update(key, value, stored!.revision);
        outcome?.commit?.();
        return { object: withRevision({ value, revision }), isCreated: false };
      } catch (e) {
        outcome?.rollback?.();
        if (e instanceof StoreError && e.code === 'RevisionMismatch') {
          if (pinned !== undefined) throw conflict(qualifiedResource(r), name);
          continue;
        }
        if (e instanceof StoreError && e.code === 'KeyNotFound') throw notFound(qualifiedResource(r), name);
        throw this.#storeFailure(e);
      }
    }
    throw conflict(qualifiedResource(r), name, 'too many concurrent updates; please try again');
  }

  async delete(r: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    const key = objectKey(r, namespace, name);
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const stored = await this.#wrap(() => this.store.get(key));
      if (!stored) throw notFound(qualifiedResource(r), name);
      const current = withRevision(stored);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(qualifiedResource(r), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(qualifiedResource(r), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
      }
      const marked = this.#markForDeletion(r, current, options);
      if (options.isDryRun) return { object: marked ?? current, isDeleted: !marked };
      try {
        if (marked) {
          if (isDeepStrictEqual(marked, current)) return { object: current, isDeleted: false };
          const value = stripForStorage(marked);
          const revision = await this.store.update(key, value, stored.revision);
          return { object: withRevision({ value, revision }), isDeleted: false };
        }
        const res = await this.store.delete(key, stored.revision);
        this.#admission.released({ resource: r, object: current });
        return { object: withRevision(res), isDeleted: true };
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'RevisionMismatch' || e.code === 'KeyNotFound')) continue;
        throw this.#storeFailure(e);
      }
    }
    throw conflict(qualifiedResource(r), name, 'too many concurrent updates; please try again');
  }

  /** Returns the object marked for deletion, or undefined if it can go right away. */
  #markForDeletion(r: ResourceInfo, current: KubeObject, options: DeleteOptions): KubeObject | undefined {
    const meta = current.metadata;
    const finalizers = new Set(meta.finalizers ?? []);
    const policy = options.propagationPolicy;
    if (policy === 'Foreground') finalizers.add('foregroundDeletion');
    if (policy === 'Orphan') finalizers.add('orphan');
    if (policy && policy !== 'Orphan') finalizers.delete('orphan');
    if (policy && policy !== 'Foreground' && !meta.deletionTimestamp) finalizers.delete('foregroundDeletion');
    const isNamespace = r.kind === 'Namespace';
    let grace = 0;
    if (r.kind === 'Pod') {
      const spec = current.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (current.status as { phase?: string } | undefined)?.phase;
      grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
      if (meta.deletionGracePeriodSeconds !== undefined && grace > meta.deletionGracePeriodSeconds) grace = meta.deletionGracePeriodSeconds;
    }
    const needsWait = finalizers.size > 0 || grace > 0 || isNamespace;
    if (!needsWait) return undefined;
    const out = structuredClone(current);
    if (!out.metadata.deletionTimestamp || (r.kind === 'Pod' && grace < (meta.deletionGracePeriodSeconds ?? Infinity))) {
      const at = new Date(this.#now().getTime() + grace * 1000);
      out.metadata.deletionTimestamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
      out.metadata.deletionGracePeriodSeconds = grace;
    }
    if (finalizers.size) out.metadata.finalizers = [...finalizers];
    else delete out.metadata.finalizers;
    if (isNamespace) (out.status as Record<string, unknown>) = { ...(out.status as object), phase: 'Terminating' };
    return out;
  }

  /** Upstream's rule: marked for deletion, no finalizers left, and no graceful period pending. */
  #shouldDeleteDuringUpdate(r: ResourceInfo, obj: KubeObject): boolean {
    const meta = obj.metadata;
    if (!meta.deletionTimestamp || meta.finalizers?.length || (meta.deletionGracePeriodSeconds ?? 0) !== 0) return false;
    if (r.kind === 'Namespace') return !((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length);
    return true;
  }

  #prepareIdentity(r: ResourceInfo, namespace: string | undefined, input: KubeObject): KubeObject {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) throw badRequest('the request body must be a JSON object');
    const obj = structuredClone(input);
    const gv = groupVersion(r);
    if (obj.apiVersion !== undefined && obj.apiVersion !== gv) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
    }
    if (obj.kind !== undefined && obj.kind !== r.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${r.kind})`);
    }
    obj.apiVersion = gv;
    obj.kind = r.kind;
    if (obj.metadata === null || obj.metadata === undefined) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
    if (r.isNamespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else if (obj.metadata.namespace === '') {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  #prepareUpdate(r: ResourceInfo, desired: KubeObject, current: KubeObject, subresource: string | undefined): KubeObject {
    let next = mergeForUpdate(r, desired, current, subresource);
    // upstream drops what the old type carried (nodePorts, clusterIP for ExternalName) before storing
    if (r.kind === 'Service' && subresource === undefined) next = prepareService(next, current);
    const meta = next.metadata;
    const old = current.metadata;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.namespace = old.namespace;
    if (old.deletionTimestamp) {
      meta.deletionTimestamp = old.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    delete meta.managedFields;
    if (meta.generateName === undefined && old.generateName !== undefined) meta.generateName = old.generateName;
    if (tracksGeneration(r.kind)) meta.generation = (old.generation ?? 1) + (specChanged(next, current) ? 1 : 0);
    else delete meta.generation;
    applyDefaults(r.kind, next);
    if (subresource === 'binding') return next; // a server-made change of spec.nodeName only
    const causes = validateUpdate(r.kind, next, current, { isNamespaced: r.isNamespaced });
    if (causes.length) throw invalid(qualifiedKind(r), meta.name ?? '', causes);
    return next;
  }

  async #checkNamespaceWritable(namespace: string): Promise<void> {
    const nsResource = findResource('', 'v1', 'namespaces')!;
    const stored = await this.#wrap(() => this.store.get(objectKey(nsResource, undefined, namespace)));
    if (!stored) throw notFound('namespaces', namespace);
    if ((stored.value as KubeObject).metadata.deletionTimestamp) {
      throw forbidden('namespaces', namespace, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  #timestamp(): string {
    return this.#now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  async #wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.#storeFailure(e);
    }
  }

  #storeFailure(e: unknown): Error {
    if (e instanceof StatusError) return e;
    return internalError(e instanceof Error ? e.message : String(e), e);
  }
}
