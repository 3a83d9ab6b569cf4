// ObjectMeta on create and update (apimachinery api/validation/objectmeta.go plus core's finalizer rule).
import { field } from '../status.ts';
import { arr, byteLength, child, immutable, index, invalids, isSet, nonNegative, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { validateLabels } from './labels.ts';
import { isQualifiedName, nameIsDNSLabel } from './names.ts';
import type { NameFn } from './names.ts';

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
export const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export interface MetaOptions {
  isNamespaced: boolean;
  nameFn: NameFn;
  /** core's ValidateObjectMeta also insists unqualified finalizers be standard ones; the generic one does not. */
  hasKubeFinalizers?: boolean;
}

export function validateAnnotations(annotations: unknown, path: string): Causes {
  const out: Causes = [];
  let size = 0;
  for (const [k, v] of Object.entries(obj(annotations))) {
    // case does not matter for annotation keys
    out.push(...invalids(path, k, isQualifiedName(k.toLowerCase())));
    size += byteLength(k) + byteLength(str(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return out;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (!apiVersion) return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return { group: '', version: '' };
}

/** Paths carry no index: upstream reports every owner reference's problems on `metadata.ownerReferences`. */
export function validateOwnerReferences(refs: unknown, path: string): Causes {
  const out: Causes = [];
  let firstController = '';
  for (const r of arr(refs)) {
    const ref = obj(r);
    const gv = parseGroupVersion(str(ref.apiVersion));
    if (!gv.version) out.push(field.invalid(child(path, 'apiVersion'), str(ref.apiVersion), 'version must not be empty'));
    if (!str(ref.kind)) out.push(field.invalid(child(path, 'kind'), str(ref.kind), 'must not be empty'));
    if (!str(ref.name)) out.push(field.invalid(child(path, 'name'), str(ref.name), 'must not be empty'));
    if (!str(ref.uid)) out.push(field.invalid(child(path, 'uid'), str(ref.uid), 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && ref.kind === 'Event') {
      out.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const name = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController) {
        out.push(field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`));
      } else {
        firstController = name;
      }
    }
  }
  return out;
}

export function validateFinalizers(finalizers: unknown, { path, hasKubeFinalizers }: { path: string; hasKubeFinalizers: boolean }): Causes {
  const list = arr(finalizers).map(str);
  const out: Causes = [];
  list.forEach((f, i) => {
    out.push(...invalids(path, f, isQualifiedName(f)));
    if (hasKubeFinalizers && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      out.push(field.invalid(index(path, i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    out.push(field.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return out;
}

export function validateObjectMeta(meta: unknown, options: MetaOptions): Causes {
  const path = 'metadata';
  const m = obj(meta);
  const out: Causes = [];
  const generateName = str(m.generateName);
  const name = str(m.name);
  if (generateName) out.push(...invalids(child(path, 'generateName'), generateName, options.nameFn(generateName, true)));
  if (!name) out.push(required(child(path, 'name'), 'name or generateName is required'));
  else out.push(...invalids(child(path, 'name'), name, options.nameFn(name, false)));
  const namespace = str(m.namespace);
  if (options.isNamespaced) {
    if (!namespace) out.push(required(child(path, 'namespace')));
    else out.push(...invalids(child(path, 'namespace'), namespace, nameIsDNSLabel(namespace, false)));
  } else if (namespace) {
    out.push(field.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  out.push(...nonNegative(m.generation, child(path, 'generation')));
  out.push(...validateLabels(m.labels, child(path, 'labels')));
  out.push(...validateAnnotations(m.annotations, child(path, 'annotations')));
  out.push(...validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  out.push(...validateFinalizers(m.finalizers, { path: child(path, 'finalizers'), hasKubeFinalizers: !!options.hasKubeFinalizers }));
  return out;
}

/** What every update must respect, whatever the kind. resourceVersion is the registry's business. */
export function validateObjectMetaUpdate(next: unknown, old: unknown): Causes {
  const path = 'metadata';
  const n = obj(next);
  const o = obj(old);
  const out: Causes = [];
  if (isSet(o.deletionTimestamp)) {
    const before = new Set(arr(o.finalizers).map(str));
    const extra = [...new Set(arr(n.finalizers).map(str))].filter((f) => !before.has(f)).sort();
    if (extra.length) {
      out.push(field.forbidden(child(path, 'finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
    }
  }
  const gen = num(n.generation) ?? 0;
  if (gen < (num(o.generation) ?? 0)) out.push(field.invalid(child(path, 'generation'), gen, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    out.push(...immutable(child(path, f), { next: (n as Obj)[f], old: (o as Obj)[f] }));
  }
  return out;
}

function goStringSlice(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

