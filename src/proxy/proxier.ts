// One sync: take the trackers' changes, render, and apply one nft transaction — the whole table on the
// first sync and after any failure, otherwise only the Services that changed. Then flush stale UDP
// conntrack entries. Not re-entrant: the sync runner calls it.
import { countElements, countRules, emptyRuleset, mergeInto } from '../netfilter/model.ts';
import type { Ruleset } from '../netfilter/model.ts';
import { listedNames } from '../netfilter/listing.ts';
import { renderElement } from '../netfilter/render.ts';
import { diffScript, fullSyncScript } from '../netfilter/transaction.ts';
import type { NftOp, SetRefByKind, SyncScript } from '../netfilter/transaction.ts';
import { NlUnsupported } from '../netfilter/nl-encode.ts';
import { SequenceFailed } from '../netfilter/nl-apply.ts';
import type { SetDecl } from '../netfilter/model.ts';
import { CommandError } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Conntrack } from '../platform/linux/conntrack.ts';
import type { ConntrackFilter } from '../platform/linux/conntrack.ts';
import { NftError } from '../platform/linux/nft.ts';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './change-tracker.ts';
import { staleUdpFlows } from './conntrack-cleanup.ts';
import { ProxyMetrics } from './metrics.ts';
import { SETS, renderBase, slotMapDecl } from './render-base.ts';
import type { RenderOptions } from './render-base.ts';
import { assemble, assembleClaimed, declareSlotMaps } from './render-ruleset.ts';
import type { ProxyState } from './render-ruleset.ts';
import { renderServicePart } from './render-service.ts';
import { EndpointSlots, SLOT_MAP_PREFIX } from './endpoint-slots.ts';

export interface ProxierOptions extends RenderOptions {
  runner: CommandRunner;
  /** Apply inside this network namespace (a proxy running outside its node's netns: tests, tools). */
  netns?: string;
  metrics?: ProxyMetrics;
  now?: () => number;
  log?: (message: string) => void;
  /** How long a flushed chain waits before it is deleted (default 1 s; see README). */
  staleDeleteDelayMs?: number;
  /**
   * Writes transactions over netlink, skipping nft's full-ruleset read (README, "Costs"); what it
   * cannot encode, or a transaction it fails, goes through `nft -f` instead.
   */
  netlink?: OpsApplier;
  /** Longest one `nft -f` may take (default 5 min: a cold start of 10,000 Services takes tens of seconds). */
  nftTimeoutMs?: number;
}

/** Applies a transaction's commands as one atomic batch (see `NetlinkApplier`). */
export interface OpsApplier {
  apply(ops: readonly NftOp[], options: ApplyOptions): Promise<void>;
  /** Transactions in order, each encoded while the kernel works on the one before (see `NetlinkApplier`). */
  applyInOrder?(steps: readonly (readonly NftOp[])[], options: ApplyOptions): Promise<void>;
}

type ApplyOptions = { family: 'ip'; table: string; sets: (name: string) => SetDecl | undefined };

/** One transaction: its commands, and its nft text rendered only if nft is needed. */
interface Step {
  ops: readonly NftOp[];
  text: () => string;
}

export interface SyncResult {
  kind: 'skipped' | 'full' | 'partial';
  /** Services re-rendered. */
  services: number;
  /** Commands sent (nft lines, or netlink messages before elements are batched). */
  commands: number;
  durationMs: number;
  /** Conntrack filters run after the transaction. */
  conntrackFilters: number;
}

