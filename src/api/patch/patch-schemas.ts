// Strategic-merge-patch metadata for the kinds Skiff serves: upstream's `patchStrategy`/`patchMergeKey` struct tags
// (k8s.io/api {core,apps}/v1 types.go, metav1 ObjectMeta), published in OpenAPI as x-kubernetes-patch-strategy and
// x-kubernetes-patch-merge-key. Fields not listed here have no strategy: objects merge key by key, lists are replaced.

export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface PatchSchema {
  /** Schemas of the named fields of an object. */
  readonly fields?: Readonly<Record<string, PatchSchema>>;
  /** Schema of every element of a list. */
  readonly items?: PatchSchema;
  /** Upstream's patchStrategy tag. On a list, "merge" merges it (by `mergeKey` for lists of objects, as a set for
   * lists of scalars); on an object, "replace" replaces it whole. "retainKeys" only tells clients to send `$retainKeys`. */
  readonly strategy?: PatchStrategy;
  /** Upstream's patchMergeKey tag: the field that identifies an element of a merged list of objects. */
  readonly mergeKey?: string;
}

const EMPTY: PatchSchema = Object.freeze({});

function object(fields: Record<string, PatchSchema>): PatchSchema {
  return { fields };
}

function listMergedBy(mergeKey: string, items?: PatchSchema, options: { isRetainKeys?: boolean } = {}): PatchSchema {
  return { strategy: options.isRetainKeys ? 'merge,retainKeys' : 'merge', mergeKey, ...(items ? { items } : {}) };
}

const scalarSet: PatchSchema = { strategy: 'merge' };

const objectMeta = object({
  ownerReferences: listMergedBy('uid'),
  finalizers: scalarSet,
});

const withMetadata = (fields: Record<string, PatchSchema> = {}): PatchSchema => object({ metadata: objectMeta, ...fields });

const byType = listMergedBy('type');

const container = object({
  ports: listMergedBy('containerPort'),
  env: listMergedBy('name'),
  volumeMounts: listMergedBy('mountPath'),
  volumeDevices: listMergedBy('devicePath'),
});

const podSpec = object({
  volumes: listMergedBy('name', undefined, { isRetainKeys: true }),
  initContainers: listMergedBy('name', container),
  containers: listMergedBy('name', container),
  ephemeralContainers: listMergedBy('name', container),
  imagePullSecrets: listMergedBy('name'),
  hostAliases: listMergedBy('ip'),
  topologySpreadConstraints: listMergedBy('topologyKey'),
  schedulingGates: listMergedBy('name'),
  resourceClaims: listMergedBy('name', undefined, { isRetainKeys: true }),
});

const podStatus = object({
  conditions: byType,
  podIPs: listMergedBy('ip'),
  hostIPs: listMergedBy('ip'),
  resourceClaimStatuses: listMergedBy('name', undefined, { isRetainKeys: true }),
});

const podTemplateSpec = object({ metadata: objectMeta, spec: podSpec });

const SCHEMAS = new Map<string, PatchSchema>(Object.entries({
  'v1/Namespace': withMetadata({ status: object({ conditions: byType }) }),
  'v1/Node': withMetadata({
    spec: object({ podCIDRs: scalarSet }),
    status: object({ conditions: byType, addresses: byType }),
  }),
  'v1/Pod': withMetadata({ spec: podSpec, status: podStatus }),
  'v1/Service': withMetadata({ spec: object({ ports: listMergedBy('port') }), status: object({ conditions: byType }) }),
  'v1/Endpoints': withMetadata(),
  'v1/Secret': withMetadata(),
  'v1/ConfigMap': withMetadata(),
  'v1/Event': withMetadata(),
  'v1/ServiceAccount': withMetadata({ secrets: listMergedBy('name') }),
  'apps/v1/Deployment': withMetadata({
    spec: object({ template: podTemplateSpec, strategy: { strategy: 'retainKeys' } }),
    status: object({ conditions: byType }),
  }),
  'apps/v1/ReplicaSet': withMetadata({ spec: object({ template: podTemplateSpec }), status: object({ conditions: byType }) }),
  'discovery.k8s.io/v1/EndpointSlice': withMetadata(),
  'networking.k8s.io/v1/Ingress': withMetadata(),
  'networking.k8s.io/v1/IngressClass': withMetadata(),
  'networking.k8s.io/v1/NetworkPolicy': withMetadata(),
  'coordination.k8s.io/v1/Lease': withMetadata(),
  'autoscaling/v1/Scale': withMetadata(),
}));

for (const schema of SCHEMAS.values()) deepFreeze(schema);

/** `groupVersion` is "v1" for the core group, otherwise "group/version". Unknown kinds get an empty schema. */
export function patchSchemaFor(groupVersion: string, kind: string): PatchSchema {
  return SCHEMAS.get(`${groupVersion}/${kind}`) ?? EMPTY;
}

function deepFreeze(value: object): void {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child);
  Object.freeze(value);
}
