import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyRuleset, goto, jump, rule, verdict, vmap } from './model.ts';
import type { Ruleset } from './model.ts';
import { diffScript, fullSyncScript } from './transaction.ts';

const T = 'ip skiff-t-proxy';

function table(chains: Record<string, string[]>, elements: [string, number, string][] = []): Ruleset {
  const r = emptyRuleset('ip', 'skiff-t-proxy');
  r.chains.set('nat-prerouting', { name: 'nat-prerouting', base: { type: 'nat', hook: 'prerouting', priority: -100 }, rules: [rule([vmap(['ip daddr', 'meta l4proto', 'th dport'], 'service-ips')])] });
  for (const [name, targets] of Object.entries(chains)) r.chains.set(name, { name, comment: 'ns/a', rules: targets.map((t) => rule([verdict(jump(t))])) });
  r.sets.set('service-ips', { name: 'service-ips', kind: 'map', keyType: 'ipv4_addr . inet_proto . inet_service', valueType: 'verdict' });
  r.sets.set('affinity-a', { name: 'affinity-a', kind: 'set', keyType: 'ipv4_addr', flags: ['dynamic', 'timeout'] });
  r.elements.set('service-ips', elements.map(([ip, port, chain]) => ({ key: [ip, 'tcp', port], value: goto(chain) })));
  return r;
}

describe('fullSyncScript', () => {
  it('declares, flushes and refills every chain and static set in place, keeping dynamic sets', () => {
    const { prelude, script, flushedChains } = fullSyncScript(table({ 'svc-a': ['ep-1'], 'ep-1': [] }, [['10.0.0.1', 80, 'svc-a']]), {
      existing: { chains: ['nat-prerouting', 'svc-a', 'ep-1', 'svc-old'], sets: [{ name: 'service-ips', kind: 'map' }, { name: 'affinity-a', kind: 'set' }] },
    });
    assert.equal(prelude, '');
    assert.deepEqual(script.split('\n').filter(Boolean), [
      `add table ${T}`,
      `add chain ${T} nat-prerouting { type nat hook prerouting priority -100; policy accept; }`,
      `add chain ${T} svc-a { comment "ns/a"; }`,
      `add chain ${T} ep-1 { comment "ns/a"; }`,
      `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }`,
      `add set ${T} affinity-a { type ipv4_addr; flags dynamic,timeout; }`,
      `flush chain ${T} nat-prerouting`,
      `flush chain ${T} svc-a`,
      `flush chain ${T} ep-1`,
      `flush map ${T} service-ips`,
      `flush chain ${T} svc-old`,
      `add rule ${T} nat-prerouting ip daddr . meta l4proto . th dport vmap @service-ips`,
      `add rule ${T} svc-a jump ep-1`,
      `add element ${T} service-ips { 10.0.0.1 . tcp . 80 : goto svc-a }`,
    ]);
    assert.deepEqual(flushedChains, ['svc-old']);
  });

  it('declares what the table lacks in a prelude of its own, and fills it in the main transaction', () => {
    const { prelude, script } = fullSyncScript(table({ 'svc-a': [] }), { existing: { chains: ['nat-prerouting'], sets: [{ name: 'service-ips', kind: 'map' }] } });
    assert.deepEqual(prelude.split('\n').filter(Boolean), [`add table ${T}`, `add chain ${T} svc-a { comment "ns/a"; }`, `add set ${T} affinity-a { type ipv4_addr; flags dynamic,timeout; }`]);
    assert.doesNotMatch(script, /add chain ip skiff-t-proxy svc-a|flush chain ip skiff-t-proxy svc-a/);
    assert.match(script, /flush chain ip skiff-t-proxy nat-prerouting/);
  });

  it('re-creates the table in the same transaction on the recovery path', () => {
    const { script } = fullSyncScript(table({}), { isRecreate: true });
    assert.deepEqual(script.split('\n').slice(0, 3), [`add table ${T}`, `delete table ${T}`, `add table ${T}`]);
    assert.doesNotMatch(script, /flush/);
  });

  it('deletes chains flushed by an earlier transaction, last', () => {
    const { script } = fullSyncScript(table({}), { existing: { chains: ['gone'], sets: [] }, deleteChains: ['gone'], deleteSets: [{ name: 'rr', kind: 'map' }] });
    assert.deepEqual(script.trim().split('\n').slice(-2), [`delete chain ${T} gone`, `delete map ${T} rr`]);
  });
});

describe('diffScript', () => {
  it('sends nothing when nothing changed', () => {
    const t = table({ 'svc-a': ['ep-1'], 'ep-1': [] }, [['10.0.0.1', 80, 'svc-a']]);
    assert.equal(diffScript(t, table({ 'svc-a': ['ep-1'], 'ep-1': [] }, [['10.0.0.1', 80, 'svc-a']]))!.script, '');
  });

  it('adds new chains, refills changed ones, flushes removed ones, and swaps changed map elements', () => {
    const prev = table({ 'svc-a': ['ep-1'], 'ep-1': [], 'svc-b': ['ep-2'], 'ep-2': [] }, [['10.0.0.1', 80, 'svc-a'], ['10.0.0.2', 80, 'svc-b']]);
    const next = table({ 'svc-a': ['ep-1', 'ep-3'], 'ep-1': [], 'ep-3': [], 'svc-c': [] }, [['10.0.0.1', 80, 'svc-a'], ['10.0.0.2', 80, 'svc-c']]);
    const plan = diffScript(prev, next)!;
    assert.deepEqual(plan.script.split('\n').filter(Boolean), [
      `add chain ${T} ep-3 { comment "ns/a"; }`,
      `add chain ${T} svc-c { comment "ns/a"; }`,
      `flush chain ${T} svc-a`,
      `flush chain ${T} svc-b`,
      `flush chain ${T} ep-2`,
      `delete element ${T} service-ips { 10.0.0.2 . tcp . 80 }`,
      `add rule ${T} svc-a jump ep-1`,
      `add rule ${T} svc-a jump ep-3`,
      `add element ${T} service-ips { 10.0.0.2 . tcp . 80 : goto svc-c }`,
    ]);
    assert.deepEqual(plan.flushedChains, ['svc-b', 'ep-2']);
  });

  it('deletes previously flushed chains only when asked, and never one that came back', () => {
    const t = table({ back: [] });
    assert.equal(diffScript(t, t, { deleteChains: ['old', 'back'] })!.script, `delete chain ${T} old\n`);
  });

  it('gives up (full sync needed) when a base chain or a set declaration changes', () => {
    const prev = table({});
    const next = table({});
    next.chains.get('nat-prerouting')!.base!.priority = -99;
    assert.equal(diffScript(prev, next), undefined);
    const next2 = table({});
    next2.sets.set('service-ips', { ...next2.sets.get('service-ips')!, comment: 'new' });
    assert.equal(diffScript(prev, next2), undefined);
  });

  it('leaves the elements of dynamic sets to the kernel', () => {
    const prev = table({});
    const next = table({});
    next.elements.set('affinity-a', [{ key: '10.9.9.9' }]);
    assert.equal(diffScript(prev, next)!.script, '');
  });
});
