// conntrack-tools adapter: deleting stale flows (e.g. UDP to a Service whose backends changed).
import { CommandError, defaultRunner } from './command.ts';
import type { CommandRunner } from './command.ts';

export class ConntrackError extends Error {
  override name = 'ConntrackError';
  readonly code = 'ConntrackFailed';
  readonly stderr: string;
  constructor(message: string, options: { cause?: unknown; stderr?: string } = {}) {
    super(message, options);
    this.stderr = options.stderr ?? '';
  }
}

/** Which flows to delete; every field given must match (conntrack's own filter semantics). */
export interface ConntrackFilter {
  protocol?: 'tcp' | 'udp' | 'sctp' | 'icmp';
  /** Original direction source / destination address. */
  origSrc?: string;
  origDst?: string;
  /** Reply direction source address: after DNAT, the backend the flow was sent to. */
  replySrc?: string;
  /** Original destination port (requires protocol). */
  origDstPort?: number;
}

export class Conntrack {
  #runner: CommandRunner;

  constructor(runner: CommandRunner = defaultRunner) {
    this.#runner = runner;
  }

  /** `conntrack -D …`, in `netns` if given; returns how many flows went. No match is not an error. */
  async deleteFlows(filter: ConntrackFilter, options: { netns?: string } = {}): Promise<number> {
    const args = conntrackDeleteArgs(filter);
    try {
      const { stdout, stderr } = await this.#runner.run('conntrack', args, options.netns === undefined ? {} : { netns: options.netns });
      return deletedCount(stderr + stdout) ?? 0;
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      // conntrack exits 1 when nothing matched, saying "0 flow entries have been deleted".
      if (deletedCount(e.stderr + e.stdout) === 0) return 0;
      throw new ConntrackError(e.message, { cause: e, stderr: e.stderr });
    }
  }
}

export function conntrackDeleteArgs(filter: ConntrackFilter): string[] {
  const args = ['-D'];
  if (filter.protocol) args.push('-p', filter.protocol);
  if (filter.origSrc) args.push('--orig-src', filter.origSrc);
  if (filter.origDst) args.push('--orig-dst', filter.origDst);
  if (filter.replySrc) args.push('--reply-src', filter.replySrc);
  if (filter.origDstPort !== undefined) {
    if (!filter.protocol || filter.protocol === 'icmp') throw new ConntrackError('a port filter needs protocol tcp, udp or sctp');
    args.push('--dport', String(filter.origDstPort));
  }
  if (args.length === 1) throw new ConntrackError('refusing to delete every flow: give at least one filter field');
  return args;
}

function deletedCount(text: string): number | undefined {
  const m = /(\d+) flow entries have been deleted/.exec(text);
  return m ? Number(m[1]) : undefined;
}
