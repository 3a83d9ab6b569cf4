// Transactions written straight over netlink: the commands of one sync encoded as one nf_tables
// batch and handed to the kernel through the relay (platform/linux/netlink.ts). All or nothing, like
// `nft -f`. Commands the encoder does not know throw `NlUnsupported` before anything is sent.
import { NetlinkError, NetlinkSocket, describeError, ensureRelayBinary, kernelErrors } from '../platform/linux/netlink.ts';
import type { SetDecl, TableFamily } from './model.ts';
import { encodeBatch } from './nl-encode.ts';
import type { NftOp } from './transaction.ts';

export interface ApplyContext {
  family: TableFamily;
  table: string;
  sets: (name: string) => SetDecl | undefined;
}

export class NetlinkApplier {
  #socket: NetlinkSocket;
  #seq = Math.floor(Date.now() / 1000) & 0x3fffffff;
  readonly timeoutMs: number;

  private constructor(socket: NetlinkSocket, timeoutMs: number) {
    this.#socket = socket;
    this.timeoutMs = timeoutMs;
  }

  /** Undefined (with why) when the relay cannot be built here, e.g. no C compiler: use nft then. */
  static async open(options: { netns?: string; timeoutMs?: number } = {}): Promise<NetlinkApplier | { reason: string }> {
    const binary = await ensureRelayBinary();
    if (binary.path === undefined) return { reason: binary.reason };
    const socket = await NetlinkSocket.open({ binary: binary.path, ...(options.netns === undefined ? {} : { netns: options.netns }) });
    return new NetlinkApplier(socket, options.timeoutMs ?? 300_000);
  }

  async apply(ops: readonly NftOp[], context: ApplyContext): Promise<void> {
    await this.#send(ops, this.#encode(ops, context));
  }

  /**
   * Transactions in order, each sent once the one before it succeeded; each is encoded while the
   * kernel works on the one before. On failure, `SequenceFailed.done` says how many took effect.
   */
  async applyInOrder(steps: readonly (readonly NftOp[])[], context: ApplyContext): Promise<void> {
    let pending: Promise<void> | undefined;
    for (let i = 0; i < steps.length; i++) {
      let batch: ReturnType<typeof encodeBatch>;
      try {
        batch = this.#encode(steps[i], context);
      } catch (e) {
        await settle(pending, i - 1);
        throw new SequenceFailed(i, e);
      }
      await settle(pending, i - 1);
      pending = this.#send(steps[i], batch);
    }
    await settle(pending, steps.length - 1);
  }

  #encode(ops: readonly NftOp[], context: ApplyContext): ReturnType<typeof encodeBatch> {
    const batch = encodeBatch(ops, { ...context, seq: this.#seq });
    this.#seq = (batch.lastSeq + 2) & 0x3fffffff;
    return batch;
  }

  async #send(ops: readonly NftOp[], batch: ReturnType<typeof encodeBatch>): Promise<void> {
    if (!batch.messages) return;
    const replies = await this.#socket.request(batch.buffer, { lastSeq: batch.lastSeq, timeoutMs: this.timeoutMs });
    const errors = kernelErrors(replies);
    if (!errors.length) return;
    const named = errors.map((e) => {
      const i = batch.opOf(e.seq);
      return `${describeError(e)}${i === undefined ? '' : ` at command ${i + 1}: ${describeOp(ops[i])}`}`;
    });
    throw new NetlinkError('Kernel', `kernel rejected the transaction: ${named.join('; ')}`, { errors });
  }

  close(): Promise<void> {
    return this.#socket.close();
  }
}

/** Step `done` of an `applyInOrder` failed (`cause`): the steps before it took effect, none after. */
export class SequenceFailed extends Error {
  override name = 'SequenceFailed';
  readonly done: number;

  constructor(done: number, cause: unknown) {
    super(`transaction ${done + 1} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.done = done;
  }
}

/** Waits for step `index`'s transaction, turning its failure into a `SequenceFailed`. */
async function settle(pending: Promise<void> | undefined, index: number): Promise<void> {
  try {
    await pending;
  } catch (e) {
    throw new SequenceFailed(index, e);
  }
}

function describeOp(op: NftOp): string {
  switch (op.op) {
    case 'add-rule':
      return `add rule to ${op.chain}`;
    case 'add-chain':
      return `add chain ${op.chain.name}`;
    case 'add-set':
      return `add ${op.set.kind} ${op.set.name}`;
    case 'add-elements':
    case 'delete-elements':
      return `${op.op.replace('-', ' ')} of ${op.set}`;
    case 'add-table':
    case 'delete-table':
      return op.op.replace('-', ' ');
    default:
      return `${op.op.replace('-', ' ')} ${op.name}`;
  }
}
