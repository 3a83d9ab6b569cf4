// A StreamingRuntime for tests: "containers" are in-memory logs, exec runs local processes, port-forward dials
// 127.0.0.1. Not for production use.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ContainerNotFoundError } from './runtime.ts';
import type { ExecOptions, ExecSession, ExitStatus, LogOptions, StreamingRuntime } from './runtime.ts';

interface FakeContainer {
  lines: { at: Date; text: string }[];
  /** The command `attach` starts (a stand-in for the container's main process). */
  main?: string[];
}

export class FakeStreamingRuntime implements StreamingRuntime {
  #containers = new Map<string, FakeContainer>();
  #appended = new EventEmitter();
  #now: () => Date;
  /** pod port → local port to dial on 127.0.0.1. */
  readonly ports = new Map<number, number>();
  readonly execs: { namespace: string; pod: string; container: string; command: string[] }[] = [];

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#appended.setMaxListeners(0);
  }

  addContainer(namespace: string, pod: string, options: { container: string; log?: string; main?: string[] }): void {
    const lines = (options.log ?? '').split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    this.#containers.set(`${namespace}/${pod}/${options.container}`, { lines: lines.map((text) => ({ at: this.#now(), text })), main: options.main });
  }

  appendLog(namespace: string, pod: string, options: { container: string; line: string }): void {
    const key = `${namespace}/${pod}/${options.container}`;
    const line = { at: this.#now(), text: options.line };
    this.#get(key).lines.push(line);
    this.#appended.emit(key, line);
  }

  /** How many follow streams are open on a container's log (to check that clients leaving release them). */
  followers(namespace: string, pod: string, container: string): number {
    return this.#appended.listenerCount(`${namespace}/${pod}/${container}`);
  }

  async logs(namespace: string, pod: string, options: { container: string } & LogOptions): Promise<Readable> {
    const key = `${namespace}/${pod}/${options.container}`;
    const c = this.#get(key);
    if (options.previous) throw new ContainerNotFoundError(`previous terminated container "${options.container}" in pod "${pod}" not found`);
    const format = (l: { at: Date; text: string }): string => (options.timestamps ? `${l.at.toISOString()} ${l.text}\n` : `${l.text}\n`);
    const since = options.sinceSeconds === undefined ? -Infinity : this.#now().getTime() - options.sinceSeconds * 1000;
    let lines = c.lines.filter((l) => l.at.getTime() >= since);
    if (options.tailLines !== undefined) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines);
    const out = new Readable({ read() {} });
    for (const l of lines) out.push(format(l));
    if (!options.follow) {
      out.push(null);
      return out;
    }
    const onLine = (l: { at: Date; text: string }): void => void out.push(format(l));
    this.#appended.on(key, onLine);
    out.once('close', () => this.#appended.off(key, onLine));
    return out;
  }

  async exec(namespace: string, pod: string, options: { container: string; command: string[] } & ExecOptions): Promise<ExecSession> {
    this.#get(`${namespace}/${pod}/${options.container}`);
    this.execs.push({ namespace, pod, container: options.container, command: options.command });
    return startProcess(options.command, options);
  }

  async attach(namespace: string, pod: string, options: { container: string } & ExecOptions): Promise<ExecSession> {
    const c = this.#get(`${namespace}/${pod}/${options.container}`);
    if (!c.main) throw new ContainerNotFoundError(`container "${options.container}" has no running process to attach to`);
    return startProcess(c.main, options);
  }

  portForward(_namespace: string, _pod: string, options: { port: number }): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.ports.get(options.port) ?? options.port, '127.0.0.1');
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  #get(key: string): FakeContainer {
    const c = this.#containers.get(key);
    if (!c) throw new ContainerNotFoundError(`container not found ("${key.split('/')[2]}")`);
    return c;
  }
}

function startProcess(command: string[], options: ExecOptions): ExecSession {
  const child: ChildProcess = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? { signal } : { exitCode: code ?? 0 }));
  });
  if (!options.stdin) child.stdin!.end();
  child.stdin!.on('error', () => {});
  if (options.tty) child.stderr!.resume();
  return {
    stdin: options.stdin ? child.stdin! : undefined,
    stdout: child.stdout!,
    stderr: options.tty ? undefined : child.stderr!,
    resize: () => {},
    wait: () => exited,
    close: () => void child.kill('SIGKILL'),
  };
}
