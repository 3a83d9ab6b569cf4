// A minimal client for etcd v3's JSON gateway (grpc-gateway over HTTP/1.1): unary POSTs of JSON,
// and a streaming POST for watches. Keys and values are base64 in JSON; int64 fields (revisions)
// are decimal strings, and proto3 leaves out fields at their zero value (false, 0, empty lists).
import { Agent, request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { StoreError } from './store.ts';

export interface EtcdKeyValue {
  key: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
}

export interface EtcdHeader {
  revision?: string;
}

export interface RangeResponse {
  header: EtcdHeader;
  kvs?: EtcdKeyValue[];
  more?: boolean;
}

export interface TxnResponse {
  header: EtcdHeader;
  succeeded?: boolean;
  responses?: Array<{ response_range?: RangeResponse; response_delete_range?: { prev_kvs?: EtcdKeyValue[] } }>;
}

export interface WatchResponse {
  header?: EtcdHeader;
  created?: boolean;
  canceled?: boolean;
  cancel_reason?: string;
  compact_revision?: string;
  events?: Array<{ type?: 'PUT' | 'DELETE'; kv: EtcdKeyValue; prev_kv?: EtcdKeyValue }>;
}

export interface EtcdStream {
  abort(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;

export function toBase64(data: string | Uint8Array): string {
  return Buffer.from(data).toString('base64');
}

export function fromBase64(data: string | undefined): Buffer {
  return Buffer.from(data ?? '', 'base64');
}

/** An int64 field from the gateway; absent means zero. */
export function int64(field: string | undefined): number {
  return field === undefined ? 0 : Number(field);
}

function unavailable(endpoint: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  return new StoreError('Unavailable', `etcd at ${endpoint}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** The gateway's error body: {"error": "...", "message": "...", "code": <gRPC code>}. */
function gatewayError(status: number, text: string): Error {
  try {
    const body = JSON.parse(text) as { message?: string; error?: string; code?: number };
    return new Error(`${body.message ?? body.error ?? text} (HTTP ${status}, gRPC code ${body.code ?? '?'})`);
  } catch {
    return new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
  }
}

export class EtcdClient {
  readonly endpoint: string;
  #url: URL;
  #agent = new Agent({ keepAlive: true });
  /** Watch streams hold their connection for as long as they live, so they get their own pool. */
  #streamAgent = new Agent({ keepAlive: false });

  constructor(endpoint: string) {
    this.#url = new URL(endpoint);
    if (this.#url.protocol !== 'http:') throw new TypeError(`etcd endpoint must be http://host:port, not ${endpoint}`);
    this.endpoint = this.#url.origin;
  }

  /** One unary gateway call, e.g. call('/v3/kv/range', {key}). Fails with StoreError Unavailable. */
  call<T>(path: string, body: object): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const req = this.#post(path, { body, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(unavailable(this.endpoint, e)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(unavailable(this.endpoint, gatewayError(res.statusCode ?? 0, text)));
          try {
            resolve(JSON.parse(text) as T);
          } catch (e) {
            reject(unavailable(this.endpoint, e));
          }
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', (e) => reject(unavailable(this.endpoint, e)));
    });
  }

  /**
   * A streaming call: each newline-delimited JSON message is passed to onMessage. onEnd is called once,
   * when the stream ends or fails, unless abort() was called first.
   */
  stream(path: string, options: { body: object; onMessage(message: unknown): void; onEnd(error: StoreError): void }): EtcdStream {
    let isDone = false;
    const end = (e: unknown) => {
      if (isDone) return;
      isDone = true;
      req.destroy();
      options.onEnd(unavailable(this.endpoint, e));
    };
    const req = this.#post(path, { body: options.body, agent: this.#streamAgent }, (res) => {
      if (res.statusCode !== 200) {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => end(gatewayError(res.statusCode ?? 0, text)));
        return;
      }
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while (!isDone && (nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!line) continue;
          try {
            options.onMessage(JSON.parse(line));
          } catch (e) {
            end(e);
          }
        }
      });
      res.on('error', end);
      res.on('end', () => end(new Error('watch stream ended')));
    });
    req.on('error', end);
    req.on('socket', (socket) => socket.setKeepAlive(true, 10_000)); // notice a peer that vanished without a FIN
    return {
      abort() {
        isDone = true;
        req.destroy();
      },
    };
  }

  close(): void {
    this.#agent.destroy();
    this.#streamAgent.destroy();
  }

  #post(path: string, options: { body: object; agent: Agent }, onResponse: (res: IncomingMessage) => void): ClientRequest {
    const payload = Buffer.from(JSON.stringify(options.body));
    const req = request(new URL(path, this.#url), {
      method: 'POST',
      agent: options.agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length },
    }, onResponse);
    req.end(payload);
    return req;
  }
}
