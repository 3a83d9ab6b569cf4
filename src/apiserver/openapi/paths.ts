// The `paths` of a group-version document: one operation per verb, each tagged with its group-version-kind.
// kubectl trusts server-side validation only when the PATCH operation of a kind lists `fieldValidation`
// among its *operation* parameters (path-level parameters are ignored), and builds strategic merge
// patches from OpenAPI only when that PATCH accepts application/strategic-merge-patch+json.
import type { ResourceInfo } from '../../api/resources.ts';
import { META, refTo } from './dsl.ts';
import type { Schema } from './dsl.ts';

type Operation = Record<string, unknown>;
interface Target {
  group: string;
  version: string;
  kind: string;
  schema: string;
}

/** Schema name of a served kind, as upstream names it: io.k8s.api.<group prefix>.<version>.<Kind>. */
export function schemaName(r: { group: string; version: string; kind: string }): string {
  const pkg = r.group === '' ? 'core' : r.group.split('.')[0];
  return `io.k8s.api.${pkg}.${r.version}.${r.kind}`;
}

export const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';

function query(name: string, type: string, description: string): Schema {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const DRY_RUN = query('dryRun', 'string', 'When All, the request is processed but nothing is persisted.');
const FIELD_MANAGER = query('fieldManager', 'string', 'Name of the actor making the change, recorded in managedFields.');
const FIELD_VALIDATION = query('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the body: Ignore, Warn or Strict.');
const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
const PATCH_PARAMS = [...WRITE_PARAMS, query('force', 'boolean', 'For server-side apply: take ownership of conflicting fields.')];
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events in a watch.'),
  query('continue', 'string', 'Token from a previous limited list, to fetch the next page.'),
  query('fieldSelector', 'string', 'Restrict the results by field values, such as metadata.name=web.'),
  query('labelSelector', 'string', 'Restrict the results by labels, such as app=web.'),
  query('limit', 'integer', 'Most items to return; the server may return fewer.'),
  query('resourceVersion', 'string', 'Version to list or watch from.'),
  query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list.'),
  query('timeoutSeconds', 'integer', 'How long a list or watch call may last.'),
  query('watch', 'boolean', 'Stream changes instead of returning a list.'),
];
const DELETE_PARAMS = [
  DRY_RUN,
  query('gracePeriodSeconds', 'integer', 'Seconds the object may take to terminate; 0 deletes immediately.'),
  query('propagationPolicy', 'string', 'Whether and how dependents are garbage collected: Orphan, Background or Foreground.'),
];

function pathParam(name: string, description: string): Schema {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

const PRETTY = query('pretty', 'string', 'When true, the output is pretty-printed.');

function jsonContent(schema: string): Schema {
  const body = { schema: { $ref: refTo(schema) } };
  return { 'application/json': body, 'application/yaml': body };
}

function responses(schema: string, codes: string[] = ['200']): Schema {
  const names: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  return Object.fromEntries(codes.map((c) => [c, { description: names[c], content: jsonContent(schema) }]));
}

function body(schema: string): Schema {
  return { content: { '*/*': { schema: { $ref: refTo(schema) } } }, required: true };
}

const PATCH_BODY = {
  content: Object.fromEntries(
    ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((t) => [t, { schema: { $ref: refTo(`${META}.Patch`) } }]),
  ),
  required: true,
};

function op(verb: string, id: string, t: Target, extra: Operation): Operation {
  return { operationId: id, ...extra, 'x-kubernetes-action': verb, 'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind } };
}

function operationPrefix(r: ResourceInfo): string {
  const group = r.group === '' ? 'core' : r.group.split('.')[0];
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(group)}${cap(r.version)}${r.isNamespaced ? 'Namespaced' : ''}`;
}

function itemOperations(t: Target, id: string, options: { hasDelete: boolean }): Record<string, Operation> {
  const ops: Record<string, Operation> = {
    get: op('get', `read${id}`, t, { responses: responses(t.schema) }),
    put: op('put', `replace${id}`, t, { parameters: WRITE_PARAMS, requestBody: body(t.schema), responses: responses(t.schema, ['200', '201']) }),
    patch: op('patch', `patch${id}`, t, { parameters: PATCH_PARAMS, requestBody: PATCH_BODY, responses: responses(t.schema, ['200', '201']) }),
  };
  if (options.hasDelete) {
    ops.delete = op('delete', `delete${id}`, t, { parameters: DELETE_PARAMS, requestBody: body(`${META}.DeleteOptions`), responses: responses(`${META}.Status`, ['200', '202']) });
  }
  return ops;
}

/** Paths for one served resource: its collection, its items, its status and scale subresources. */
export function resourcePaths(r: ResourceInfo): Record<string, Schema> {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const scope = r.isNamespaced ? '/namespaces/{namespace}' : '';
  const collection = `${root}${scope}/${r.plural}`;
  const t: Target = { group: r.group, version: r.version, kind: r.kind, schema: schemaName(r) };
  const id = `${operationPrefix(r)}${r.kind}`;
  const scopeParams = r.isNamespaced ? [pathParam('namespace', 'Namespace of the object.'), PRETTY] : [PRETTY];
  const itemParams = [pathParam('name', `Name of the ${r.kind}.`), ...scopeParams];
  const paths: Record<string, Schema> = {
    [collection]: {
      get: op('list', `list${id}`, t, { parameters: LIST_PARAMS, responses: responses(`${t.schema}List`) }),
      post: op('post', `create${id}`, t, { parameters: WRITE_PARAMS, requestBody: body(t.schema), responses: responses(t.schema, ['200', '201', '202']) }),
      delete: op('deletecollection', `deletecollection${id}`, t, { parameters: [...LIST_PARAMS, ...DELETE_PARAMS], requestBody: body(`${META}.DeleteOptions`), responses: responses(`${META}.Status`) }),
      parameters: scopeParams,
    },
    [`${collection}/{name}`]: { ...itemOperations(t, id, { hasDelete: true }), parameters: itemParams },
  };
  if (r.isNamespaced) {
    const allNamespaces = `list${operationPrefix(r).replace(/Namespaced$/, '')}${r.kind}ForAllNamespaces`;
    paths[`${root}/${r.plural}`] = { get: op('list', allNamespaces, t, { parameters: LIST_PARAMS, responses: responses(`${t.schema}List`) }), parameters: [PRETTY] };
  }
  if (r.subresources.includes('status')) {
    paths[`${collection}/{name}/status`] = { ...itemOperations(t, `${id}Status`, { hasDelete: false }), parameters: itemParams };
  }
  if (r.subresources.includes('scale')) {
    const scale: Target = { group: 'autoscaling', version: 'v1', kind: 'Scale', schema: SCALE_SCHEMA };
    paths[`${collection}/{name}/scale`] = { ...itemOperations(scale, `${id}Scale`, { hasDelete: false }), parameters: itemParams };
  }
  return paths;
}
