// Netlink for Node, which cannot open AF_NETLINK sockets: a tiny C relay (nl-relay.c) owns the socket
// and talks to us over its stdin/stdout. Framing (see the top of nl-relay.c):
//   to the relay:   [u32 LE length][payload]  -> one sendto() of payload, one datagram
//   from the relay: [u32 LE length][u16 LE kind][u16 LE errno][bytes]
//                   kind 0 READY (payload: u32 LE port id), 1 DATA (one datagram from the kernel),
//                   2 DONE (one per request, after all its replies; errno = sendto's), 3 RECV_ERROR.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnInNetns } from './process.ts';

export const NETLINK_NETFILTER = 12;
export const NLMSG_HDRLEN = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, ECHO: 0x8, REPLACE: 0x100, EXCL: 0x200, CREATE: 0x400, APPEND: 0x800 } as const;
/** Flags the kernel sets on an NLMSG_ERROR reply. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;
const NLMSGERR_ATTR_OFFS = 2;
const NLMSGERR_ATTR_MISS_TYPE = 5;
const MAX_FRAME = 2 ** 30; // the relay refuses larger frames
const OPEN_TIMEOUT_MS = 10_000;

const K_READY = 0;
const K_DATA = 1;
const K_DONE = 2;
const K_RECV_ERROR = 3;

export type NetlinkErrorCode = 'RelayUnavailable' | 'RelayExited' | 'Timeout' | 'Closed' | 'SendFailed' | 'Overrun' | 'NoAck' | 'Kernel' | 'Malformed' | 'InvalidArgument';

export class NetlinkError extends Error {
  override name = 'NetlinkError';
  readonly code: NetlinkErrorCode;
  /** The errno behind SendFailed / Overrun, or the first kernel error's. */
  readonly errno: number | undefined;
  /** For 'Kernel': every error the kernel reported, in order. */
  readonly errors: readonly NlmsgError[];
  constructor(code: NetlinkErrorCode, message: string, options: { cause?: unknown; errno?: number; errors?: readonly NlmsgError[] } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.errno = options.errno ?? options.errors?.[0]?.errno;
    this.errors = options.errors ?? [];
  }
}

/** The body of an NLMSG_ERROR reply; errno 0 is an ACK. */
export interface NlmsgError {
  /** Positive errno (the kernel sends it negated). */
  errno: number;
  /** Sequence number and type of the request message this answers. */
  seq: number;
  type: number;
  /** Extended ack text (NLMSGERR_ATTR_MSG), e.g. "Table does not exist". */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute, from the start of the failing message. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: a required attribute type that was missing. */
  missingType?: number;
}

export interface NetlinkReply {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The bytes after the 16-byte header. */
  payload: Buffer;
  /** Present when type is NLMSG_ERROR. */
  error?: NlmsgError;
}

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 7: 'E2BIG', 11: 'EAGAIN', 12: 'ENOMEM', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST', 19: 'ENODEV',
  22: 'EINVAL', 28: 'ENOSPC', 34: 'ERANGE', 40: 'ELOOP', 85: 'ERESTART', 90: 'EMSGSIZE', 95: 'EOPNOTSUPP', 105: 'ENOBUFS',
};

/** 'EEXIST' for 17; falls back to Node's errno table, then to 'errno N'. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? Object.entries(constants.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
}

/** "EEXIST (17): <extack text>" */
export function describeError(e: NlmsgError): string {
  return `${errnoName(e.errno)} (${e.errno}) for message seq ${e.seq} type 0x${e.type.toString(16)}${e.message ? `: ${e.message}` : ''}`;
}

/** Builds a 16-byte netlink header in host (little-endian) order; `length` includes the header. */
export function nlmsghdr(h: { type: number; flags: number; seq: number; length: number; pid?: number }): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN);
  b.writeUInt32LE(h.length, 0);
  b.writeUInt16LE(h.type, 4);
  b.writeUInt16LE(h.flags, 6);
  b.writeUInt32LE(h.seq >>> 0, 8);
  b.writeUInt32LE(h.pid ?? 0, 12);
  return b;
}

export const align4 = (n: number): number => (n + 3) & ~3;

