// Random churn through partial syncs, checked against a simulated kernel table: the commands the
// proxier sends (as its netlink writer would get them) are applied to a model of nf_tables that refuses
// what the kernel refuses (a missing chain or set, an element that is not there, a key added twice with
// another value). After every sync the simulated table must hold what `applied()` says, and the slot
// runs and the hairpin set must be consistent. A fixed seed keeps failures reproducible.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../api/types.ts';
import type { Ruleset } from '../netfilter/model.ts';
import { renderElement, renderRule } from '../netfilter/render.ts';
import type { NftOp } from '../netfilter/transaction.ts';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import { SETS } from './render-base.ts';
import { SLOT_MAP_PREFIX } from './endpoint-slots.ts';
import { Proxier } from './proxier.ts';
import { NODE, OPTIONS, slice, svc } from './test-fixtures.ts';
import type { Ep } from './test-fixtures.ts';

class SimTable {
  chains = new Map<string, string[]>();
  sets = new Map<string, Map<string, string>>();

  apply(ops: readonly NftOp[]): void {
    const chains = new Map([...this.chains].map(([k, v]) => [k, [...v]]));
    const sets = new Map([...this.sets].map(([k, v]) => [k, new Map(v)]));
    const chain = (name: string) => chains.get(name) ?? fail(`no chain ${name}`);
    const set = (name: string) => sets.get(name) ?? fail(`no set ${name}`);
    for (const op of ops) {
      switch (op.op) {
        case 'add-table':
          break;
        case 'delete-table':
          chains.clear();
          sets.clear();
          break;
        case 'add-chain':
          if (!chains.has(op.chain.name)) chains.set(op.chain.name, []);
          break;
        case 'flush-chain':
          chain(op.name).length = 0;
          break;
        case 'delete-chain':
          if (chain(op.name).length) fail(`delete of non-empty chain ${op.name}`);
          chains.delete(op.name);
          break;
        case 'add-set':
          if (!sets.has(op.set.name)) sets.set(op.set.name, new Map());
          break;
        case 'flush-set':
          set(op.name).clear();
          break;
        case 'delete-set':
          set(op.name);
          sets.delete(op.name);
          break;
        case 'add-rule':
          chain(op.chain).push(renderRule(op.rule));
          break;
        case 'add-elements':
          for (const e of op.elements) {
            const key = renderElement({ key: e.key });
            const value = renderElement({ key: 0, ...(e.value ? { value: e.value } : {}) });
            const had = set(op.set).get(key);
            if (had !== undefined && had !== value) fail(`${op.set}: ${key} exists with another value`);
            set(op.set).set(key, value);
          }
          break;
        case 'delete-elements':
          for (const e of op.elements) if (!set(op.set).delete(renderElement({ key: e.key }))) fail(`${op.set}: no element ${renderElement({ key: e.key })}`);
          break;
      }
    }
    // All or nothing, as a batch.
    this.chains = chains;
    this.sets = sets;
  }
}

