// A Kubernetes API client over HTTPS: the only way components reach cluster state.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { groupVersion, qualifiedResource } from '../api/resources.ts';
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeList, KubeObject, WatchEvent } from '../api/types.ts';
import { StatusError } from '../api/status.ts';
import type { Status } from '../api/status.ts';
import type { KubeconfigCredentials } from '../lib/kubeconfig.ts';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

export interface WatchStream {
  /** Ends the stream; the iterator finishes. */
  stop(): void;
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent>;
}

export type PatchType = 'merge' | 'strategic' | 'json';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export class KubeClient {
  readonly server: URL;
  #agent: https.Agent;
  #token?: string;
  userAgent = 'skiff';

  constructor(credentials: KubeconfigCredentials) {
    this.server = new URL(credentials.server);
    this.#agent = new https.Agent({ keepAlive: true, maxSockets: 64, ca: credentials.caPem, cert: credentials.certPem, key: credentials.keyPem });
    this.#token = credentials.token;
  }

  close(): void {
    this.#agent.destroy();
  }

  path(r: ResourceInfo, namespace?: string, name?: string, subresource?: string): string {
    let p = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    if (r.isNamespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${r.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  /** Sends a request and resolves with the response stream once headers arrive. */
  raw(method: string, path: string, options: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<IncomingMessage> {
    const body = options.body === undefined ? undefined : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', 'User-Agent': this.userAgent };
    if (body) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    return new Promise((resolve, reject) => {
      const req = https.request({ host: this.server.hostname, port: this.server.port || 443, path, method, headers, agent: this.#agent }, resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  async request<T>(method: string, path: string, options: { body?: unknown; contentType?: string } = {}): Promise<T> {
    const res = await this.raw(method, path, options);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const parsed = text ? safeJson(text) : undefined;
    if ((res.statusCode ?? 500) >= 400) {
      const s = parsed as Status | undefined;
      if (s && s.kind === 'Status') throw new StatusError(s.code, s.reason ?? 'Unknown', s.message ?? text, s.details);
      throw new StatusError(res.statusCode ?? 500, 'Unknown', text || `HTTP ${res.statusCode}`);
    }
    return parsed as T;
  }

  get<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
    return this.request('GET', this.path(r, namespace, name));
  }

  list<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace?: string, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.request('GET', this.path(r, namespace) + query({ ...options }));
  }

  create<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: KubeObject, options: { isDryRun?: boolean } = {}): Promise<T> {
    const body = { apiVersion: groupVersion(r), kind: r.kind, ...obj };
    return this.request('POST', this.path(r, obj.metadata.namespace) + (options.isDryRun ? '?dryRun=All' : ''), { body });
  }

  update<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: KubeObject, subresource?: string): Promise<T> {
    const body = { apiVersion: groupVersion(r), kind: r.kind, ...obj };
    return this.request('PUT', this.path(r, obj.metadata.namespace, obj.metadata.name, subresource), { body });
  }

  updateStatus<T extends KubeObject = KubeObject>(r: ResourceInfo, obj: KubeObject): Promise<T> {
    return this.update(r, obj, 'status');
  }

  patch<T extends KubeObject = KubeObject>(r: ResourceInfo, namespace: string | undefined, name: string, patch: unknown, options: { type?: PatchType; subresource?: string } = {}): Promise<T> {
    return this.request('PATCH', this.path(r, namespace, name, options.subresource), { body: patch, contentType: PATCH_CONTENT_TYPES[options.type ?? 'merge'] });
  }

  delete(r: ResourceInfo, namespace: string | undefined, name: string, options: { gracePeriodSeconds?: number; propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string } } = {}): Promise<KubeObject> {
    return this.request('DELETE', this.path(r, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options } });
  }

  /** Streams watch events until stopped, the server ends the stream, or an error. ERROR events are yielded as-is. */
  async watch(r: ResourceInfo, namespace: string | undefined, options: WatchOptions = {}): Promise<WatchStream> {
    const res = await this.raw('GET', this.path(r, namespace) + query({ ...options, watch: true }));
    if ((res.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const s = safeJson(Buffer.concat(chunks).toString('utf8')) as Status | undefined;
      throw new StatusError(s?.code ?? res.statusCode ?? 500, s?.reason ?? 'Unknown', s?.message ?? `watch ${qualifiedResource(r)} failed`);
    }
    res.setEncoding('utf8');
    return {
      stop: () => res.destroy(),
      async *[Symbol.asyncIterator]() {
        let buf = '';
        try {
          for await (const chunk of res) {
            buf += chunk as string;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line) yield JSON.parse(line) as WatchEvent;
            }
          }
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE' && (e as Error).name !== 'AbortError' && (e as NodeJS.ErrnoException).code !== 'ECONNRESET') throw e;
        }
      },
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function query(options: Readonly<Record<string, unknown>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
