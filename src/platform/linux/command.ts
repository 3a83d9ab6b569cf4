// Running system tools: one interface, a real execFile-based runner, and the error they share.
import { execFile } from 'node:child_process';

export interface RunOptions {
  /** Written to the command's stdin, then stdin is closed. */
  input?: string;
  /** Name of a network namespace under /run/netns; the command runs inside it (via nsenter). */
  netns?: string;
  /** Extra environment variables, added to the runner's own environment. */
  env?: Record<string, string>;
  /** Kill the command after this long (default 30 s). */
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  /** Runs `cmd args…`; resolves when it exits 0, rejects with a CommandError otherwise. */
  run(cmd: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
}

export type CommandErrorCode = 'CommandFailed' | 'CommandNotFound' | 'CommandTimedOut' | 'InvalidArgument';

export class CommandError extends Error {
  override name = 'CommandError';
  readonly code: CommandErrorCode;
  readonly cmd: string;
  readonly args: readonly string[];
  /** Exit status, or undefined when the process did not exit on its own. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  constructor(code: CommandErrorCode, call: { cmd: string; args: readonly string[]; exitCode?: number; stdout?: string; stderr?: string }, options?: { cause?: unknown }) {
    const stderr = call.stderr ?? '';
    const detail = stderr.trim() || (call.stdout ?? '').trim() || code;
    super(`${[call.cmd, ...call.args].join(' ')}: ${detail}`, options);
    this.code = code;
    this.cmd = call.cmd;
    this.args = call.args;
    this.exitCode = call.exitCode;
    this.stdout = call.stdout ?? '';
    this.stderr = stderr;
  }
}

const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/** Throws unless `name` can safely name a file under /run/netns. */
export function assertNetnsName(name: string): void {
  if (typeof name !== 'string' || !NETNS_NAME.test(name) || name === '..' || name === '.') {
    throw new CommandError('InvalidArgument', { cmd: 'netns', args: [name], stderr: `invalid network namespace name ${JSON.stringify(name)}` });
  }
}

/** The path `ip netns` uses for a named namespace; CNI_NETNS and nsenter want it. */
export function netnsPath(name: string): string {
  assertNetnsName(name);
  return `/run/netns/${name}`;
}

/** The argv that runs `cmd args` inside a named netns. */
export function inNetns(netns: string, cmd: string, args: readonly string[]): { cmd: string; args: string[] } {
  return { cmd: 'nsenter', args: [`--net=${netnsPath(netns)}`, '--', cmd, ...args] };
}

export class ExecFileRunner implements CommandRunner {
  #env: Record<string, string | undefined>;

  constructor(options: { env?: Record<string, string | undefined> } = {}) {
    this.#env = options.env ?? process.env;
  }

  run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const call = options.netns === undefined ? { cmd, args: [...args] } : inNetns(options.netns, cmd, args);
    const env = options.env ? { ...this.#env, ...options.env } : this.#env;
    return new Promise((resolve, reject) => {
      const child = execFile(call.cmd, call.args, { env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const e = error as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        const failed = { cmd, args, stdout, stderr, exitCode: typeof e.code === 'number' ? e.code : undefined };
        if (e.code === 'ENOENT') reject(new CommandError('CommandNotFound', { ...failed, stderr: stderr || `${call.cmd}: not found` }, { cause: error }));
        else if (e.killed) reject(new CommandError('CommandTimedOut', failed, { cause: error }));
        else reject(new CommandError('CommandFailed', failed, { cause: error }));
      });
      // A command that exits before reading stdin makes the write fail with EPIPE; its exit status tells the story.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input ?? '');
    });
  }
}

/** The runner every adapter uses unless given another. */
export const defaultRunner: CommandRunner = new ExecFileRunner();
