// A recording CommandRunner for unit tests: no process is ever started.
import { CommandError } from './command.ts';
import type { CommandRunner, RunOptions, RunResult } from './command.ts';

export interface RecordedCall {
  cmd: string;
  args: string[];
  input?: string;
  netns?: string;
  env?: Record<string, string>;
}

export interface FakeReply {
  stdout?: string;
  stderr?: string;
  /** Non-zero makes run() reject with a CommandError('CommandFailed'). */
  exitCode?: number;
}

/** Decides the reply to one call; return undefined to fall through to the next responder. */
export type Responder = (call: RecordedCall) => FakeReply | undefined;

export class FakeCommandRunner implements CommandRunner {
  readonly calls: RecordedCall[] = [];
  #responders: Responder[] = [];

  /**
   * Replies to every call whose command line starts with `prefix`: either the plain `cmd args…` or,
   * for a call run in a netns, the `[netns <name>] cmd args…` form of `line`.
   * The newest matching rule wins, so tests can override a general rule with a specific one.
   */
  on(prefix: string, reply: FakeReply | ((call: RecordedCall) => FakeReply)): this {
    return this.respond((call) => {
      if (![call.cmd, ...call.args].join(' ').startsWith(prefix) && !line(call).startsWith(prefix)) return undefined;
      return typeof reply === 'function' ? reply(call) : reply;
    });
  }

  /** Adds a general responder (checked before older ones). */
  respond(responder: Responder): this {
    this.#responders.unshift(responder);
    return this;
  }

  async run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const call: RecordedCall = { cmd, args: [...args] };
    if (options.input !== undefined) call.input = options.input;
    if (options.netns !== undefined) call.netns = options.netns;
    if (options.env !== undefined) call.env = { ...options.env };
    this.calls.push(call);
    let reply: FakeReply = {};
    for (const r of this.#responders) {
      const got = r(call);
      if (got) {
        reply = got;
        break;
      }
    }
    const stdout = reply.stdout ?? '';
    const stderr = reply.stderr ?? '';
    if (reply.exitCode) throw new CommandError('CommandFailed', { cmd, args: call.args, exitCode: reply.exitCode, stdout, stderr });
    return { stdout, stderr };
  }

  /** Every call as one line, e.g. `[netns n1] sysctl -w net.ipv4.ip_forward=1`. */
  lines(): string[] {
    return this.calls.map(line);
  }

  clear(): void {
    this.calls.length = 0;
  }
}

/** A call as a shell-like line; calls run inside a netns are prefixed with `[netns <name>] `. */
export function line(call: RecordedCall): string {
  const text = [call.cmd, ...call.args].join(' ');
  return call.netns === undefined ? text : `[netns ${call.netns}] ${text}`;
}
