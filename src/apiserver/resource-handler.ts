// REST verbs on a resource: get, list, watch, create, update, patch, delete, deletecollection, and the status/scale/finalize subresources.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/resources.ts';
import { groupVersion, qualifiedResource } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { badRequest, methodNotAllowed, notFound, successStatus, StatusError } from '../api/status.ts';
import { applyPatch, patchSchemaFor } from '../api/patch/index.ts';
import { applyMergePatch } from '../api/patch/json-merge-patch.ts';
import { buildTable } from './tables/index.ts';
import { acceptsTable, decodeBody, mediaType, readBody, sendJson } from './http-util.ts';
import { buildFilter } from './list-filter.ts';
import type { DeleteOptions, Registry } from './registry.ts';
import { serveWatch } from './watch.ts';
import { getScale, scaleMutation } from './scale.ts';

export interface ResourceRequest {
  resource: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  req: IncomingMessage;
  res: ServerResponse;
}

type IncludeObject = 'None' | 'Metadata' | 'Object';

export class ResourceHandler {
  #registry: Registry;
  #now: () => Date;

  constructor(registry: Registry, options: { now?: () => Date } = {}) {
    this.#registry = registry;
    this.#now = options.now ?? (() => new Date());
  }

  async handle(rr: ResourceRequest): Promise<void> {
    const { req, resource: r, name, subresource } = rr;
    const method = req.method ?? 'GET';
    if (subresource === 'scale') return this.#scale(rr);
    if (subresource === 'binding' && r.kind === 'Pod' && method === 'POST') return this.#bind(rr);
    if (subresource && subresource !== 'status' && !(subresource === 'finalize' && r.kind === 'Namespace')) {
      throw notFound(qualifiedResource(r), `${name}/${subresource}`);
    }
    if (r.isNamespaced && rr.namespace === undefined && name !== undefined) throw notFound(qualifiedResource(r), name);
    if (name === undefined) {
      if (method === 'GET') return this.#listOrWatch(rr);
      if (method === 'POST') return this.#create(rr);
      if (method === 'DELETE') return this.#deleteCollection(rr);
      throw methodNotAllowed(`the server does not allow this method on the requested resource`);
    }
    if (method === 'GET') return this.#get(rr);
    if (method === 'PUT') return this.#update(rr);
    if (method === 'PATCH') return this.#patch(rr);
    if (method === 'DELETE' && !subresource) return this.#delete(rr);
    throw methodNotAllowed(`the server does not allow this method on the requested resource`);
  }