/** Splits a datagram into its netlink messages; throws NetlinkError 'Malformed' on a truncated one. */
export function parseMessages(buf: Buffer): NetlinkReply[] {
  const out: NetlinkReply[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < NLMSG_HDRLEN) throw new NetlinkError('Malformed', `truncated netlink header at offset ${at}: ${buf.length - at} bytes left`);
    const length = buf.readUInt32LE(at);
    if (length < NLMSG_HDRLEN || length > buf.length - at) throw new NetlinkError('Malformed', `netlink message at offset ${at} claims ${length} bytes, ${buf.length - at} left`);
    const reply: NetlinkReply = { type: buf.readUInt16LE(at + 4), flags: buf.readUInt16LE(at + 6), seq: buf.readUInt32LE(at + 8), pid: buf.readUInt32LE(at + 12), payload: buf.subarray(at + NLMSG_HDRLEN, at + length) };
    if (reply.type === NLMSG_ERROR) reply.error = parseNlmsgerr(reply.payload, reply.flags, at);
    out.push(reply);
    at += align4(length);
  }
  return out;
}

function parseNlmsgerr(p: Buffer, flags: number, at: number): NlmsgError {
  if (p.length < 4 + NLMSG_HDRLEN) throw new NetlinkError('Malformed', `NLMSG_ERROR at offset ${at} has ${p.length} payload bytes, needs ${4 + NLMSG_HDRLEN}`);
  const e: NlmsgError = { errno: 0 - p.readInt32LE(0), seq: p.readUInt32LE(4 + 8), type: p.readUInt16LE(4 + 4) };
  if (!(flags & NLM_F_ACK_TLVS)) return e;
  // Without NLM_F_CAPPED the kernel echoes the whole failing message before the TLVs (linux netlink_ack()).
  let off = 4 + (flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align4(p.readUInt32LE(4)));
  while (off + 4 <= p.length) {
    const len = p.readUInt16LE(off);
    const type = p.readUInt16LE(off + 2) & 0x3fff;
    if (len < 4 || off + len > p.length) break;
    const value = p.subarray(off + 4, off + len);
    if (type === NLMSGERR_ATTR_MSG) e.message = value.toString('utf8').replace(/\0.*$/s, '');
    else if (type === NLMSGERR_ATTR_OFFS && value.length >= 4) e.offset = value.readUInt32LE(0);
    else if (type === NLMSGERR_ATTR_MISS_TYPE && value.length >= 4) e.missingType = value.readUInt32LE(0);
    off += align4(len);
  }
  return e;
}

/** The kernel errors among `replies` (ACKs left out). */
export function kernelErrors(replies: readonly NetlinkReply[]): NlmsgError[] {
  return replies.flatMap((r) => (r.error && r.error.errno !== 0 ? [r.error] : []));
}

/** Throws NetlinkError 'Kernel' when any reply is an error. */
export function assertNoKernelErrors(replies: readonly NetlinkReply[]): void {
  const errors = kernelErrors(replies);
  if (errors.length) throw new NetlinkError('Kernel', `kernel rejected the request: ${errors.map(describeError).join('; ')}`, { errors });
}

export type RelayBinary = { path: string; reason?: undefined } | { path: undefined; reason: string };

const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const RELAY_SOURCE = join(import.meta.dirname, 'nl-relay.c');
const CC_FLAGS = ['-O2', '-Wall', '-Wextra'];
const builds = new Map<string, Promise<RelayBinary>>();

/**
 * Compiles nl-relay.c once into a cache named after its source hash. Returns `{ path: undefined, reason }`
 * when there is no C compiler or compilation fails, so callers can fall back to the `nft` CLI.
 */
export function ensureRelayBinary(options: { cacheDir?: string; cc?: string } = {}): Promise<RelayBinary> {
  const cc = options.cc ?? 'cc';
  let source: Buffer;
  try {
    source = readFileSync(RELAY_SOURCE);
  } catch (e) {
    return Promise.resolve({ path: undefined, reason: `cannot read ${RELAY_SOURCE}: ${(e as Error).message}` });
  }
  const hash = createHash('sha256').update(source).update(CC_FLAGS.join(' ')).digest('hex').slice(0, 16);
  const out = join(options.cacheDir ?? join(REPO_ROOT, 'node_modules/.cache/skiff'), `nl-relay-${hash}`);
  if (existsSync(out)) return Promise.resolve({ path: out });
  const key = `${cc}\0${out}`;
  let build = builds.get(key);
  if (!build) {
    build = compile(cc, out);
    builds.set(key, build);
    build.then((r) => r.path === undefined && builds.delete(key));
  }
  return build;
}

