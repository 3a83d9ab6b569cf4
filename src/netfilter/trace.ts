// A packet tracer over the model: pushes the first packet of a flow through the table's base chains in
// hook and priority order, as the kernel would, and says where it ends. Pure; no kernel, no root.
import { ipInRange, isIpv4 } from '../lib/ipv4.ts';
import type { Chain, ElementValue, Field, Hook, Literal, Operand, Rule, Ruleset, Stmt, Verdict } from './model.ts';
import { renderElement, renderStmt } from './render.ts';

export interface Packet {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'sctp';
  dport: number;
  sport?: number;
  iifname?: string;
  oifname?: string;
}

/** What persists between traces, as in the kernel: numgen counters per rule, dynamic sets, a clock. */
export class TraceState {
  readonly numgen = new Map<string, number>();
  /** set name → key text → expiry (seconds on `nowSeconds`'s clock). */
  readonly dynamicSets = new Map<string, Map<string, number>>();
  nowSeconds = 0;
}

export interface TraceOptions {
  /** The addresses of the machine the table runs on: input vs forward, and `fib … type local`. */
  localAddresses: readonly string[];
  /** The packet leaves a local process (output hook) instead of arriving on an interface. */
  isLocallyGenerated?: boolean;
  state?: TraceState;
}

export interface TraceResult {
  verdict: 'accept' | 'drop' | 'reject';
  /** The flow's destination after DNAT, when it was DNATed. */
  dnat?: { addr: string; port: number };
  isMasqueraded: boolean;
  /** For an accepted packet: delivered to this machine, or routed on. */
  isLocalDelivery: boolean;
  /** Every chain entered, in order. */
  path: string[];
}

export class TraceError extends Error {
  override name = 'TraceError';
  readonly code = 'Unsupported';
}

type Outcome = 'next' | 'return' | 'accept' | 'drop' | 'reject' | { jump: string } | { goto: string };

export function tracePacket(ruleset: Ruleset, packet: Packet, options: TraceOptions): TraceResult {
  return new Tracer(ruleset, packet, options).run();
}

class Tracer {
  #r: Ruleset;
  #p: Packet;
  #o: TraceOptions;
  #state: TraceState;
  #mark = 0;
  #result: TraceResult = { verdict: 'accept', isMasqueraded: false, isLocalDelivery: false, path: [] };

  constructor(r: Ruleset, p: Packet, o: TraceOptions) {
    this.#r = r;
    this.#p = { ...p };
    this.#o = o;
    this.#state = o.state ?? new TraceState();
  }

  run(): TraceResult {
    const first: Hook[] = this.#o.isLocallyGenerated ? ['output'] : ['prerouting'];
    for (const hook of first) if (!this.#hook(hook)) return this.#result;
    const isLocal = this.#isLocal(this.#p.dst);
    this.#result.isLocalDelivery = isLocal && !this.#o.isLocallyGenerated;
    const rest: Hook[] = this.#o.isLocallyGenerated ? ['postrouting'] : isLocal ? ['input'] : ['forward', 'postrouting'];
    for (const hook of rest) if (!this.#hook(hook)) return this.#result;
    return this.#result;
  }

  /** Runs every base chain on `hook` by priority; false once the packet is dropped or rejected. */
  #hook(hook: Hook): boolean {
    const chains = [...this.#r.chains.values()].filter((c) => c.base?.hook === hook).sort((a, b) => a.base!.priority - b.base!.priority);
    for (const c of chains) {
      let out = this.#chain(c, 0);
      if (out === 'return') out = c.base!.policy ?? 'accept';
      if (out === 'drop' || out === 'reject') {
        this.#result.verdict = out;
        return false;
      }
    }
    return true;
  }

  #chain(c: Chain, depth: number): 'return' | 'accept' | 'drop' | 'reject' {
    if (depth > 32) throw new TraceError(`chain depth exceeded at ${c.name}`);
    this.#result.path.push(c.name);
    for (let i = 0; i < c.rules.length; i++) {
      const out = this.#rule(c.rules[i], `${c.name}#${i}`);
      if (out === 'next') continue;
      if (typeof out === 'string') return out;
      const target = this.#r.chains.get('jump' in out ? out.jump : out.goto);
      if (!target) throw new TraceError(`no chain ${'jump' in out ? out.jump : out.goto}`);
      const sub = this.#chain(target, depth + 1);
      if (sub !== 'return') return sub;
      if ('goto' in out) return 'return';
    }
    return 'return';
  }

  #rule(rule: Rule, id: string): Outcome {
    for (const s of rule.stmts) {
      const out = this.#stmt(s, id);
      if (out !== undefined) return out;
    }
    return 'next';
  }

