// Starting, adopting, stopping and exec'ing into container processes (see launch-argv.ts for the namespaces).
// Each instance has a run directory `<pod-dir>/<container>/<n>.run/` with its state, pid, exit status and
// stdout/stderr FIFOs; its log is `<pod-dir>/<container>/<n>.log`.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cgroups } from './cgroups.ts';
import type { ContainerLogs } from './container-logs.ts';
import { execArgv, launchArgv } from './launch-argv.ts';
import { renderRootFstab } from './rootfs.ts';
import type { HostRootLayout } from './rootfs.ts';
import type { LaunchPlan } from './launch-argv.ts';

export interface InstanceExit {
  exitCode: number;
  signal?: number;
  finishedAtMs: number;
  /** The process never got to exec the command (setup failed). */
  isStartError: boolean;
}

/** What is kept in `state.json`, enough to adopt the instance after an agent restart. */
export interface InstanceState {
  id: string;
  podUid: string;
  container: string;
  instance: number;
  startedAtMs: number;
  pid?: number;
  wrapperPid?: number;
  env: [string, string][];
  hasUts: boolean;
}

export interface ContainerInstanceHandle {
  state: InstanceState;
  runDir: string;
  logPath: string;
  cgroupDir: string;
  /** Resolves once the instance ended, its stragglers were killed and its output was written. */
  exited: Promise<InstanceExit>;
  exitInfo?: InstanceExit;
}

