// How the proxy's transactions reach the kernel: over netlink when a writer is given, through `nft -f`
// for what it cannot encode or when a batch fails there (nothing of a failed batch took effect), and
// the names of what the table holds now, read with nft.
import { listedNames } from '../netfilter/listing.ts';
import type { SetDecl } from '../netfilter/model.ts';
import { SequenceFailed } from '../netfilter/nl-apply.ts';
import { NlUnsupported } from '../netfilter/nl-encode.ts';
import type { NftOp } from '../netfilter/transaction.ts';
import { CommandError } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { NftError } from '../platform/linux/nft.ts';
import type { ProxyMetrics } from './metrics.ts';

export type ApplyOptions = { family: 'ip'; table: string; sets: (name: string) => SetDecl | undefined };

/** Applies a transaction's commands as one atomic batch (see `NetlinkApplier`). */
export interface OpsApplier {
  apply(ops: readonly NftOp[], options: ApplyOptions): Promise<void>;
  /** Transactions in order, each encoded while the kernel works on the one before (see `NetlinkApplier`). */
  applyInOrder?(steps: readonly (readonly NftOp[])[], options: ApplyOptions): Promise<void>;
}

/** One transaction: its commands, and its nft text rendered only if nft is needed. */
export interface Step {
  ops: readonly NftOp[];
  text: () => string;
}

export interface TableWriterOptions {
  table: string;
  runner: CommandRunner;
  netns?: string;
  netlink?: OpsApplier;
  metrics: ProxyMetrics;
  nftTimeoutMs?: number;
  log?: (message: string) => void;
}

export class TableWriter {
  #o: TableWriterOptions;

  constructor(options: TableWriterOptions) {
    this.#o = options;
  }

  /**
   * Non-empty transactions in order. Over netlink the next is encoded while the kernel applies the one
   * before; from the first that fails there, the rest go one by one (that one through nft).
   */
  async applyInOrder(steps: readonly Step[], sets: ApplyOptions['sets']): Promise<void> {
    const live = steps.filter((s) => s.ops.length);
    const netlink = this.#o.netlink;
    if (!netlink?.applyInOrder || live.length < 2) {
      for (const s of live) await this.apply(s, sets);
      return;
    }
    try {
      await netlink.applyInOrder(live.map((s) => s.ops), { family: 'ip', table: this.#o.table, sets });
      this.#o.metrics.netlinkTransactions.value += live.length;
    } catch (e) {
      if (!(e instanceof SequenceFailed)) throw e;
      this.#o.metrics.netlinkTransactions.value += e.done;
      this.#netlinkFailed(e.cause);
      await this.#nft(live[e.done].text);
      for (const s of live.slice(e.done + 1)) await this.apply(s, sets);
    }
  }

  async apply(step: Step, sets: ApplyOptions['sets']): Promise<void> {
    if (this.#o.netlink) {
      try {
        await this.#o.netlink.apply(step.ops, { family: 'ip', table: this.#o.table, sets });
        this.#o.metrics.netlinkTransactions.value++;
        return;
      } catch (e) {
        this.#netlinkFailed(e);
      }
    }
    await this.#nft(step.text);
  }

  /**
   * Chains and sets the table has now; none when it does not exist yet. Names only, in one nft call:
   * `list chains` and `-t list sets/maps` take ≈0.1 s at 10,000 Services, where `-t list table`
   * (every rule) takes ≈0.9 s. They list every table of the family: only ours is kept.
   */
  async listExisting(): Promise<ReturnType<typeof listedNames>> {
    const { stdout } = await this.#o.runner.run('nft', ['-t', '-f', '-'], { input: 'list chains ip\nlist sets ip\nlist maps ip\n', ...this.#inNetns() });
    return listedNames(stdout, { family: 'ip', name: this.#o.table });
  }

  /** Nothing of a failed batch took effect: nft gets the same transaction, and names the line if it fails too. */
  #netlinkFailed(e: unknown): void {
    if (!(e instanceof NlUnsupported)) this.#o.log?.(`proxy: netlink transaction failed, retrying with nft: ${(e as Error).message}`);
  }

  async #nft(text: () => string): Promise<void> {
    this.#o.metrics.nftTransactions.value++;
    // Through the runner rather than Nft.apply: a cold start of a large table can take longer than the
    // adapter's default 30 s timeout.
    try {
      await this.#o.runner.run('nft', ['-f', '-'], { input: text(), timeoutMs: this.#o.nftTimeoutMs ?? 300_000, ...this.#inNetns() });
    } catch (e) {
      throw e instanceof CommandError ? new NftError('RulesetRejected', e.message, { cause: e, stderr: e.stderr }) : e;
    }
  }

  #inNetns(): { netns?: string } {
    return this.#o.netns === undefined ? {} : { netns: this.#o.netns };
  }
}