  #isDryRun(rr: ResourceRequest): boolean {
    const values = rr.query.getAll('dryRun');
    for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
    return values.length > 0;
  }

  #respond(rr: ResourceRequest, code: number, obj: KubeObject): void {
    if (acceptsTable(rr.req.headers.accept)) {
      sendJson(rr.res, code, buildTable(rr.resource, [obj], { now: this.#now(), includeObject: this.#includeObject(rr) }));
      return;
    }
    sendJson(rr.res, code, obj);
  }

  #includeObject(rr: ResourceRequest): IncludeObject {
    const v = rr.query.get('includeObject');
    if (v === 'None' || v === 'Object') return v;
    return 'Metadata';
  }

  async #get(rr: ResourceRequest): Promise<void> {
    const obj = await this.#registry.get(rr.resource, rr.namespace, rr.name!);
    this.#respond(rr, 200, obj);
  }

  async #listOrWatch(rr: ResourceRequest): Promise<void> {
    const { query, resource: r } = rr;
    const filter = buildFilter(r, query);
    const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
    if (isWatch) {
      const wantsTable = acceptsTable(rr.req.headers.accept);
      const includeObject = this.#includeObject(rr);
      let isFirst = true;
      const encode = (o: KubeObject) => {
        if (!wantsTable) return o;
        const t = buildTable(r, [o], { now: this.#now(), includeObject });
        if (!isFirst) (t as { columnDefinitions: unknown[] }).columnDefinitions = [];
        isFirst = false;
        return t;
      };
      const timeout = Number(query.get('timeoutSeconds') ?? 0);
      await serveWatch(this.#registry, rr.req, rr.res, {
        resource: r,
        namespace: rr.namespace,
        filter,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        timeoutSeconds: Number.isFinite(timeout) ? timeout : 0,
        encode,
        isBookmarkAllowed: query.get('allowWatchBookmarks') === 'true',
      });
      return;
    }
    const listed = await this.#registry.list(r, rr.namespace);
    const matching = listed.items.filter(filter);
    const page = paginate(matching, query, listed.revision);
    const rv = String(page.revision);
    if (acceptsTable(rr.req.headers.accept)) {
      sendJson(rr.res, 200, buildTable(r, page.items, { now: this.#now(), includeObject: this.#includeObject(rr), resourceVersion: rv, continueToken: page.continueToken }));
      return;
    }
    const metadata: Record<string, unknown> = { resourceVersion: rv };
    if (page.continueToken) {
      metadata.continue = page.continueToken;
      metadata.remainingItemCount = page.remaining;
    }
    sendJson(rr.res, 200, { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata, items: page.items });
  }

  async #readObject(rr: ResourceRequest): Promise<KubeObject> {
    const body = await readBody(rr.req);
    const obj = decodeBody(rr.req.headers['content-type'], body);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the request body must be a JSON object');
    return obj as KubeObject;
  }

  async #create(rr: ResourceRequest): Promise<void> {
    const obj = await this.#readObject(rr);
    const created = await this.#registry.create(rr.resource, rr.namespace, obj, { isDryRun: this.#isDryRun(rr) });
    this.#respond(rr, 201, created);
  }

  async #update(rr: ResourceRequest): Promise<void> {
    const obj = await this.#readObject(rr);
    const isDryRun = this.#isDryRun(rr);
    const sub = rr.subresource;
    const result = await this.#registry.update(rr.resource, rr.namespace, rr.name!, (current) => {
      if (sub === 'finalize' && current) {
        const next = structuredClone(current);
        next.spec = { ...(next.spec as object), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
        next.metadata.resourceVersion = obj.metadata?.resourceVersion;
        return next;
      }
      return obj;
    }, { isDryRun, subresource: sub === 'finalize' ? undefined : sub });
    this.#respond(rr, result.isCreated ? 201 : 200, result.object);
  }

  async #patch(rr: ResourceRequest): Promise<void> {
    const contentType = mediaType(rr.req.headers['content-type']);
    const body = decodeBody(rr.req.headers['content-type'], await readBody(rr.req));
    const isDryRun = this.#isDryRun(rr);
    const r = rr.resource;
    const schema = patchSchemaFor(groupVersion(r), r.kind);
    if (contentType === 'application/apply-patch+yaml') {
      // Server-side apply, simplified: create if absent, otherwise merge the applied configuration.
      const applied = body as KubeObject;
      try {
        const result = await this.#registry.update(r, rr.namespace, rr.name!, (current) => {
          if (!current) throw notFound(qualifiedResource(r), rr.name!);
          return applyMergePatch(current, applied) as KubeObject;
        }, { isDryRun, subresource: rr.subresource });
        this.#respond(rr, 200, result.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'NotFound')) throw e;
        const created = await this.#registry.create(r, rr.namespace, { ...applied, metadata: { ...applied.metadata, name: rr.name } }, { isDryRun });
        this.#respond(rr, 201, created);
      }
      return;
    }
    const result = await this.#registry.update(r, rr.namespace, rr.name!, (current) => {
      if (!current) throw notFound(qualifiedResource(r), rr.name!);
      const patched = applyPatch(contentType, current, body, schema) as KubeObject;
      if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch produced something other than an object');
      // The patch carries the resourceVersion the client saw only if it set one; otherwise the write is unconditional.
      const sentRv = (patched.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (sentRv === current.metadata.resourceVersion) delete patched.metadata.resourceVersion;
      return patched;
    }, { isDryRun, subresource: rr.subresource });
    this.#respond(rr, 200, result.object);
  }

  async #deleteOptions(rr: ResourceRequest): Promise<DeleteOptions> {
    const opts: DeleteOptions = { isDryRun: this.#isDryRun(rr) };
    const body = await readBody(rr.req);
    let parsed: Record<string, unknown> = {};
    if (body.length) {
      const decoded = decodeBody(rr.req.headers['content-type'] ?? 'application/json', body);
      if (decoded && typeof decoded === 'object') parsed = decoded as Record<string, unknown>;
      if (Array.isArray(parsed.dryRun) && parsed.dryRun.includes('All')) opts.isDryRun = true;
    }
    const grace = rr.query.get('gracePeriodSeconds') ?? parsed.gracePeriodSeconds;
    if (grace !== undefined && grace !== null) {
      const n = Number(grace);
      if (!Number.isInteger(n)) throw badRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
      opts.gracePeriodSeconds = Math.max(0, n);
    }
    const policy = rr.query.get('propagationPolicy') ?? (parsed.propagationPolicy as string | undefined);
    if (policy !== undefined && policy !== null) {
      if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
        throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
      }
      opts.propagationPolicy = policy;
    } else if (parsed.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    if (parsed.preconditions && typeof parsed.preconditions === 'object') opts.preconditions = parsed.preconditions as DeleteOptions['preconditions'];
    return opts;
  }

  async #delete(rr: ResourceRequest): Promise<void> {
    const options = await this.#deleteOptions(rr);
    const result = await this.#registry.delete(rr.resource, rr.namespace, rr.name!, options);
    if (!result.isDeleted) {
      this.#respond(rr, options.isDryRun ? 200 : 200, result.object);
      return;
    }
    sendJson(rr.res, 200, successStatus({ name: rr.name, group: rr.resource.group || undefined, kind: rr.resource.plural, uid: result.object.metadata.uid }));
  }

  async #deleteCollection(rr: ResourceRequest): Promise<void> {
    const options = await this.#deleteOptions(rr);
    const filter = buildFilter(rr.resource, rr.query);
    const listed = await this.#registry.list(rr.resource, rr.namespace);
    const items: KubeObject[] = [];
    for (const o of listed.items.filter(filter)) {
      try {
        const result = await this.#registry.delete(rr.resource, o.metadata.namespace, o.metadata.name!, options);
        items.push(result.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.reason === 'NotFound')) throw e;
      }
    }
    sendJson(rr.res, 200, { kind: `${rr.resource.kind}List`, apiVersion: groupVersion(rr.resource), metadata: { resourceVersion: String(listed.revision) }, items });
  }

  /** POST pods/{name}/binding: assigns a node once, as the scheduler does. */
  async #bind(rr: ResourceRequest): Promise<void> {
    const binding = await this.#readObject(rr);
    const nodeName = (binding as { target?: { name?: string } }).target?.name;
    if (!nodeName) throw new StatusError(422, 'Invalid', 'Binding "" is invalid: target.name: Required value', { causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }] });
    const r = rr.resource;
    await this.#registry.update(r, rr.namespace, rr.name!, (current) => {
      if (!current) throw notFound(qualifiedResource(r), rr.name!);
      const spec = current.spec as { nodeName?: string };
      if (spec.nodeName) throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${rr.name}": pod ${rr.name} is already assigned to node "${spec.nodeName}"`);
      if (current.metadata.deletionTimestamp) throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${rr.name}": pod ${rr.name} is being deleted, cannot be assigned to a host`);
      const next = structuredClone(current);
      (next.spec as { nodeName?: string }).nodeName = nodeName;
      const conditions = ((next.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } as never);
      next.status = { ...(next.status as object), conditions };
      delete next.metadata.resourceVersion;
      return next;
    }, { subresource: 'binding' });
    sendJson(rr.res, 201, successStatus());
  }

  async #scale(rr: ResourceRequest): Promise<void> {
    const { resource: r, req } = rr;
    if (!r.subresources.includes('scale') || !rr.name) throw notFound(qualifiedResource(r), rr.name ?? '');
    if (req.method === 'GET') {
      sendJson(rr.res, 200, getScale(await this.#registry.get(r, rr.namespace, rr.name)));
      return;
    }
    if (req.method !== 'PUT' && req.method !== 'PATCH') throw methodNotAllowed('the server does not allow this method on the requested resource');
    const contentType = mediaType(req.headers['content-type']);
    const body = decodeBody(req.headers['content-type'], await readBody(req));
    const result = await this.#registry.update(r, rr.namespace, rr.name, (current) => {
      if (!current) throw notFound(qualifiedResource(r), rr.name!);
      const scale = req.method === 'PUT' ? (body as KubeObject) : (applyPatch(contentType, getScale(current), body, patchSchemaFor('autoscaling/v1', 'Scale')) as KubeObject);
      return scaleMutation(current, scale);
    }, { isDryRun: this.#isDryRun(rr) });
    sendJson(rr.res, 200, getScale(result.object));
  }
}

function paginate(items: KubeObject[], query: URLSearchParams, revision: number) {
  const limit = Number(query.get('limit') ?? 0);
  const token = query.get('continue');
  let start = 0;
  let rev = revision;
  if (token) {
    let parsed: { rv: number; start: number };
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      throw badRequest(`continue key is not valid: ${token}`);
    }
    if (!Number.isInteger(parsed.start) || parsed.start < 0) throw badRequest(`continue key is not valid: ${token}`);
    start = parsed.start;
    rev = parsed.rv;
  }
  if (!Number.isInteger(limit) || limit <= 0) return { items: items.slice(start), revision: rev, continueToken: undefined, remaining: 0 };
  const pageItems = items.slice(start, start + limit);
  const next = start + limit;
  const hasMore = next < items.length;
  return {
    items: pageItems,
    revision: rev,
    continueToken: hasMore ? Buffer.from(JSON.stringify({ rv: rev, start: next })).toString('base64url') : undefined,
    remaining: hasMore ? items.length - next : 0,
  };
}
