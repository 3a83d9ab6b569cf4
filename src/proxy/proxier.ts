// One sync: take the trackers' changes, render, and apply one nft transaction — the whole table on the
// first sync and after any failure, otherwise only the Services that changed. Then flush stale UDP
// conntrack entries. Not re-entrant: the sync runner calls it.
import { countElements, countRules, emptyRuleset, mergeInto } from '../netfilter/model.ts';
import type { Ruleset } from '../netfilter/model.ts';
import { diffScript, fullSyncScript } from '../netfilter/transaction.ts';
import type { SetRefByKind, SyncScript } from '../netfilter/transaction.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Conntrack } from '../platform/linux/conntrack.ts';
import type { ConntrackFilter } from '../platform/linux/conntrack.ts';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './change-tracker.ts';
import { staleUdpFlows } from './conntrack-cleanup.ts';
import { ProxyMetrics } from './metrics.ts';
import { keyPolicy, renderBase, slotMapDecl } from './render-base.ts';
import type { RenderOptions } from './render-base.ts';
import { assemble, assembleClaimed, declareSlotMaps } from './render-ruleset.ts';
import type { ProxyState } from './render-ruleset.ts';
import { renderServicePart } from './render-service.ts';
import { EndpointSlots } from './endpoint-slots.ts';
import { ServiceClaims } from './service-claims.ts';
import { TableWriter } from './table-writer.ts';
import type { OpsApplier } from './table-writer.ts';

export type { OpsApplier } from './table-writer.ts';

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
  #claims = new ServiceClaims();
  #writer: TableWriter;
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
    const { runner, netns, netlink, nftTimeoutMs, log } = options;
    this.#writer = new TableWriter({ table: options.tableName, runner, metrics: this.metrics, ...(netns === undefined ? {} : { netns }), ...(netlink ? { netlink } : {}), ...(nftTimeoutMs === undefined ? {} : { nftTimeoutMs }), ...(log ? { log } : {}) });
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
    const changed = new Set([...svc.keys(), ...eps.keys(), ...this.#claims.losers]);
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
    this.#slots = new EndpointSlots();
    const ctx = { ...this.#o, slots: this.#slots };
    const parts = new Map<string, Ruleset>();
    for (const key of [...state.services.keys()].sort()) parts.set(key, this.#claims.claim(key, renderServicePart(state.services.get(key)!, state.endpoints.get(key), ctx), this.#o.log));
    this.#base = declareSlotMaps(renderBase(this.#o), this.#slots.takeNewMaps());
    const ruleset = assembleClaimed(this.#base, parts.values());
    for (const [set, els] of this.#claims.shared()) ruleset.elements.set(set, els);
    const due = this.#dueDeletes();
    const existing = isRecreate ? undefined : await this.#writer.listExisting();
    const plan = fullSyncScript(ruleset, { existing, isRecreate, deleteChains: due.chains, deleteSets: due.sets });
    const sets = (name: string) => ruleset.sets.get(name);
    await this.#writer.applyInOrder([{ ops: plan.preludeOps, text: () => plan.prelude }, { ops: plan.ops, text: () => plan.script }], sets);
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
    for (const key of changed) this.#claims.release(key, this.#parts.get(key));
    for (const key of [...changed].sort()) {
      const old = this.#parts.get(key);
      if (old) mergeInto(prev, old);
      const ports = state.services.get(key);
      const part = ports ? this.#claims.claim(key, renderServicePart(ports, state.endpoints.get(key), ctx), this.#o.log) : undefined;
      if (part) mergeInto(next, part);
      parts.set(key, part);
      const kept = new Set(part ? slotOwners(part) : []);
      for (const owner of old ? slotOwners(old) : []) if (!kept.has(owner)) this.#slots.release(owner);
    }
    // A shared key is added with its first holder and deleted with its last, whichever Services changed.
    const shared = this.#claims.takeSharedChanges();
    for (const r of [prev, next]) for (const set of [...r.elements.keys()]) if (keyPolicy(set) === 'shared') r.elements.delete(set);
    for (const [set, els] of shared.prev) prev.elements.set(set, els);
    for (const [set, els] of shared.next) next.elements.set(set, els);
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
    if (plan.ops.length) await this.#writer.apply({ ops: plan.ops, text: () => plan.script }, (name) => next.sets.get(name) ?? this.#base.sets.get(name) ?? prev.sets.get(name));
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