function fail(message: string): never {
  throw new Error(`simulated kernel refuses: ${message}`);
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkAgainst(sim: SimTable, applied: Ruleset): void {
  for (const [name, c] of applied.chains) assert.deepEqual(sim.chains.get(name), c.rules.map(renderRule), `chain ${name}`);
  for (const [name, rules] of sim.chains) if (!applied.chains.has(name)) assert.deepEqual(rules, [], `a chain no longer wanted (${name}) is empty`);
  for (const [name, decl] of applied.sets) {
    if (decl.flags?.includes('dynamic')) continue;
    const want = new Map((applied.elements.get(name) ?? []).map((e) => [renderElement({ key: e.key }), renderElement({ key: 0, ...(e.value ? { value: e.value } : {}) })]));
    assert.deepEqual(new Map([...(sim.sets.get(name) ?? new Map())].sort()), new Map([...want].sort()), `elements of ${name}`);
  }
  for (const [name, els] of sim.sets) if (!applied.sets.has(name)) assert.equal(els.size, 0, `a set no longer wanted (${name}) is empty`);
}

/** Every chain's round robin reads endpoints from slots nobody else uses, and every slot is some chain's. */
function checkSlots(applied: Ruleset): void {
  const owner = new Map<string, string>();
  for (const c of applied.chains.values()) {
    for (const r of c.rules) {
      for (const s of r.stmts) {
        if (s.kind !== 'dnat-map') continue;
        for (let i = 0; i < s.mod; i++) {
          const slot: string = `${s.map} ${s.offset + i}`;
          assert.equal(owner.get(slot), undefined, `slot ${slot} of ${c.name} is also ${owner.get(slot)}'s`);
          owner.set(slot, c.name);
          const e = (applied.elements.get(s.map) ?? []).find((x) => x.key === s.offset + i);
          assert.ok(e?.value?.kind === 'addr-port', `slot ${slot} of ${c.name} holds an endpoint`);
        }
      }
    }
  }
  for (const [map, els] of applied.elements) if (map.startsWith(SLOT_MAP_PREFIX)) for (const e of els) assert.ok(owner.has(`${map} ${String(e.key)}`), `slot ${map} ${String(e.key)} belongs to a chain`);
}

it('keeps the kernel table equal to its model through random churn of partial syncs', async () => {
  const rand = random(20261122);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const runner = new FakeCommandRunner();
  runner.on('nft -t -f -', { stdout: '' });
  const sim = new SimTable();
  const netlink = {
    apply: async (ops: readonly NftOp[]) => sim.apply(ops),
    applyInOrder: async (steps: readonly (readonly NftOp[])[]) => {
      for (const ops of steps) sim.apply(ops);
    },
  };
  let now = 1_000_000;
  const proxier = new Proxier({ ...OPTIONS, runner, now: () => now, staleDeleteDelayMs: 1000, netlink });
  proxier.isServicesSynced = proxier.isEndpointSlicesSynced = true;

  // A small address pool, so endpoints are shared between Services (hairpin refcounts) and come back.
  const pool = Array.from({ length: 12 }, (_, i) => `198.18.224.${10 + i}`);
  const services = new Map<string, [Service, EndpointSlice]>();
  const make = (name: string, ip: number): [Service, EndpointSlice] => {
    const kind = rand();
    const spec = kind < 0.15 ? { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 30 } } } : kind < 0.3 ? { internalTrafficPolicy: 'Local' as const } : {};
    const eps: Ep[] = Array.from({ length: Math.floor(rand() * 7) }, () => ({ ip: pick(pool), node: rand() < 0.7 ? NODE : 'node-2', ready: rand() < 0.8 }));
    return [svc('default', name, { clusterIP: `198.19.208.${ip}`, ...spec, ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'alt', port: 81, protocol: 'TCP' }] }), slice('default', name, [{ name: 'http', port: 9376 }, { name: 'alt', port: 9377 }], eps)];
  };
  for (let step = 0; step < 300; step++) {
    for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
      const name = `s${Math.floor(rand() * 16)}`;
      const old = services.get(name);
      if (old && rand() < 0.25) {
        proxier.services.update(old[0], undefined);
        proxier.endpointSlices.update(old[1], undefined);
        services.delete(name);
        continue;
      }
      const next = make(name, 10 + Number(name.slice(1)));
      proxier.services.update(old?.[0], next[0]);
      proxier.endpointSlices.update(old?.[1], next[1]);
      services.set(name, next);
    }
    now += 400;
    const result = await proxier.sync();
    assert.equal(result.kind, step === 0 ? 'full' : 'partial', `step ${step}`);
    const applied = proxier.applied();
    checkAgainst(sim, applied);
    checkSlots(applied);
    // The hairpin set: this node's addresses among the endpoints in use, nothing else.
    const hairpin = new Set((applied.elements.get(SETS.hairpin) ?? []).map((e) => String((e.key as readonly unknown[])[0])));
    for (const ip of hairpin) assert.ok([...services.values()].some(([, sl]) => sl.endpoints!.some((e) => e.addresses[0] === ip && e.nodeName === NODE)), `hairpin ${ip} is a local endpoint`);
  }
});