async function compile(cc: string, out: string): Promise<RelayBinary> {
  // Concurrent test processes may build at once: each writes its own temp file, rename() is atomic.
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(join(out, '..'), { recursive: true });
    await new Promise<void>((ok, fail) => execFile(cc, [...CC_FLAGS, '-o', tmp, RELAY_SOURCE], { timeout: 60_000 }, (err, _o, stderr) => (err ? fail(Object.assign(err, { stderr })) : ok())));
    renameSync(tmp, out);
    return { path: out };
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return { path: undefined, reason: `no C compiler: ${cc} not found (Debian: apt-get install gcc libc6-dev)` };
    return { path: undefined, reason: `${cc} failed to build nl-relay: ${(err.stderr || err.message).trim()}` };
  }
}

interface Pending {
  lastSeq: number;
  data: Buffer[];
  recvErrno: number;
  resolve(replies: NetlinkReply[]): void;
  reject(e: NetlinkError): void;
}

/** A netlink socket held by an nl-relay child process; requests run one at a time. */
export class NetlinkSocket {
  #child: ChildProcess;
  #buffered: Buffer[] = [];
  #bufferedBytes = 0;
  #stderr = '';
  #portId = -1;
  #ready: { resolve(): void; reject(e: NetlinkError): void } | undefined;
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #failure: NetlinkError | undefined;
  #closed = false;
  #exited: Promise<void>;

