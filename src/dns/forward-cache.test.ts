// Names outside the zone go to upstreams through a cache that honours positive and negative TTLs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RR_TYPE } from './dns-constants.ts';
import { decodeMessage } from './message-decoder.ts';
import { encodeQuery } from './query.ts';
import { ask, fixtureHandler } from './test-fixtures.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('forwarding with a cache', () => {
  it('asks the upstream once, then answers from the cache with TTLs counting down until they expire', async () => {
    const c = clock();
    const f = fixtureHandler({ now: c.now });
    const first = await ask(f.handler, 'www.example.test.', 'A');
    assert.deepEqual(first.answer, ['www.example.test. 300 IN A 192.0.2.53']);
    assert.ok(!first.flags.includes('aa'));
    assert.ok(first.flags.includes('ra'));
    c.t += 120_500;
    assert.deepEqual((await ask(f.handler, 'WWW.example.test', 'A')).answer, ['www.example.test. 180 IN A 192.0.2.53']);
    assert.equal(f.resolver.asked.length, 1);
    assert.equal(f.metrics.cacheHits.value({ cache: 'forward' }), 1);
    c.t += 180_000;
    await ask(f.handler, 'www.example.test.', 'A');
    assert.equal(f.resolver.asked.length, 2, 'asked again once the TTL ran out');
  });

  it('caches NXDOMAIN and NODATA for the SOA\'s negative TTL (RFC 2308)', async () => {
    const c = clock();
    const f = fixtureHandler({ now: c.now });
    const nx = await ask(f.handler, 'missing.example.test.', 'A');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.match(nx.authority[0], /^example\.test\. 30 IN SOA /);
    await ask(f.handler, 'www.example.test.', 'TXT');
    c.t += 29_000;
    assert.equal((await ask(f.handler, 'missing.example.test.', 'A')).rcode, 'NXDOMAIN');
    assert.equal((await ask(f.handler, 'www.example.test.', 'TXT')).rcode, 'NOERROR');
    assert.equal(f.resolver.asked.length, 2);
    c.t += 1_000;
    await ask(f.handler, 'missing.example.test.', 'A');
    assert.equal(f.resolver.asked.length, 3);
  });

  it('gives each client its own ID and spelling of the question from a cached answer', async () => {
    const f = fixtureHandler();
    await ask(f.handler, 'alias.example.test.', 'A');
    const reply = (await f.handler.handle(encodeQuery('ALIAS.Example.TEST', RR_TYPE.A, { id: 31337 }), { proto: 'udp' }))!;
    assert.equal(reply.readUInt16BE(0), 31337);
    assert.ok(reply.includes(Buffer.from('\x05ALIAS\x07Example\x04TEST\x00', 'latin1')));
    const m = decodeMessage(reply);
    assert.deepEqual(m.answer.map((r) => r.type), ['CNAME', 'A']);
  });

  it('answers SERVFAIL when the upstream fails and REFUSED when too many questions are in flight', async () => {
    const f = fixtureHandler();
    f.resolver.resolve = async () => {
      throw new Error('boom');
    };
    assert.equal((await ask(f.handler, 'www.example.test.', 'A')).rcode, 'SERVFAIL');
    const { ForwardError } = await import('./forwarder.ts');
    f.resolver.resolve = async () => {
      throw new ForwardError('DNS_UPSTREAM_BUSY', 'busy');
    };
    assert.equal((await ask(f.handler, 'other.example.test.', 'A')).rcode, 'REFUSED');
  });

  it('sends stub-domain names to the stub servers', async () => {
    const seen: string[] = [];
    const f = fixtureHandler({ upstreams: { upstreams: [{ address: '127.0.0.1', port: 1 }], stubDomains: [{ domain: 'corp.test', servers: [{ address: '127.0.0.1', port: 2 }] }] } });
    const original = f.resolver.resolve;
    f.resolver.resolve = (servers, q) => {
      seen.push(`${q.name} → ${(servers as { port: number }[])[0].port}`);
      return original(servers, q);
    };
    await ask(f.handler, 'x.corp.test.', 'A');
    await ask(f.handler, 'x.example.test.', 'A');
    assert.deepEqual(seen, ['x.corp.test → 2', 'x.example.test → 1']);
  });
});
