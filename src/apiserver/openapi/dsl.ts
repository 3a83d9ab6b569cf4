// A small vocabulary for writing OpenAPI v3 schemas in the shape the real API server publishes,
// so kubectl explain (templates walking allOf/$ref) and kubectl apply (patch extensions) read them.

export type Schema = Record<string, unknown>;
export type Props = Record<string, Schema>;

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const CORE = 'io.k8s.api.core.v1';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

export function refTo(name: string): string {
  return `#/components/schemas/${name}`;
}

export const str = (description: string): Schema => ({ type: 'string', description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const int32 = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
export const int64 = (description: string): Schema => ({ type: 'integer', format: 'int64', description });
export const bytes = (description: string): Schema => ({ type: 'string', format: 'byte', description });

export function strEnum(description: string, values: string[]): Schema {
  return { type: 'string', description, enum: [...values].sort() };
}

/** A map of strings; `atomic` maps are replaced whole by a strategic merge patch. */
export function strMap(description: string, options: { isAtomic?: boolean; format?: string } = {}): Schema {
  const value: Schema = options.format ? { type: 'string', format: options.format } : { type: 'string', default: '' };
  return { type: 'object', additionalProperties: value, description, ...(options.isAtomic ? { 'x-kubernetes-map-type': 'atomic' } : {}) };
}

export function mapOf(name: string, description: string): Schema {
  return { type: 'object', additionalProperties: { $ref: refTo(name) }, description };
}

/** A list of strings: atomic by default, `set` for lists merged element-wise. */
export function strList(description: string, listType: 'atomic' | 'set' = 'atomic'): Schema {
  const merge = listType === 'set' ? { 'x-kubernetes-patch-strategy': 'merge' } : {};
  return { type: 'array', items: { type: 'string', default: '' }, description, 'x-kubernetes-list-type': listType, ...merge };
}

export function int64List(description: string): Schema {
  return { type: 'array', items: { type: 'integer', format: 'int64', default: 0 }, description, 'x-kubernetes-list-type': 'atomic' };
}

/** A struct-valued field: the real server's `allOf` + `default: {}` style. */
export function ref(name: string, description: string, options: { isPointer?: boolean; patchStrategy?: string } = {}): Schema {
  const s: Schema = { allOf: [{ $ref: refTo(name) }], description };
  if (!options.isPointer) s.default = {};
  if (options.patchStrategy) s['x-kubernetes-patch-strategy'] = options.patchStrategy;
  return s;
}

/** A field whose referenced schema is a scalar (Time, IntOrString, Quantity): no object default. */
export function scalarRef(name: string, description: string): Schema {
  return { allOf: [{ $ref: refTo(name) }], description };
}

export const time = (description: string): Schema => scalarRef(`${META}.Time`, description);
export const microTime = (description: string): Schema => scalarRef(`${META}.MicroTime`, description);
export const intOrString = (description: string): Schema => scalarRef(INT_OR_STRING, description);
export const quantity = (description: string): Schema => scalarRef(QUANTITY, description);
export const quantityMap = (description: string): Schema => mapOf(QUANTITY, description);

/** A list replaced whole by a strategic merge patch. */
export function atomicList(name: string, description: string): Schema {
  return { type: 'array', items: { allOf: [{ $ref: refTo(name) }], default: {} }, description, 'x-kubernetes-list-type': 'atomic' };
}

/**
 * A list merged element-wise by `mergeKey`. `mapKeys` (server-side apply) defaults to the merge key;
 * `strategy` may add `retainKeys` as PodSpec.volumes does.
 */
export function mergeList(name: string, description: string, mergeKey: string, options: { mapKeys?: string[]; strategy?: string } = {}): Schema {
  return {
    type: 'array',
    items: { allOf: [{ $ref: refTo(name) }], default: {} },
    description,
    'x-kubernetes-list-map-keys': options.mapKeys ?? [mergeKey],
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-patch-merge-key': mergeKey,
    'x-kubernetes-patch-strategy': options.strategy ?? 'merge',
  };
}

export function obj(description: string, properties: Props, required: string[] = [], options: { isAtomic?: boolean } = {}): Schema {
  const s: Schema = { description, type: 'object', properties };
  if (required.length > 0) s.required = required;
  if (options.isAtomic) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

export function gvk(group: string, version: string, kind: string): { group: string; kind: string; version: string } {
  return { group, kind, version };
}

const typeMeta = (): Props => ({
  apiVersion: str('The versioned schema of this representation of the object, such as v1 or apps/v1.'),
  kind: str('The REST type of this object, in CamelCase, such as Service.'),
});

/** A top-level kind: apiVersion, kind, metadata, then its own fields, tagged with its group-version-kind. */
export function kind(id: { group: string; version: string; kind: string }, description: string, properties: Props, required: string[] = []): Schema {
  const s = obj(description, { ...typeMeta(), metadata: ref(`${META}.ObjectMeta`, 'Standard object metadata: name, namespace, labels, annotations and the fields the system fills in.'), ...properties }, required);
  s['x-kubernetes-group-version-kind'] = [gvk(id.group, id.version, id.kind)];
  return s;
}

/** The `<Kind>List` schema returned by list calls. */
export function listKind(id: { group: string; version: string; kind: string }, itemSchema: string): Schema {
  const s = obj(
    `A list of ${id.kind} objects.`,
    {
      ...typeMeta(),
      items: { type: 'array', items: { allOf: [{ $ref: refTo(itemSchema) }], default: {} }, description: `The ${id.kind} objects in this list.` },
      metadata: ref(`${META}.ListMeta`, 'Standard list metadata, with the resourceVersion to watch from.'),
    },
    ['items'],
  );
  s['x-kubernetes-group-version-kind'] = [gvk(id.group, id.version, `${id.kind}List`)];
  return s;
}