  /** undefined: go on with the rule's next statement. */
  #stmt(s: Stmt, id: string): Outcome | undefined {
    switch (s.kind) {
      case 'match': {
        const hit = this.#matches(s.field, s.value);
        return hit === (s.op === '==') ? undefined : 'next';
      }
      case 'mark-match':
        return ((this.#mark & s.mask) === s.value) === (s.op === '==') ? undefined : 'next';
      case 'counter':
        return undefined;
      case 'verdict':
        return outcome(s.verdict);
      case 'reject':
        return 'reject';
      case 'vmap': {
        const v = typeof s.map === 'string' ? this.#lookup(s.map, this.#values(s.key)) : s.map.find(([k]) => keyMatches(k, this.#values(s.key)))?.[1];
        return v ? outcome(v) : 'next';
      }
      case 'numgen-vmap':
        return outcome(s.targets[this.#numgen(id) % s.targets.length]);
      case 'numgen-map': {
        const v = this.#lookup(s.map, [this.#numgen(id) % s.mod]);
        return v ? outcome(v) : 'next';
      }
      case 'dnat-map': {
        const v = this.#lookup(s.map, [(this.#numgen(id) % s.mod) + s.offset]);
        if (v?.kind !== 'addr-port') return 'next';
        return this.#stmt({ kind: 'dnat', addr: v.addr, port: v.port }, id);
      }
      case 'dnat':
        this.#p.dst = s.addr;
        if (s.port !== undefined) this.#p.dport = s.port;
        this.#result.dnat = { addr: s.addr, port: this.#p.dport };
        return 'accept';
      case 'masquerade':
        this.#result.isMasqueraded = true;
        return 'accept';
      case 'mark-set':
        this.#mark = s.op === 'set' ? s.value : s.op === 'or' ? this.#mark | s.value : this.#mark ^ s.value;
        return undefined;
      case 'set-update': {
        const set = this.#state.dynamicSets.get(s.set) ?? new Map<string, number>();
        this.#state.dynamicSets.set(s.set, set);
        set.set(keyOf(this.#values(s.key)), this.#state.nowSeconds + (s.timeoutSeconds ?? Infinity));
        return undefined;
      }
      case 'raw':
        throw new TraceError(`cannot trace raw statement: ${renderStmt(s)}`);
    }
  }

  /** `numgen inc` of rule `id`: its counter, then counted up (as the kernel keeps one per expression). */
  #numgen(id: string): number {
    const n = this.#state.numgen.get(id) ?? 0;
    this.#state.numgen.set(id, n + 1);
    return n;
  }

  #values(f: Field | readonly Field[]): Literal[] {
    return (typeof f === 'string' ? [f] : f).map((x) => this.#field(x));
  }

  #field(f: Field): Literal {
    const p = this.#p;
    switch (f) {
      case 'ip saddr': return p.src;
      case 'ip daddr': return p.dst;
      case 'meta l4proto': return p.proto;
      case 'th dport': return p.dport;
      case 'th sport': return p.sport ?? 0;
      case 'ct state': return 'new';
      case 'fib saddr type': return this.#isLocal(p.src) ? 'local' : 'unicast';
      case 'fib daddr type': return this.#isLocal(p.dst) ? 'local' : 'unicast';
      case 'iifname': return p.iifname ?? '';
      case 'oifname': return p.oifname ?? '';
    }
  }

  #matches(f: Field | readonly Field[], value: Operand): boolean {
    const actual = this.#values(f);
    if (typeof value === 'object' && !Array.isArray(value)) return this.#inSet((value as { set: string }).set, actual);
    if (Array.isArray(value)) return value.some((v) => keyMatches(v, actual));
    return keyMatches(value as Literal, actual);
  }

  #inSet(name: string, actual: Literal[]): boolean {
    const dynamic = this.#state.dynamicSets.get(name);
    if (this.#r.sets.get(name)?.flags?.includes('dynamic')) return (dynamic?.get(keyOf(actual)) ?? -Infinity) > this.#state.nowSeconds;
    return (this.#r.elements.get(name) ?? []).some((e) => keyMatches(e.key, actual));
  }

  #lookup(map: string, actual: Literal[]): ElementValue | undefined {
    if (!this.#r.sets.has(map)) throw new TraceError(`no map ${map}`);
    return (this.#r.elements.get(map) ?? []).find((e) => keyMatches(e.key, actual))?.value;
  }

  #isLocal(ip: string): boolean {
    return ipInRange(ip, '127.0.0.0/8') || this.#o.localAddresses.includes(ip);
  }
}

function outcome(v: ElementValue): Outcome {
  if (v.kind === 'addr-port') throw new TraceError(`a data map's value ${v.addr} . ${v.port} used as a verdict`);
  if (v.kind === 'jump') return { jump: v.chain };
  if (v.kind === 'goto') return { goto: v.chain };
  if (v.kind === 'continue') return 'next';
  return v.kind;
}

const keyOf = (values: Literal[]) => renderElement({ key: values });

/** One key (maybe a concatenation) against the packet's values: addresses match CIDRs, numbers ranges. */
function keyMatches(key: Literal | readonly Literal[], actual: Literal[]): boolean {
  const parts = typeof key === 'object' ? key : [key];
  return parts.length === actual.length && parts.every((k, i) => partMatches(k, actual[i]));
}

function partMatches(k: Literal, v: Literal): boolean {
  if (typeof k === 'string' && typeof v === 'string' && k.includes('/') && isIpv4(v)) return ipInRange(v, k);
  if (typeof k === 'string' && typeof v === 'number' && /^\d+-\d+$/.test(k)) {
    const [lo, hi] = k.split('-').map(Number);
    return v >= lo && v <= hi;
  }
  return String(k) === String(v);
}
