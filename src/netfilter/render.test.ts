import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dnat, emptyRuleset, goto, inSet, jump, match, notMatch, numgenVmap, reject, rule, verdict, vmap } from './model.ts';
import type { Stmt } from './model.ts';
import { MAX_COMMENT_BYTES, NetfilterError, renderComment, renderElement, renderName, renderRule, renderRulesetText, renderStmt } from './render.ts';

describe('renderStmt', () => {
  const cases: [Stmt, string][] = [
    [match('ct state', 'new'), 'ct state new'],
    [notMatch('ip saddr', '10.0.0.0/8'), 'ip saddr != 10.0.0.0/8'],
    [notMatch('ip saddr', ['10.0.0.0/8', '192.168.1.0/24']), 'ip saddr != { 10.0.0.0/8, 192.168.1.0/24 }'],
    [inSet('ip daddr', 'cluster-ips'), 'ip daddr @cluster-ips'],
    [vmap(['ip daddr', 'meta l4proto', 'th dport'], 'service-ips'), 'ip daddr . meta l4proto . th dport vmap @service-ips'],
    [{ kind: 'vmap', key: 'th dport', map: [[80, goto('a')], [443, { kind: 'drop' }]] }, 'th dport vmap { 80 : goto a, 443 : drop }'],
    [numgenVmap([goto('e-1'), goto('e-2')]), 'numgen inc mod 2 vmap { 0 : goto e-1, 1 : goto e-2 }'],
    [{ kind: 'numgen-map', mod: 3, map: 'service-X-ns/a/tcp/p' }, 'numgen inc mod 3 vmap @service-X-ns/a/tcp/p'],
    [dnat('10.1.2.3', 8080), 'dnat to 10.1.2.3:8080'],
    [{ kind: 'masquerade', isFullyRandom: true }, 'masquerade fully-random'],
    [{ kind: 'mark-set', op: 'or', value: 0x4000 }, 'meta mark set meta mark or 0x4000'],
    [{ kind: 'mark-match', mask: 0x4000, op: '==', value: 0 }, 'meta mark & 0x4000 == 0'],
    [{ kind: 'set-update', set: 'affinity-x', key: 'ip saddr', timeoutSeconds: 30 }, 'update @affinity-x { ip saddr timeout 30s }'],
    [verdict(jump('mark-for-masquerade')), 'jump mark-for-masquerade'],
    [reject, 'reject'],
  ];
  for (const [stmt, text] of cases) it(`renders ${text}`, () => assert.equal(renderStmt(stmt), text));
});

describe('names and comments', () => {
  it('takes readable chain names as they are and refuses what nft would not read as a name', () => {
    assert.equal(renderName('service-ABCD1234-default/web/tcp/http'), 'service-ABCD1234-default/web/tcp/http');
    assert.equal(renderName('endpoint-X-ns/a/tcp/80__10.0.0.1/80'), 'endpoint-X-ns/a/tcp/80__10.0.0.1/80');
    for (const bad of ['9lives', 'a b', 'x"y', 'a'.repeat(256)]) assert.throws(() => renderName(bad), NetfilterError);
  });

  it('strips double quotes from comments and cuts them to 128 bytes', () => {
    assert.equal(renderComment('say "hi"'), `"say 'hi'"`);
    assert.equal(Buffer.byteLength(renderComment('é'.repeat(200))) - 2 <= MAX_COMMENT_BYTES, true);
  });

  it('renders rules with comments and elements with comments before the value', () => {
    assert.equal(renderRule(rule([match('ct state', 'new'), verdict(jump('x'))], 'why')), 'ct state new jump x comment "why"');
    assert.equal(renderElement({ key: ['10.0.0.1', 'tcp', 80], value: goto('svc'), comment: 'ns/a:http' }), '10.0.0.1 . tcp . 80 comment "ns/a:http" : goto svc');
  });
});

it('renders a table in the nested form, sets before chains', () => {
  const r = emptyRuleset('ip', 'skiff-t-proxy', 'mine');
  r.sets.set('s', { name: 's', kind: 'set', keyType: 'ipv4_addr' });
  r.elements.set('s', [{ key: '10.0.0.1' }, { key: '10.0.0.2' }]);
  r.chains.set('in', { name: 'in', base: { type: 'filter', hook: 'input', priority: 0 }, rules: [rule([inSet('ip saddr', 's'), verdict({ kind: 'drop' })])] });
  assert.equal(
    renderRulesetText(r),
    [
      'table ip skiff-t-proxy {',
      '\tcomment "mine"',
      '',
      '\tset s {',
      '\t\ttype ipv4_addr',
      '\t\telements = { 10.0.0.1,',
      '\t\t\t     10.0.0.2 }',
      '\t}',
      '',
      '\tchain in {',
      '\t\ttype filter hook input priority 0; policy accept;',
      '\t\tip saddr @s drop',
      '\t}',
      '}',
      '',
    ].join('\n'),
  );
});
