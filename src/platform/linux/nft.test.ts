import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCommandRunner } from './command-fake.ts';
import { Nft, NftError, parseNftJson } from './nft.ts';

const LISTING = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'skiff-proxy', handle: 1 } },
    { chain: { family: 'inet', table: 'skiff-proxy', name: 'nat-prerouting', handle: 1, type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept' } },
    { chain: { family: 'inet', table: 'skiff-proxy', name: 'service-abc', handle: 2 } },
    { map: { family: 'inet', name: 'service-ips', table: 'skiff-proxy', type: ['ipv4_addr'], handle: 3, map: 'verdict', elem: [['198.19.0.10', { goto: { target: 'service-abc' } }]] } },
    { rule: { family: 'inet', table: 'skiff-proxy', chain: 'nat-prerouting', handle: 4, comment: 'services', expr: [{ vmap: {} }] } },
    { table: { family: 'ip', name: 'other', handle: 2 } },
  ],
});

describe('Nft', () => {
  it('applies a ruleset through stdin as one nft -f - transaction, inside a netns', async () => {
    const f = new FakeCommandRunner();
    const text = 'table inet skiff-proxy {}\nflush table inet skiff-proxy\n';
    await new Nft(f).apply(text, { netns: 'skiff-a-node-1' });
    await new Nft(f).apply(text, { isCheckOnly: true });
    assert.deepEqual(f.lines(), ['[netns skiff-a-node-1] nft -f -', 'nft -c -f -']);
    assert.equal(f.calls[0].input, text);
  });

  it('reports a rejected ruleset with nft\'s stderr', async () => {
    const stderr = '/dev/stdin:1:7-10: Error: syntax error, unexpected junk\ntable junk {}\n      ^^^^\n';
    const f = new FakeCommandRunner().on('nft -f -', { exitCode: 1, stderr });
    const e = await new Nft(f).apply('table junk {}').catch((x: unknown) => x);
    assert.ok(e instanceof NftError);
    assert.equal(e.code, 'RulesetRejected');
    assert.equal(e.stderr, stderr);
  });

  it('lists tables by family and name', async () => {
    const f = new FakeCommandRunner().on('nft -j list ruleset', { stdout: LISTING });
    const nft = new Nft(f);
    assert.deepEqual(await nft.listTables(), [{ family: 'inet', name: 'skiff-proxy' }, { family: 'ip', name: 'other' }]);
    assert.equal(await nft.hasTable({ family: 'inet', name: 'skiff-proxy' }), true);
    assert.equal(await nft.hasTable({ family: 'ip', name: 'skiff-proxy' }), false);
  });

  it('deletes a table and tolerates one that is not there', async () => {
    const f = new FakeCommandRunner();
    const nft = new Nft(f);
    assert.equal(await nft.deleteTable({ family: 'inet', name: 'skiff-proxy' }, { netns: 'n' }), true);
    f.on('nft delete table', { exitCode: 1, stderr: 'Error: Could not process rule: No such file or directory\ndelete table inet skiff-proxy\n' });
    assert.equal(await nft.deleteTable({ family: 'inet', name: 'skiff-proxy' }), false);
    assert.deepEqual(f.lines(), ['[netns n] nft delete table inet skiff-proxy', 'nft delete table inet skiff-proxy']);
  });

  it('refuses a table name that is not one word', async () => {
    await assert.rejects(new Nft(new FakeCommandRunner()).deleteTable({ family: 'inet', name: 'a; flush ruleset' }), (e: unknown) => e instanceof NftError && e.code === 'InvalidArgument');
  });
});

describe('parseNftJson', () => {
  it('gives tables, chains, sets/maps and rules', () => {
    const r = parseNftJson(LISTING);
    assert.deepEqual(r.chains[0], { family: 'inet', table: 'skiff-proxy', name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100, policy: 'accept' });
    assert.deepEqual(r.chains[1], { family: 'inet', table: 'skiff-proxy', name: 'service-abc' });
    assert.equal(r.sets[0].kind, 'map');
    assert.equal(r.sets[0].elem.length, 1);
    assert.equal(r.rules[0].comment, 'services');
    assert.equal(r.rules[0].handle, 4);
    assert.equal(r.raw.length, 7);
  });

  it('reads an empty ruleset and rejects garbage', () => {
    assert.deepEqual(parseNftJson('{"nftables": [{"metainfo": {}}]}').tables, []);
    assert.deepEqual(parseNftJson('').tables, []);
    assert.throws(() => parseNftJson('{'), (e: unknown) => e instanceof NftError && e.code === 'BadJson');
  });
});
