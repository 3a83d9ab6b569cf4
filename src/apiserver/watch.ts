// Watch: newline-delimited WatchEvents on a chunked response, resumable from a resourceVersion.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../api/resources.ts';
import { groupVersion } from '../api/resources.ts';
import type { KubeObject, WatchEventType } from '../api/types.ts';
import { badRequest, expired } from '../api/status.ts';
import type { StoreEvent, WatchHandle } from '../storage/store.ts';
import { collectionPrefix } from './keys.ts';
import type { ObjectFilter } from './list-filter.ts';
import type { Registry } from './registry.ts';
import { withRevision } from './registry.ts';

export interface WatchRequest {
  resource: ResourceInfo;
  namespace?: string;
  filter: ObjectFilter;
  resourceVersion?: string;
  timeoutSeconds?: number;
  /** Converts each object for the wire (e.g. to a one-row Table). */
  encode: (obj: KubeObject) => unknown;
  isBookmarkAllowed: boolean;
}

const BOOKMARK_INTERVAL_MS = 60_000;

export async function serveWatch(registry: Registry, req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  const rvText = w.resourceVersion ?? '';
  if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`);
  let after = Number(rvText || 0);
  const initial: KubeObject[] = [];
  if (rvText === '' || rvText === '0') {
    const listed = await registry.list(w.resource, w.namespace);
    for (const o of listed.items) if (w.filter(o)) initial.push(o);
    after = listed.revision;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: WatchEventType, object: unknown) => {
    if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
  };
  for (const o of initial) send('ADDED', w.encode(o));
  let lastRevision = after;
  const prefix = collectionPrefix(w.resource, w.namespace);
  let timer: NodeJS.Timeout | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let handle: WatchHandle | undefined;
  let isFinished = false;
  const finish = () => {
    isFinished = true;
    handle?.stop();
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    if (!res.writableEnded) res.end();
  };
  handle = registry.store.watch(prefix, {
    afterRevision: after,
    onEvent: (ev) => {
      lastRevision = ev.revision;
      const out = translate(ev, w.filter);
      if (out) send(out.type, w.encode(out.object));
    },
    onError: (err) => {
      const status = err.code === 'Compacted' ? expired(`too old resource version: ${after} (${err.message})`).status : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: 'InternalError', code: 500 };
      send('ERROR', status);
      finish();
    },
  });
  if (isFinished) {
    handle.stop();
    return;
  }
  if (w.timeoutSeconds && w.timeoutSeconds > 0) timer = setTimeout(finish, w.timeoutSeconds * 1000);
  if (w.isBookmarkAllowed) {
    bookmarkTimer = setInterval(() => {
      send('BOOKMARK', { kind: w.resource.kind, apiVersion: groupVersion(w.resource), metadata: { resourceVersion: String(lastRevision) } });
    }, BOOKMARK_INTERVAL_MS);
  }
  req.on('close', finish);
  res.on('close', finish);
}

/** Maps a store event through the filter: objects entering the selection are ADDED, leaving it DELETED. */
function translate(ev: StoreEvent, filter: ObjectFilter): { type: WatchEventType; object: KubeObject } | undefined {
  // the store hands every watcher objects of its own (see WatchOptions.onEvent): no copy needed here
  const obj = withRevision({ value: ev.value, revision: ev.revision });
  if (ev.type === 'ADDED') return filter(obj) ? { type: 'ADDED', object: obj } : undefined;
  if (ev.type === 'DELETED') return filter(obj) ? { type: 'DELETED', object: obj } : undefined;
  const prev = ev.prevValue ? withRevision({ value: ev.prevValue, revision: ev.revision }) : undefined;
  const isIn = filter(obj);
  const wasIn = prev ? filter(prev) : false;
  if (isIn && wasIn) return { type: 'MODIFIED', object: obj };
  if (isIn) return { type: 'ADDED', object: obj };
  if (wasIn && prev) return { type: 'DELETED', object: prev };
  return undefined;
}
