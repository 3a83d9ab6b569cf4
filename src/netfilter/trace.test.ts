import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dnat, emptyRuleset, goto, inSet, jump, match, notMatch, numgenVmap, reject, rule, verdict, vmap } from './model.ts';
import type { Ruleset } from './model.ts';
import { TraceError, TraceState, tracePacket } from './trace.ts';

/** A small NAT table: 10.96.0.1:80 round robin over two backends, a drop rule, a reject rule, a mark. */
function table(): Ruleset {
  const r = emptyRuleset('ip', 't');
  r.sets.set('vips', { name: 'vips', kind: 'map', keyType: 'ipv4_addr . inet_proto . inet_service', valueType: 'verdict' });
  r.elements.set('vips', [{ key: ['10.96.0.1', 'tcp', 80], value: goto('svc') }]);
  r.sets.set('blocked', { name: 'blocked', kind: 'set', keyType: 'ipv4_addr', flags: ['interval'] });
  r.elements.set('blocked', [{ key: '192.0.2.0/24' }]);
  const chains = [
    { name: 'pre', base: { type: 'filter' as const, hook: 'prerouting' as const, priority: -110 }, rules: [rule([inSet('ip saddr', 'blocked'), verdict({ kind: 'drop' })])] },
    { name: 'nat-pre', base: { type: 'nat' as const, hook: 'prerouting' as const, priority: -100 }, rules: [rule([vmap(['ip daddr', 'meta l4proto', 'th dport'], 'vips')])] },
    { name: 'nat-out', base: { type: 'nat' as const, hook: 'output' as const, priority: -100 }, rules: [rule([vmap(['ip daddr', 'meta l4proto', 'th dport'], 'vips')])] },
    { name: 'fwd', base: { type: 'filter' as const, hook: 'forward' as const, priority: 0 }, rules: [rule([match('ip daddr', '10.96.0.0/16'), reject])] },
    { name: 'post', base: { type: 'nat' as const, hook: 'postrouting' as const, priority: 100 }, rules: [rule([{ kind: 'mark-match', mask: 1, op: '==', value: 0 }, verdict({ kind: 'return' })]), rule([{ kind: 'masquerade' }])] },
    { name: 'svc', rules: [rule([notMatch('ip saddr', '10.0.0.0/8'), { kind: 'mark-set', op: 'or', value: 1 }]), rule([numgenVmap([goto('ep1'), goto('ep2')])])] },
    { name: 'ep1', rules: [rule([match('meta l4proto', 'tcp'), dnat('10.0.1.1', 8080)])] },
    { name: 'ep2', rules: [rule([verdict(jump('noop'))]), rule([match('meta l4proto', 'tcp'), dnat('10.0.1.2', 8080)])] },
    { name: 'noop', rules: [] },
  ];
  for (const c of chains) r.chains.set(c.name, c);
  return r;
}

const LOCAL = ['10.0.0.5'];

describe('tracePacket', () => {
  it('DNATs through a verdict map and round-robins with a per-rule counter kept in the state', () => {
    const state = new TraceState();
    const got = [0, 1, 2].map(() => tracePacket(table(), { src: '10.0.0.9', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL, state }).dnat);
    assert.deepEqual(got, [{ addr: '10.0.1.1', port: 8080 }, { addr: '10.0.1.2', port: 8080 }, { addr: '10.0.1.1', port: 8080 }]);
  });

  it('records the chains it went through, following jumps and returning from them', () => {
    const state = new TraceState();
    state.numgen.set('svc#1', 1);
    const r = tracePacket(table(), { src: '10.0.0.9', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL, state });
    assert.deepEqual(r.path, ['pre', 'nat-pre', 'svc', 'ep2', 'noop', 'fwd', 'post']);
  });

  it('applies marks and masquerades in postrouting only when marked', () => {
    assert.equal(tracePacket(table(), { src: '172.16.0.1', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL }).isMasqueraded, true);
    assert.equal(tracePacket(table(), { src: '10.0.0.9', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL }).isMasqueraded, false);
  });

  it('drops by interval set membership and rejects what is not DNATed but addressed to the VIP range', () => {
    assert.equal(tracePacket(table(), { src: '192.0.2.7', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL }).verdict, 'drop');
    assert.equal(tracePacket(table(), { src: '10.0.0.9', dst: '10.96.0.1', proto: 'udp', dport: 80 }, { localAddresses: LOCAL }).verdict, 'reject');
  });

  it('delivers locally addressed packets to input, and runs output then postrouting for local processes', () => {
    const r = tracePacket(table(), { src: '10.0.0.9', dst: '10.0.0.5', proto: 'tcp', dport: 22 }, { localAddresses: LOCAL });
    assert.equal(r.isLocalDelivery, true);
    assert.deepEqual(r.path, ['pre', 'nat-pre']);
    const out = tracePacket(table(), { src: '10.0.0.5', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL, isLocallyGenerated: true });
    assert.deepEqual(out.path.slice(0, 2), ['nat-out', 'svc']);
    assert.equal(out.dnat?.port, 8080);
  });

  it('refuses raw statements instead of guessing', () => {
    const r = table();
    r.chains.get('pre')!.rules.unshift(rule([{ kind: 'raw', text: 'meta nfproto ipv4 accept' }]));
    assert.throws(() => tracePacket(r, { src: '10.0.0.9', dst: '10.96.0.1', proto: 'tcp', dport: 80 }, { localAddresses: LOCAL }), TraceError);
  });
});
