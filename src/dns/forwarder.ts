// Asking upstream resolvers: UDP first, TCP when the answer is truncated; per-attempt timeouts, failover
// across servers, a cap on queries in flight, and identical questions in flight coalesced into one.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { FLAG, OUR_UDP_SIZE } from './dns-constants.ts';
import { scanMessage } from './message-reader.ts';
import { encodeQuery } from './query.ts';
import type { UpstreamServer } from './upstream-config.ts';

export class ForwardError extends Error {
  override name = 'ForwardError';
  readonly code: 'DNS_UPSTREAM_TIMEOUT' | 'DNS_UPSTREAM_BUSY' | 'DNS_NO_UPSTREAM' | 'DNS_UPSTREAM_BAD';
  constructor(code: ForwardError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export interface ForwardQuestion {
  name: string;
  type: number;
  class: number;
}

export interface ForwarderOptions {
  /** Per attempt (one server); the whole question gives up after `timeoutMs × servers`, capped at 5 s. */
  timeoutMs?: number;
  maxConcurrent?: number;
}

interface Pending {
  server: UpstreamServer;
  question: ForwardQuestion;
  resolve(b: Buffer): void;
  timer: NodeJS.Timeout;
}

export class Forwarder {
  #timeoutMs: number;
  maxConcurrent: number;
  #sockets = new Map<'udp4' | 'udp6', dgram.Socket>();
  #pending = new Map<number, Pending>();
  #inFlight = new Map<string, Promise<Buffer>>();
  #next = 0;
  #isClosed = false;

  constructor(options: ForwarderOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.maxConcurrent = options.maxConcurrent ?? 1000;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The upstream's raw answer to `question`. Throws ForwardError. */
  resolve(servers: readonly UpstreamServer[], question: ForwardQuestion): Promise<Buffer> {
    if (!servers.length) return Promise.reject(new ForwardError('DNS_NO_UPSTREAM', 'no upstream servers configured'));
    const key = `${servers.map((s) => `${s.address}:${s.port}`).join(',')}|${question.type}|${question.class}|${question.name}`;
    const existing = this.#inFlight.get(key);
    if (existing) return existing;
    if (this.#inFlight.size >= this.maxConcurrent) return Promise.reject(new ForwardError('DNS_UPSTREAM_BUSY', `more than ${this.maxConcurrent} upstream queries in flight`));
    const p = this.#tryServers(servers, question).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, p);
    return p;
  }

  close(): void {
    this.#isClosed = true;
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  async #tryServers(servers: readonly UpstreamServer[], question: ForwardQuestion): Promise<Buffer> {
    const start = this.#next++ % servers.length;
    const deadline = Date.now() + Math.min(5000, this.#timeoutMs * servers.length);
    let lastError: unknown;
    for (let i = 0; i < servers.length && Date.now() < deadline; i++) {
      const server = servers[(start + i) % servers.length];
      try {
        const answer = await this.#udp(server, question);
        if (!(answer.readUInt16BE(2) & FLAG.TC)) return answer;
        return await this.#tcp(server, question);
      } catch (e) {
        lastError = e;
      }
    }
    throw new ForwardError('DNS_UPSTREAM_TIMEOUT', `no answer from ${servers.map((s) => `${s.address}:${s.port}`).join(', ')}`, { cause: lastError });
  }

  #socket(family: 'udp4' | 'udp6'): dgram.Socket {
    let s = this.#sockets.get(family);
    if (s) return s;
    s = dgram.createSocket(family);
    s.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
    s.on('error', () => {});
    s.unref();
    this.#sockets.set(family, s);
    return s;
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length < 12) return;
    const p = this.#pending.get(msg.readUInt16BE(0));
    // An answer must come from the server asked, about the question asked (spoofing and stray packets).
    if (!p || rinfo.address !== p.server.address || rinfo.port !== p.server.port || !isAnswerTo(msg, p.question)) return;
    this.#pending.delete(msg.readUInt16BE(0));
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  #udp(server: UpstreamServer, question: ForwardQuestion): Promise<Buffer> {
    if (this.#isClosed) return Promise.reject(new ForwardError('DNS_UPSTREAM_BAD', 'forwarder closed'));
    let id = randomInt(0, 65536);
    while (this.#pending.has(id)) id = (id + 1) & 0xffff;
    const query = encodeQuery(question.name, question.type, { id, class: question.class, udpSize: OUR_UDP_SIZE });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new ForwardError('DNS_UPSTREAM_TIMEOUT', `${server.address}:${server.port} did not answer in ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { server, question, resolve, timer });
      this.#socket(net.isIPv6(server.address) ? 'udp6' : 'udp4').send(query, server.port, server.address, (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(err);
      });
    });
  }

  #tcp(server: UpstreamServer, question: ForwardQuestion): Promise<Buffer> {
    const id = randomInt(0, 65536);
    const query = encodeQuery(question.name, question.type, { id, class: question.class, udpSize: OUR_UDP_SIZE });
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: server.address, port: server.port });
      let buf = Buffer.alloc(0);
      const done = (err: Error | undefined, answer?: Buffer) => {
        sock.destroy();
        if (err) reject(err);
        else resolve(answer!);
      };
      sock.setTimeout(this.#timeoutMs, () => done(new ForwardError('DNS_UPSTREAM_TIMEOUT', `${server.address}:${server.port} (tcp) did not answer in ${this.#timeoutMs} ms`)));
      sock.on('error', (e) => done(e));
      sock.on('connect', () => sock.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        const answer = buf.subarray(2, 2 + buf.readUInt16BE(0));
        if (answer.length < 12 || answer.readUInt16BE(0) !== id || !isAnswerTo(answer, question)) done(new ForwardError('DNS_UPSTREAM_BAD', 'mismatched TCP answer'));
        else done(undefined, Buffer.from(answer));
      });
      sock.on('end', () => done(new ForwardError('DNS_UPSTREAM_BAD', 'upstream closed the TCP connection')));
    });
  }
}

function isAnswerTo(msg: Buffer, q: ForwardQuestion): boolean {
  try {
    if (!(msg.readUInt16BE(2) & FLAG.QR)) return false;
    const scan = scanMessage(msg);
    const got = scan.questions[0];
    return scan.questions.length === 1 && got.name === q.name && got.type === q.type && got.class === q.class;
  } catch {
    return false;
  }
}