  /** Starts the relay (inside `netns` when given) and waits until its socket is bound. */
  static async open(options: { netns?: string; protocol?: number; binary?: string } = {}): Promise<NetlinkSocket> {
    let binary = options.binary;
    if (binary === undefined) {
      const built = await ensureRelayBinary();
      if (built.path === undefined) throw new NetlinkError('RelayUnavailable', built.reason);
      binary = built.path;
    }
    const argv = [binary, String(options.protocol ?? NETLINK_NETFILTER)];
    const stdio: SpawnOptions = { stdio: 'pipe' };
    const child = options.netns === undefined ? spawn(argv[0], argv.slice(1), stdio) : spawnInNetns(options.netns, argv, stdio);
    const socket = new NetlinkSocket(child);
    const timer = setTimeout(() => {
      socket.#fail(new NetlinkError('RelayExited', `nl-relay did not start within ${OPEN_TIMEOUT_MS} ms`));
      child.kill('SIGKILL');
    }, OPEN_TIMEOUT_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.#ready = { resolve, reject };
        if (socket.#failure) reject(socket.#failure);
      });
    } finally {
      clearTimeout(timer);
    }
    return socket;
  }

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdin!.on('error', () => {}); // EPIPE when the relay died; 'close' reports it
    child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4096)));
    child.stdout!.on('data', (d: Buffer) => this.#onData(d));
    child.on('error', (e) => this.#fail(new NetlinkError('RelayUnavailable', `cannot start nl-relay: ${e.message}`, { cause: e })));
    this.#exited = new Promise((resolve) => child.on('close', (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exited with status ${code}`;
      this.#fail(new NetlinkError('RelayExited', `nl-relay ${how}${this.#stderr.trim() ? `: ${this.#stderr.trim()}` : ''}`));
      resolve();
    }));
  }

  /** The relay's process id (the command's own pid, also inside a netns). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The socket's netlink port id, which the kernel puts in every reply's pid field. */
  get portId(): number {
    return this.#portId;
  }

  /**
   * Sends `batch` as one datagram and resolves with every reply the kernel queued for it. It rejects
   * with 'NoAck' when nothing answered `lastSeq` and no error came either: set NLM_F_ACK on that message.
   * Kernel errors are returned as replies; see assertNoKernelErrors. Treat any error as failing the whole
   * batch: when the commit itself fails, nfnetlink answers with an error carrying BATCH_BEGIN's seq and
   * still sends errno-0 ACKs for the (rolled back) NLM_F_ACK messages (linux nfnetlink_rcv_batch()).
   */
  request(batch: Buffer, options: { lastSeq: number; timeoutMs?: number }): Promise<NetlinkReply[]> {
    if (this.#closed) return Promise.reject(new NetlinkError('Closed', 'netlink socket is closed'));
    if (batch.length > MAX_FRAME) return Promise.reject(new NetlinkError('InvalidArgument', `batch of ${batch.length} bytes exceeds ${MAX_FRAME}`));
    const run = this.#queue.then(() => this.#send(batch, options));
    this.#queue = run.catch(() => {});
    return run;
  }

  #send(batch: Buffer, options: { lastSeq: number; timeoutMs?: number }): Promise<NetlinkReply[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<NetlinkReply[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending?.reject(new NetlinkError('Timeout', `no answer from nl-relay within ${timeoutMs} ms`));
        // The relay's state is unknown now: kill it so no late reply is taken for the next request.
        this.#fail(new NetlinkError('RelayExited', `nl-relay was killed after a request timed out (${timeoutMs} ms)`));
        this.#child.kill('SIGKILL');
      }, timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        this.#pending = undefined;
        f(v);
      };
      this.#pending = { lastSeq: options.lastSeq >>> 0, data: [], recvErrno: 0, resolve: done(resolve), reject: done(reject) };
      const header = Buffer.alloc(4);
      header.writeUInt32LE(batch.length);
      this.#child.stdin!.write(header);
      this.#child.stdin!.write(batch);
    });
  }

  /** Waits for requests already made, then ends the relay's stdin; kills it if it lingers. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closed = true;
    await this.#queue;
    this.#child.stdin!.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), options.timeoutMs ?? 2_000);
    await this.#exited;
    clearTimeout(timer);
  }

  #fail(e: NetlinkError): void {
    this.#failure ??= e;
    this.#ready?.reject(this.#failure);
    this.#pending?.reject(this.#failure);
  }

  #onData(chunk: Buffer): void {
    this.#buffered.push(chunk);
    this.#bufferedBytes += chunk.length;
    while (this.#bufferedBytes >= 8) {
      if (this.#buffered[0].length < 8) this.#buffered = [Buffer.concat(this.#buffered)];
      const length = this.#buffered[0].readUInt32LE(0);
      if (this.#bufferedBytes < 8 + length) return;
      if (this.#buffered[0].length < 8 + length) this.#buffered = [Buffer.concat(this.#buffered)];
      const first = this.#buffered[0];
      const frame = first.subarray(0, 8 + length);
      if (first.length === frame.length) this.#buffered.shift();
      else this.#buffered[0] = first.subarray(frame.length);
      this.#bufferedBytes -= frame.length;
      this.#onFrame(frame.readUInt16LE(4), frame.readUInt16LE(6), frame.subarray(8));
    }
  }

  #onFrame(kind: number, errno: number, payload: Buffer): void {
    const p = this.#pending;
    if (kind === K_READY) {
      this.#portId = payload.readUInt32LE(0);
      this.#ready?.resolve();
      this.#ready = undefined;
    } else if (kind === K_DATA) {
      p?.data.push(payload); // with no request in flight nothing is due: an unsolicited message is dropped
    } else if (kind === K_RECV_ERROR) {
      if (p) p.recvErrno = errno;
    } else if (kind === K_DONE && p) {
      if (errno) return p.reject(new NetlinkError('SendFailed', `sendto: ${errnoName(errno)} (${errno})`, { errno }));
      if (p.recvErrno) return p.reject(new NetlinkError('Overrun', `replies were lost: ${errnoName(p.recvErrno)}; the receive buffer overflowed`, { errno: p.recvErrno }));
      let replies: NetlinkReply[];
      try {
        replies = p.data.flatMap(parseMessages);
      } catch (e) {
        return p.reject(e as NetlinkError);
      }
      // nfnetlink drops a batch with a malformed header silently, so no reply for lastSeq may come.
      if (!replies.some((r) => r.seq === p.lastSeq) && kernelErrors(replies).length === 0) {
        return p.reject(new NetlinkError('NoAck', `no reply for seq ${p.lastSeq} (${replies.length} other replies); is NLM_F_ACK set on it?`));
      }
      p.resolve(replies);
    }
  }
}