export interface StartOptions extends Omit<LaunchPlan, 'cgroupDir' | 'rootDir' | 'pidFile' | 'exitFile' | 'fstab'> {
  /** The host's top level, bound into the root. */
  layout: HostRootLayout;
  /** Files bound into the root after it: [source, path inside the root]. */
  binds: [string, string][];
  podUid: string;
  container: string;
  /** <pod-dir>/<container> */
  containerDir: string;
  /** The restart count this instance has: names its files. */
  instance: number;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export class ContainerRuntime {
  #cgroups: Cgroups;
  #logs: ContainerLogs;
  /** What keeps this process attached to running instances: released on a plain agent stop. */
  #attached = new Set<{ child?: ChildProcess; readers: { stop(): void }[] }>();

  constructor(options: { cgroups: Cgroups; logs: ContainerLogs }) {
    this.#cgroups = options.cgroups;
    this.#logs = options.logs;
  }

  get logs(): ContainerLogs {
    return this.#logs;
  }

  static paths(containerDir: string, instance: number): { runDir: string; logPath: string } {
    return { runDir: join(containerDir, `${instance}.run`), logPath: join(containerDir, `${instance}.log`) };
  }

  async start(o: StartOptions): Promise<ContainerInstanceHandle> {
    const { runDir, logPath } = ContainerRuntime.paths(o.containerDir, o.instance);
    const cgroupDir = this.#cgroups.ensure(o.podUid, o.container);
    await this.#cgroups.kill(cgroupDir);
    mkdirSync(join(runDir, 'root'), { recursive: true });
    const f = files(runDir);
    // A run directory is never reused, but a crashed start must not leave a stale pid or exit status behind.
    for (const stale of [f.pid, f.exit, f.state]) rmSync(stale, { force: true });
    await mkfifo([f.out, f.err].filter((fifo) => !existsSync(fifo)));
    const state: InstanceState = { id: randomBytes(16).toString('hex'), podUid: o.podUid, container: o.container, instance: o.instance, startedAtMs: Date.now(), env: o.env, hasUts: o.hostname !== undefined };
    const rootDir = join(runDir, 'root');
    writeFileSync(f.fstab, renderRootFstab(o.layout, { root: rootDir, extra: o.binds }));
    const { argv, env } = launchArgv({ ...o, cgroupDir, rootDir, pidFile: f.pid, exitFile: f.exit, fstab: f.fstab });
    const readers = [this.#logs.pump(f.out, { path: logPath, stream: 'stdout' }), this.#logs.pump(f.err, { path: logPath, stream: 'stderr' })];
    const writers = [openSync(f.out, constants.O_RDWR), openSync(f.err, constants.O_RDWR)];
    let child: ChildProcess;
    try {
      child = spawn(argv[0], argv.slice(1), { env, detached: true, stdio: ['ignore', writers[0], writers[1]] });
    } catch (e) {
      for (const r of readers) r.stop();
      throw e;
    } finally {
      for (const w of writers) closeSync(w);
    }
    state.wrapperPid = child.pid;
    // Recorded at once: an agent killed from here on still leaves enough for the next one to adopt or clean up.
    writeFileSync(f.state, JSON.stringify(state));
    const attached = { child, readers };
    this.#attached.add(attached);
    const wrapperExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: 125, signal: null }));
    });

    // A command that ends at once can take the wrapper with it before the poll sees the pid file: look
    // once more, or a container that ran would be reported as one that never started.
    const pid = (await Promise.race([waitForFile(f.pid), wrapperExit.then(() => undefined)])) ?? completeFile(f.pid);
    if (pid !== undefined) {
      state.pid = Number(readFileSync(f.pid, 'utf8').trim()) || undefined;
      state.startedAtMs = statSync(f.pid).mtimeMs;
    }
    writeFileSync(f.state, JSON.stringify(state));
    const handle: ContainerInstanceHandle = { state, runDir, logPath, cgroupDir, exited: undefined as unknown as Promise<InstanceExit> };
    handle.exited = wrapperExit.then(async ({ code, signal }) => {
      if (!this.#attached.has(attached)) return new Promise<InstanceExit>(() => {}); // released to the next agent
      const exit = readExit(f.exit, state.pid === undefined) ?? { exitCode: code ?? 128 + (SIGNALS[signal ?? 'SIGKILL'] ?? 9), finishedAtMs: Date.now(), isStartError: state.pid === undefined };
      await this.#finish(handle, readers);
      this.#attached.delete(attached);
      handle.exitInfo = exit;
      return exit;
    });
    return handle;
  }

  /** The instance numbers (restart counts) that have a run directory under `containerDir`, ascending. */
  static instances(containerDir: string): number[] {
    try {
      return readdirSync(containerDir).map((n) => /^(\d+)\.run$/.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** An old instance's state and exit, without taking it over. */
  static inspect(containerDir: string, instance: number): { state: InstanceState; exit?: InstanceExit } | undefined {
    const f = files(ContainerRuntime.paths(containerDir, instance).runDir);
    try {
      return { state: JSON.parse(readFileSync(f.state, 'utf8')) as InstanceState, exit: readExit(f.exit, false) };
    } catch {
      return undefined;
    }
  }

  /** Takes over an instance a previous agent started; undefined if there is nothing to adopt. */
  adopt(containerDir: string, instance: number): ContainerInstanceHandle | undefined {
    const { runDir, logPath } = ContainerRuntime.paths(containerDir, instance);
    const f = files(runDir);
    let state: InstanceState;
    try {
      state = JSON.parse(readFileSync(f.state, 'utf8')) as InstanceState;
    } catch {
      return undefined;
    }
    const cgroupDir = this.#cgroups.containerPath(state.podUid, state.container);
    if (state.pid === undefined) {
      const pid = existsSync(f.pid) ? Number(readFileSync(f.pid, 'utf8').trim()) : NaN;
      if (pid > 0) state.pid = pid;
    }
    const handle: ContainerInstanceHandle = { state, runDir, logPath, cgroupDir, exited: undefined as unknown as Promise<InstanceExit> };
    const done = readExit(f.exit, state.pid === undefined);
    const isAlive = state.wrapperPid !== undefined && this.#cgroups.pids(cgroupDir).includes(state.wrapperPid);
    if (done || !isAlive) {
      const exit = done ?? { exitCode: 137, signal: 9, finishedAtMs: existsSync(f.state) ? statSync(f.state).mtimeMs : Date.now(), isStartError: false };
      handle.exitInfo = exit;
      handle.exited = Promise.resolve(exit);
      return handle;
    }
    const readers = [f.out, f.err].filter(existsSync).map((fifo, i) => this.#logs.pump(fifo, { path: logPath, stream: i === 0 ? 'stdout' : 'stderr' }));
    const attached = { readers };
    this.#attached.add(attached);
    handle.exited = (async () => {
      // Not our child: watch for the wrapper's exit file or the cgroup emptying.
      while (!existsSync(f.exit) && this.#cgroups.pids(cgroupDir).includes(state.wrapperPid!)) {
        await new Promise((r) => setTimeout(r, 200));
        if (!this.#attached.has(attached)) return new Promise<InstanceExit>(() => {});
      }
      this.#attached.delete(attached);
      const exit = readExit(f.exit, false) ?? { exitCode: 137, signal: 9, finishedAtMs: Date.now(), isStartError: false };
      await this.#finish(handle, readers);
      handle.exitInfo = exit;
      return exit;
    })();
    return handle;
  }

  /** Lets go of every running instance (agent stop without teardown): the processes keep running. */
  release(): void {
    for (const a of this.#attached) {
      a.child?.unref();
      for (const r of a.readers) r.stop();
    }
    this.#attached.clear();
  }

  /** SIGTERM to the main process, then SIGKILL to the whole cgroup after `graceMs`. */
  async stop(handle: ContainerInstanceHandle, options: { graceMs: number }): Promise<InstanceExit> {
    if (handle.exitInfo) return handle.exitInfo;
    if (handle.state.pid !== undefined && options.graceMs > 0) {
      try {
        process.kill(handle.state.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const isOnTime = await Promise.race([handle.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), options.graceMs)))]);
      clearTimeout(timer);
      if (isOnTime) return handle.exited;
    }
    await this.#cgroups.kill(handle.cgroupDir);
    return handle.exited;
  }

  /** Starts `argv` inside the running container (its namespaces, root, cwd, env and cgroup). */
  exec(handle: ContainerInstanceHandle, options: { argv: string[]; hasStdin: boolean; isTty?: boolean }): ChildProcess {
    if (handle.exitInfo || handle.state.pid === undefined) throw new Error(`container ${handle.state.container} is not running`);
    const call = execArgv({ pid: handle.state.pid, cgroupDir: handle.cgroupDir, env: handle.state.env, argv: options.argv, hasUts: handle.state.hasUts, isTty: options.isTty });
    // Under a tty, `script` relays its stdin to the terminal and hangs up at its EOF: it always gets a pipe.
    return spawn(call.argv[0], call.argv.slice(1), { env: call.env, stdio: [options.hasStdin || options.isTty ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  }

  async #finish(handle: ContainerInstanceHandle, readers: { done: Promise<void>; stop(): void }[]): Promise<void> {
    // The main process is gone: whatever it left behind (background children, execs) goes with it, as with a pid namespace.
    await this.#cgroups.kill(handle.cgroupDir).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(readers.map((r) => r.done)), new Promise((r) => (timer = setTimeout(r, 2_000)))]);
    clearTimeout(timer);
    for (const r of readers) r.stop();
  }
}

function files(runDir: string) {
  return { fstab: join(runDir, 'fstab'), state: join(runDir, 'state.json'), pid: join(runDir, 'pid'), exit: join(runDir, 'exit'), out: join(runDir, 'stdout'), err: join(runDir, 'stderr') };
}

function mkfifo(paths: string[]): Promise<void> {
  if (paths.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile('mkfifo', ['-m', '0600', ...paths], (error, _stdout, stderr) => (error ? reject(new Error(`mkfifo ${paths.join(' ')}: ${stderr.trim() || error.message}`)) : resolve()));
  });
}

function readExit(path: string, isStartError: boolean): InstanceExit | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^\d+$/.test(text)) return undefined;
    const code = Number(text);
    const exit: InstanceExit = { exitCode: code, finishedAtMs: statSync(path).mtimeMs, isStartError };
    if (code > 128 && code < 160) exit.signal = code - 128;
    return exit;
  } catch {
    return undefined;
  }
}

/** The file's text once it is completely written (the writer ends it with a newline). */
function completeFile(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.endsWith('\n') ? text : undefined;
  } catch {
    return undefined;
  }
}

async function waitForFile(path: string, timeoutMs = 30_000): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = completeFile(path);
    if (text !== undefined) return text;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}