export class Proxier {
  readonly services = new ServiceChangeTracker();
  readonly endpointSlices = new EndpointSliceChangeTracker();
  readonly metrics: ProxyMetrics;
  isServicesSynced = false;
  isEndpointSlicesSynced = false;
  #o: ProxierOptions;
  #conntrack: Conntrack;
  #now: () => number;
  #base: Ruleset;
  #parts = new Map<string, Ruleset>();
  #partCounts = { rules: 0, chains: 0, elements: 0 };
  #slots = new EndpointSlots();
  /**
   * Hairpin address → how many times the parts hold it (the `hairpin` set is shared by design). A part
   * is counted in and out with the same element list, so a count is enough.
   */
  #hairpin = new Map<string, number>();
  #claims = new Map<string, string>();
  #losers = new Set<string>();
  #needsFull = true;
  #needsRecreate = false;
  #staleChains = new Map<string, number>();
  /** name → when flushed, and whether it is a set or a map (they are deleted with different words). */
  #staleSets = new Map<string, { at: number; kind: 'set' | 'map' }>();
  #pendingFlows: ConntrackFilter[] = [];
  #lastSuccess?: number;
  /** The last sync fell back to (or was) a full one. */
  #wasFull = false;

  constructor(options: ProxierOptions) {
    this.#o = options;
    this.#conntrack = new Conntrack(options.runner);
    this.#now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new ProxyMetrics();
    this.#base = renderBase(options);
  }

  get isReady(): boolean {
    return this.isServicesSynced && this.isEndpointSlicesSynced;
  }

  get lastSuccessAt(): number | undefined {
    return this.#lastSuccess;
  }

  /** The current desired state (what the next sync programs). */
  state(): ProxyState {
    return { services: this.services.current(), endpoints: this.endpointSlices.current() };
  }

