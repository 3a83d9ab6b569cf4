// OpenAPI v3 documents for kubectl: the /openapi/v3 discovery root and one document per served group-version.
// kubectl explain reads the schemas; kubectl apply checks the PATCH operations (server-side validation)
// and follows the patch extensions of the schemas when it computes a strategic merge patch.
import { createHash } from 'node:crypto';
import { groupVersion, RESOURCES } from '../../api/resources.ts';
import { listKind } from './dsl.ts';
import type { Schema } from './dsl.ts';
import { resourcePaths, schemaName } from './paths.ts';
import { appsSchemas } from './schemas-apps.ts';
import { containerSchemas } from './schemas-container.ts';
import { coreSchemas } from './schemas-core.ts';
import { metaSchemas } from './schemas-meta.ts';
import { networkingSchemas } from './schemas-networking.ts';
import { podSchemas } from './schemas-pod.ts';

const REF_PREFIX = '#/components/schemas/';

let registry: Record<string, Schema> | undefined;
let documents: Map<string, Record<string, unknown>> | undefined;
let root: Record<string, unknown> | undefined;

/** Every schema Skiff knows, including the `<Kind>List` of each served kind. */
export function allSchemas(): Record<string, Schema> {
  if (registry) return registry;
  const schemas: Record<string, Schema> = { ...metaSchemas(), ...coreSchemas(), ...containerSchemas(), ...podSchemas(), ...appsSchemas(), ...networkingSchemas() };
  for (const r of RESOURCES) schemas[`${schemaName(r)}List`] = listKind(r, schemaName(r));
  registry = schemas;
  return schemas;
}

function collectRefs(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) out.add(v.slice(REF_PREFIX.length));
      else collectRefs(v, out);
    }
  }
}

/** The schemas reachable from `start`, as the real server publishes only what a group-version uses. */
function reachableSchemas(start: unknown): Record<string, Schema> {
  const schemas = allSchemas();
  const pending = new Set<string>();
  collectRefs(start, pending);
  const seen = new Set<string>();
  while (pending.size > 0) {
    const [name] = pending;
    pending.delete(name);
    if (seen.has(name)) continue;
    const schema = schemas[name];
    if (!schema) throw new Error(`openapi: no schema named ${name}`);
    seen.add(name);
    collectRefs(schema, pending);
  }
  return Object.fromEntries([...seen].sort().map((n) => [n, schemas[n]]));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function buildDocument(gv: string): Record<string, unknown> {
  const paths: Record<string, Schema> = {};
  for (const r of RESOURCES.filter((x) => groupVersion(x) === gv)) Object.assign(paths, resourcePaths(r));
  const sorted = Object.fromEntries(Object.keys(paths).sort().map((p) => [p, paths[p]]));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: sorted,
    components: { schemas: reachableSchemas(sorted) },
  };
}

function built(): Map<string, Record<string, unknown>> {
  if (!documents) {
    const docs = new Map<string, Record<string, unknown>>();
    for (const gv of new Set(RESOURCES.map(groupVersion))) docs.set(gv, deepFreeze(buildDocument(gv)));
    documents = docs;
  }
  return documents;
}

/** The group-version document for `v1`, `apps/v1`, ...; undefined for a group-version Skiff does not serve. */
export function openapiGroupVersion(gv: string): Record<string, unknown> | undefined {
  return built().get(gv);
}

/** The /openapi/v3 discovery document: each group-version's URL, with a hash of its content for caching. */
export function openapiRoot(): Record<string, unknown> {
  if (root) return root;
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, doc] of built()) {
    const key = gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  root = deepFreeze({ paths });
  return root;
}
