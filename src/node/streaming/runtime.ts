// What the streaming server needs from the container runtime. The runtime implements it; the streaming server
// only speaks the wire protocols (see README.md in this folder).
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

export interface LogOptions {
  /** Keep the stream open and write new lines as the container writes them. */
  follow: boolean;
  /** Only the last N lines (before following). */
  tailLines?: number;
  /** Only lines written in the last N seconds. */
  sinceSeconds?: number;
  /** Prefix each line with its RFC 3339 timestamp and a space, as the kubelet does. */
  timestamps: boolean;
  /** The log of the previous (terminated) instance of the container. */
  previous: boolean;
}

export interface ExecOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Run under a terminal: there is no separate stderr, and `resize` applies. */
  tty: boolean;
}

export type ExitStatus = { exitCode: number } | { signal: string };

/** A running exec'd process, or an attachment to the container's main process. */
export interface ExecSession {
  /** Present when opened with `stdin: true`; ending it closes the process's stdin. */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a tty (the terminal merges it into stdout) or when not asked for. */
  stderr?: Readable;
  /** Terminal size changes (tty only; may be a no-op). */
  resize(size: { width: number; height: number }): void;
  /** Resolves when the process (for attach: the container) ends. The server waits for stdout/stderr to end too. */
  wait(): Promise<ExitStatus>;
  /** The client went away: exec ends the process, attach only detaches. Idempotent. */
  close(): void;
}

export interface StreamingRuntime {
  /** The container's log as a byte stream; destroying it stops a follow. */
  logs(namespace: string, pod: string, options: { container: string } & LogOptions): Promise<Readable>;
  /** Starts `command` in the container. */
  exec(namespace: string, pod: string, options: { container: string; command: string[] } & ExecOptions): Promise<ExecSession>;
  /** Attaches to the container's main process (its stdin only if the container was started with `stdin: true`). */
  attach(namespace: string, pod: string, options: { container: string } & ExecOptions): Promise<ExecSession>;
  /** A connected TCP socket to `port` inside the pod's network namespace (e.g. to podIP:port). */
  portForward(namespace: string, pod: string, options: { port: number }): Promise<Socket>;
}

/** Thrown by a runtime when the pod or container does not exist (or, for `previous`, has no previous instance). */
export class ContainerNotFoundError extends Error {
  readonly code = 'ERR_CONTAINER_NOT_FOUND';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ContainerNotFoundError';
  }
}

export function isContainerNotFound(e: unknown): boolean {
  return (e as { code?: unknown } | undefined)?.code === 'ERR_CONTAINER_NOT_FOUND';
}