  /** The model of what the last successful sync programmed. */
  applied(): Ruleset {
    return assemble(this.#base, this.#parts.values());
  }

  /** When a flushed chain becomes deletable, if any waits (the runner schedules a sync then). */
  nextDeleteAt(): number | undefined {
    const times = [...this.#staleChains.values(), ...[...this.#staleSets.values()].map((x) => x.at)];
    return times.length ? Math.min(...times) + (this.#o.staleDeleteDelayMs ?? 1000) : undefined;
  }

  requestFullSync(): void {
    this.#needsFull = true;
  }

  async sync(): Promise<SyncResult> {
    const started = this.#now();
    if (!this.isReady) return { kind: 'skipped', services: 0, commands: 0, durationMs: 0, conntrackFilters: 0 };
    const svc = this.services.take();
    const eps = this.endpointSlices.take();
    const state = this.state();
    const triggerTimes: number[] = [];
    for (const key of new Set([...svc.keys(), ...eps.keys()])) {
      const before = { ports: svc.has(key) ? svc.get(key)!.previous : state.services.get(key), endpoints: eps.has(key) ? eps.get(key)!.previous : state.endpoints.get(key) };
      this.#pendingFlows.push(...staleUdpFlows(before, { ports: state.services.get(key), endpoints: state.endpoints.get(key) }));
      triggerTimes.push(...(eps.get(key)?.triggerTimes ?? []));
    }
    const changed = new Set([...svc.keys(), ...eps.keys(), ...this.#losers]);
    let plan: SyncScript;
    try {
      plan = this.#needsFull ? await this.#fullSync(state) : await this.#partialSync(state, changed);
    } catch (e) {
      this.metrics.syncFailures.value++;
      if (this.#wasFull) this.#needsRecreate = true;
      this.#needsFull = true;
      throw e;
    }
    const isFull = this.#wasFull;
    const flows = this.#pendingFlows.splice(0);
    await this.#cleanConntrack(flows);
    const done = this.#now();
    this.#lastSuccess = done;
    const seconds = (done - started) / 1000;
    this.metrics.syncDuration.observe(seconds);
    (isFull ? this.metrics.fullSyncDuration : this.metrics.partialSyncDuration).observe(seconds);
    for (const t of triggerTimes) this.metrics.networkProgramming.observe(Math.max(0, (done - t) / 1000));
    this.metrics.lastSync.value = done / 1000;
    this.#countObjects();
    return { kind: isFull ? 'full' : 'partial', services: isFull ? state.services.size : changed.size, commands: plan.preludeOps.length + plan.ops.length, durationMs: done - started, conntrackFilters: flows.length };
  }

  async #fullSync(state: ProxyState): Promise<SyncScript> {
    this.#wasFull = true;
    const isRecreate = this.#needsRecreate;
    this.#claims.clear();
    this.#losers.clear();
    this.#hairpin.clear();
    this.#slots = new EndpointSlots();
    const ctx = { ...this.#o, slots: this.#slots };
    const parts = new Map<string, Ruleset>();
    for (const key of [...state.services.keys()].sort()) {
      const part = this.#claim(key, renderServicePart(state.services.get(key)!, state.endpoints.get(key), ctx));
      parts.set(key, part);
      this.#holdHairpin(part, 1);
    }
    this.#base = declareSlotMaps(renderBase(this.#o), this.#slots.takeNewMaps());
    const ruleset = assembleClaimed(this.#base, parts.values());
    const due = this.#dueDeletes();
    const existing = isRecreate ? undefined : await this.#listExisting();
    const plan = fullSyncScript(ruleset, { existing, isRecreate, deleteChains: due.chains, deleteSets: due.sets });
    const sets = (name: string) => ruleset.sets.get(name);
    await this.#applyInOrder([{ ops: plan.preludeOps, text: () => plan.prelude }, { ops: plan.ops, text: () => plan.script }], sets);
    this.#parts = parts;
    this.#partCounts = { rules: 0, chains: 0, elements: 0 };
    for (const part of parts.values()) this.#count(part, 1);
    this.#needsFull = false;
    this.#needsRecreate = false;
    if (isRecreate) {
      this.#staleChains.clear();
      this.#staleSets.clear();
    }
    this.#commitStale(plan, due, ruleset);
    return plan;
  }

  async #partialSync(state: ProxyState, changed: Set<string>): Promise<SyncScript> {
    this.#wasFull = false;
    const prev = emptyRuleset('ip', this.#o.tableName);
    const next = emptyRuleset('ip', this.#o.tableName);
    const parts = new Map<string, Ruleset | undefined>();
    const ctx = { ...this.#o, slots: this.#slots };
    const hairpinBefore = new Map<string, boolean>();
    for (const key of changed) this.#release(key);
    for (const key of [...changed].sort()) {
      const old = this.#parts.get(key);
      if (old) mergeInto(prev, old);
      const ports = state.services.get(key);
      const part = ports ? this.#claim(key, renderServicePart(ports, state.endpoints.get(key), ctx)) : undefined;
      if (part) mergeInto(next, part);
      parts.set(key, part);
      const kept = new Set(part ? slotOwners(part) : []);
      for (const owner of old ? slotOwners(old) : []) if (!kept.has(owner)) this.#slots.release(owner);
      for (const p of [old, part]) for (const ip of hairpinOf(p)) if (!hairpinBefore.has(ip)) hairpinBefore.set(ip, this.#hairpin.has(ip));
      if (old) this.#holdHairpin(old, -1);
      if (part) this.#holdHairpin(part, 1);
    }
    // The hairpin set is shared: an address is added when its first holder appears and deleted with its last.
    const pairs = (isAfter: boolean) => [...hairpinBefore].filter(([ip, was]) => (isAfter ? this.#hairpin.has(ip) : was)).map(([ip]) => ({ key: [ip, ip] }));
    prev.elements.set(SETS.hairpin, pairs(false));
    next.elements.set(SETS.hairpin, pairs(true));
    for (const name of this.#slots.takeNewMaps()) {
      next.sets.set(name, slotMapDecl(name));
      this.#base.sets.set(name, slotMapDecl(name));
    }
    const due = this.#dueDeletes();
    const plan = diffScript(prev, next, { deleteChains: due.chains, deleteSets: due.sets });
    if (!plan) {
      this.#needsFull = true;
      this.#needsRecreate = true;
      return this.#fullSync(state);
    }
    if (plan.ops.length) await this.#apply(() => plan.script, plan.ops, (name) => next.sets.get(name) ?? this.#base.sets.get(name) ?? prev.sets.get(name));
    for (const [key, part] of parts) {
      const old = this.#parts.get(key);
      if (old) this.#count(old, -1);
      if (part) this.#count(part, 1);
      if (part) this.#parts.set(key, part);
      else this.#parts.delete(key);
    }
    this.#commitStale(plan, due, next);
    return plan;
  }

  /**
   * Non-empty transactions in order. Over netlink the next is encoded while the kernel applies the one
   * before; from the first that fails there, the rest go one by one (that one through nft).
   */
  async #applyInOrder(steps: readonly Step[], sets: (name: string) => SetDecl | undefined): Promise<void> {
    const live = steps.filter((s) => s.ops.length);
    const netlink = this.#o.netlink;
    if (!netlink?.applyInOrder || live.length < 2) {
      for (const s of live) await this.#apply(s.text, s.ops, sets);
      return;
    }
    try {
      await netlink.applyInOrder(live.map((s) => s.ops), { family: 'ip', table: this.#o.tableName, sets });
      this.metrics.netlinkTransactions.value += live.length;
      return;
    } catch (e) {
      if (!(e instanceof SequenceFailed)) throw e;
      this.metrics.netlinkTransactions.value += e.done;
      this.#netlinkFailed(e.cause);
      await this.#nft(live[e.done].text);
      for (const s of live.slice(e.done + 1)) await this.#apply(s.text, s.ops, sets);
    }
  }

  /** `script`: the same transaction as nft text, rendered only if nft is needed. */
  async #apply(script: () => string, ops: readonly NftOp[], sets: (name: string) => SetDecl | undefined): Promise<void> {
    if (this.#o.netlink) {
      try {
        await this.#o.netlink.apply(ops, { family: 'ip', table: this.#o.tableName, sets });
        this.metrics.netlinkTransactions.value++;
        return;
      } catch (e) {
        this.#netlinkFailed(e);
      }
    }
    await this.#nft(script);
  }

  /** Nothing of a failed batch took effect: nft gets the same transaction, and names the line if it fails too. */
  #netlinkFailed(e: unknown): void {
    if (!(e instanceof NlUnsupported)) this.#o.log?.(`proxy: netlink transaction failed, retrying with nft: ${(e as Error).message}`);
  }

  async #nft(script: () => string): Promise<void> {
    this.metrics.nftTransactions.value++;
    // Through the runner rather than Nft.apply: a cold start of a large table can take longer than the
    // adapter's default 30 s timeout.
    try {
      await this.#o.runner.run('nft', ['-f', '-'], { input: script(), timeoutMs: this.#o.nftTimeoutMs ?? 300_000, ...(this.#o.netns === undefined ? {} : { netns: this.#o.netns }) });
    } catch (e) {
      throw e instanceof CommandError ? new NftError('RulesetRejected', e.message, { cause: e, stderr: e.stderr }) : e;
    }
  }

  /**
   * Chains and sets the table has now; none when it does not exist yet. Names only, in one nft call:
   * `list chains` and `-t list sets/maps` take ≈0.1 s at 10,000 Services, where `-t list table`
   * (every rule) takes ≈0.9 s. They list every table of the family: only ours is kept.
   */
  async #listExisting(): Promise<ReturnType<typeof listedNames>> {
    const { stdout } = await this.#o.runner.run('nft', ['-t', '-f', '-'], { input: 'list chains ip\nlist sets ip\nlist maps ip\n', ...(this.#o.netns === undefined ? {} : { netns: this.#o.netns }) });
    return listedNames(stdout, { family: 'ip', name: this.#o.tableName });
  }

  #holdHairpin(part: Ruleset, delta: 1 | -1): void {
    for (const ip of hairpinOf(part)) {
      const n = (this.#hairpin.get(ip) ?? 0) + delta;
      if (n > 0) this.#hairpin.set(ip, n);
      else this.#hairpin.delete(ip);
    }
  }

  /**
   * Drops elements whose key another Service already holds (that Service keeps it; this one retries
   * later). Slot map keys are unique by construction, and hairpin addresses are shared by design.
   */
  #claim(key: string, part: Ruleset): Ruleset {
    let isLoser = false;
    for (const [set, els] of part.elements) {
      if (set === SETS.hairpin || set.startsWith(SLOT_MAP_PREFIX)) continue;
      const kept = els.filter((e) => {
        const id = `${set} ${renderElement({ key: e.key })}`;
        const holder = this.#claims.get(id);
        if (holder !== undefined && holder !== key) {
          isLoser = true;
          return false;
        }
        this.#claims.set(id, key);
        return true;
      });
      if (kept.length !== els.length) {
        this.#o.log?.(`proxy: ${key} claims a service address another Service already uses; ignored`);
        part.elements.set(set, kept);
      }
    }
    if (isLoser) this.#losers.add(key);
    else this.#losers.delete(key);
    return part;
  }

  #release(key: string): void {
    for (const [id, holder] of this.#claims) if (holder === key) this.#claims.delete(id);
  }

  #dueDeletes(): { chains: string[]; sets: SetRefByKind[] } {
    const limit = this.#now() - (this.#o.staleDeleteDelayMs ?? 1000);
    return {
      chains: [...this.#staleChains].filter(([, t]) => t <= limit).map(([n]) => n),
      sets: [...this.#staleSets].filter(([, x]) => x.at <= limit).map(([name, x]) => ({ name, kind: x.kind })),
    };
  }

  #commitStale(plan: SyncScript, due: { chains: string[]; sets: SetRefByKind[] }, written: Ruleset): void {
    const now = this.#now();
    for (const n of due.chains) this.#staleChains.delete(n);
    for (const x of due.sets) this.#staleSets.delete(x.name);
    for (const n of plan.flushedChains) this.#staleChains.set(n, now);
    for (const x of plan.flushedSets) this.#staleSets.set(x.name, { at: now, kind: x.kind });
    for (const n of written.chains.keys()) this.#staleChains.delete(n);
    for (const n of written.sets.keys()) this.#staleSets.delete(n);
  }

  async #cleanConntrack(flows: ConntrackFilter[]): Promise<void> {
    for (const f of flows) {
      try {
        await this.#conntrack.deleteFlows(f, this.#o.netns === undefined ? {} : { netns: this.#o.netns });
      } catch (e) {
        this.metrics.conntrackFailures.value++;
        this.#o.log?.(`proxy: conntrack cleanup failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Adds (`sign` 1) or removes (-1) a part's objects from the running totals behind the gauges. */
  #count(part: Ruleset, sign: 1 | -1): void {
    this.#partCounts.rules += sign * countRules(part);
    this.#partCounts.chains += sign * part.chains.size;
    this.#partCounts.elements += sign * countElements(part);
  }

  #countObjects(): void {
    this.metrics.rules.value = countRules(this.#base) + this.#partCounts.rules;
    this.metrics.chains.value = this.#base.chains.size + this.#partCounts.chains;
    this.metrics.elements.value = countElements(this.#base) + this.#partCounts.elements;
  }
}

/** The chains of a part that own a run of endpoint slots. */
function slotOwners(part: Ruleset): string[] {
  return [...part.chains.values()].filter((c) => c.rules.some((r) => r.stmts.some((x) => x.kind === 'dnat-map'))).map((c) => c.name);
}

function* hairpinOf(part: Ruleset | undefined): Iterable<string> {
  for (const e of part?.elements.get(SETS.hairpin) ?? []) yield String((e.key as readonly unknown[])[0]);
}
