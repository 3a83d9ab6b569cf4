// Container log files in CRI format: written from the container's stdout/stderr FIFOs, read (and followed) for
// `kubectl logs`. Writers and followers live in this process, so a follower learns of new lines by event.
import { EventEmitter } from 'node:events';
import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { LineSplitter, formatCriLine, parseCriLog, renderEntry, renderLogEntries, rfc3339Nano } from './cri-log.ts';
import type { CriLogEntry, LogSelection, LogStream } from './cri-log.ts';

const ORIGIN_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** The wall clock with nanosecond digits (monotonic within this process). */
export function nowNs(): bigint {
  return ORIGIN_NS + process.hrtime.bigint();
}

/** One open log file: appends CRI lines, tells followers. */
class LogFile {
  readonly path: string;
  readonly events = new EventEmitter();
  #fd: number;
  #pumps = 0;
  #isClosed = false;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, 'a', 0o640);
    this.events.setMaxListeners(0);
  }

  append(stream: LogStream, pieces: { text: string; isPartial: boolean }[]): void {
    if (this.#isClosed) return;
    for (const p of pieces) {
      const entry: CriLogEntry = { time: rfc3339Nano(nowNs()), stream, isPartial: p.isPartial, text: p.text };
      writeSync(this.#fd, formatCriLine(entry));
      this.events.emit('entry', entry);
    }
  }

  addPump(): void {
    this.#pumps++;
  }

  pumpDone(): void {
    if (--this.#pumps <= 0) this.close();
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    closeSync(this.#fd);
    this.events.emit('close');
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }
}

export class ContainerLogs {
  #open = new Map<string, LogFile>();

  /**
   * Copies a FIFO's lines into the log at `path` until every writer has closed it. The FIFO is opened
   * non-blocking for reading; the container holds it open read-write, so it never gets SIGPIPE while no
   * agent reads (output waits in the pipe for the next agent).
   */
  pump(fifo: string, options: { path: string; stream: LogStream }): { done: Promise<void>; stop(): void } {
    const file = this.#file(options.path);
    file.addPump();
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const socket = new Socket({ fd, readable: true, writable: false });
    const splitter = new LineSplitter();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => file.append(options.stream, splitter.push(chunk)));
    const done = new Promise<void>((resolve) => {
      let isDone = false;
      const finish = () => {
        if (isDone) return;
        isDone = true;
        file.append(options.stream, splitter.flush());
        file.pumpDone();
        if (file.isClosed) this.#open.delete(options.path);
        resolve();
      };
      socket.on('end', finish);
      socket.on('close', finish);
      socket.on('error', finish);
    });
    return { done, stop: () => socket.destroy() };
  }

  /** Calls `onEntry` for each new entry of an open log until it closes (then `onClose`); returns the unsubscribe. */
  subscribe(path: string, handlers: { onEntry(e: CriLogEntry): void; onClose(): void }): () => void {
    const file = this.#open.get(path);
    if (!file) {
      handlers.onClose();
      return () => {};
    }
    file.events.on('entry', handlers.onEntry);
    file.events.once('close', handlers.onClose);
    return () => {
      file.events.off('entry', handlers.onEntry);
      file.events.off('close', handlers.onClose);
    };
  }

  /** Whether something still writes to the log (the instance runs). */
  isOpen(path: string): boolean {
    return this.#open.has(path);
  }

  /**
   * The log as `kubectl logs` shows it. With `follow`, the stream stays open for new lines until the
   * instance's output ends.
   */
  read(path: string, options: LogSelection & { follow?: boolean }): Readable {
    const out = new Readable({ read() {} });
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const { limitBytes, ...selection } = options;
    let left = limitBytes ?? Infinity;
    const push = (s: string): boolean => {
      if (left <= 0 || !s) return left > 0;
      const b = Buffer.from(s);
      const part = b.length > left ? b.subarray(0, left) : b;
      left -= part.length;
      out.push(part);
      return left > 0;
    };
    const isMore = push(renderLogEntries(parseCriLog(text), selection));
    const file = this.#open.get(path);
    if (!options.follow || !file || !isMore) {
      out.push(null);
      return out;
    }
    const onEntry = (e: CriLogEntry) => {
      if (!push(renderEntry(e, options.timestamps === true))) stop();
    };
    const stop = () => {
      file.events.off('entry', onEntry);
      file.events.off('close', stop);
      out.push(null);
    };
    file.events.on('entry', onEntry);
    file.events.once('close', stop);
    out.on('close', () => {
      file.events.off('entry', onEntry);
      file.events.off('close', stop);
    });
    return out;
  }

  #file(path: string): LogFile {
    let f = this.#open.get(path);
    if (!f || f.isClosed) {
      f = new LogFile(path);
      this.#open.set(path, f);
    }
    return f;
  }
}
