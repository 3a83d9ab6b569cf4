// The StreamingRuntime (streaming/runtime.ts) over this agent's containers: logs from the CRI log files, exec
// through nsenter into the container, attach as the container's live output, port-forward by connecting from
// the node's netns to the pod IP.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ContainerRuntime } from './container-runtime.ts';
import type { PodManager } from './pod-manager.ts';
import type { PodWorker } from './pod-worker.ts';
import { nowNs } from './container-logs.ts';
import { TtyResizer } from './tty-resize.ts';
import { ContainerNotFoundError } from './streaming/runtime.ts';
import type { ExecOptions, ExecSession, ExitStatus, LogOptions, StreamingRuntime } from './streaming/runtime.ts';

export class AgentStreamingRuntime implements StreamingRuntime {
  #pods: PodManager;
  #runtime: ContainerRuntime;

  constructor(options: { pods: PodManager; runtime: ContainerRuntime }) {
    this.#pods = options.pods;
    this.#runtime = options.runtime;
  }

  async logs(namespace: string, pod: string, options: { container: string } & LogOptions): Promise<Readable> {
    const { worker, name } = this.#find(namespace, pod, options.container);
    const rec = worker.containers.record(name)!;
    if (!rec.current) throw new ContainerNotFoundError(`container "${name}" in pod "${pod}" is waiting to start: ${rec.waiting?.reason ?? 'ContainerCreating'}`);
    const instance = options.previous ? rec.restartCount - 1 : rec.restartCount;
    if (instance < 0) throw new ContainerNotFoundError(`previous terminated container "${name}" in pod "${pod}" not found`);
    const path = `${worker.containers.containerDir(name)}/${instance}.log`;
    const sinceNs = options.sinceSeconds === undefined ? undefined : nowNs() - BigInt(options.sinceSeconds) * 1_000_000_000n;
    return this.#runtime.logs.read(path, { tailLines: options.tailLines, sinceNs, timestamps: options.timestamps, follow: options.follow && !options.previous });
  }

  async exec(namespace: string, pod: string, options: { container: string; command: string[] } & ExecOptions): Promise<ExecSession> {
    const { worker, name } = this.#find(namespace, pod, options.container);
    const handle = worker.containers.handle(name);
    if (!handle || handle.exitInfo) throw new ContainerNotFoundError(`container ${name} is not running in pod ${pod}`);
    const child = this.#runtime.exec(handle, { argv: options.command, hasStdin: options.stdin, isTty: options.tty });
    const stdout = options.tty ? new PassThrough() : child.stdout!;
    if (options.tty) {
      let open = 2;
      const end = () => --open === 0 && (stdout as PassThrough).end();
      child.stdout!.on('end', end).pipe(stdout as PassThrough, { end: false });
      child.stderr!.on('end', end).pipe(stdout as PassThrough, { end: false });
    }
    const exit = new Promise<ExitStatus>((resolve) => {
      child.once('error', () => resolve({ exitCode: 126 }));
      child.once('exit', (code, signal) => resolve(code !== null ? { exitCode: code } : { signal: signal ?? 'SIGKILL' }));
    });
    // Under a tty without stdin, `script` still needs an open stdin (its EOF hangs up the terminal): kept open.
    child.stdin?.on('error', () => undefined);
    const resizer = options.tty ? new TtyResizer({ pid: () => child.pid, isRunning: () => child.exitCode === null && child.signalCode === null }) : undefined;
    return {
      stdin: options.stdin ? child.stdin! : undefined,
      stdout,
      stderr: options.tty ? undefined : child.stderr!,
      resize: (size) => resizer?.resize(size),
      wait: () => exit,
      close: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
    };
  }

  async attach(namespace: string, pod: string, options: { container: string } & ExecOptions): Promise<ExecSession> {
    const { worker, name } = this.#find(namespace, pod, options.container);
    const rec = worker.containers.record(name)!;
    const handle = worker.containers.handle(name);
    if (!handle || handle.exitInfo) throw new ContainerNotFoundError(`container ${name} is not running in pod ${pod}`);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const path = `${worker.containers.containerDir(name)}/${rec.restartCount}.log`;
    const unsubscribe = this.#runtime.logs.subscribe(path, {
      onEntry: (e) => (e.stream === 'stderr' && !options.tty ? stderr : stdout).write(e.text + (e.isPartial ? '' : '\n')),
      onClose: () => {
        stdout.end();
        stderr.end();
      },
    });
    return {
      stdout,
      stderr: options.tty ? undefined : stderr,
      resize: () => {},
      wait: async () => {
        const exit = await handle.exited;
        return { exitCode: exit.exitCode };
      },
      close: () => {
        unsubscribe();
        stdout.end();
        stderr.end();
      },
    };
  }

  async portForward(namespace: string, pod: string, options: { port: number }): Promise<Socket> {
    const worker = this.#pods.worker(namespace, pod);
    if (!worker) throw new ContainerNotFoundError(`pod "${pod}" not found`);
    const ip = worker.podIPs[0];
    if (!ip) throw new ContainerNotFoundError(`pod "${pod}" has no IP yet`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: ip, port: options.port });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  #find(namespace: string, pod: string, container: string): { worker: PodWorker; name: string } {
    const worker = this.#pods.worker(namespace, pod);
    if (!worker) throw new ContainerNotFoundError(`pods "${pod}" not found`);
    const names = [...(worker.pod.spec.initContainers ?? []), ...worker.pod.spec.containers].map((c) => c.name);
    const name = container || (names.length === 1 ? names[0] : '');
    if (!names.includes(name)) throw new ContainerNotFoundError(`container ${container} is not valid for pod ${pod}`);
    return { worker, name };
  }
}
