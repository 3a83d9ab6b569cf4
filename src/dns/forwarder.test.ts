// The forwarder against tiny DNS servers on 127.0.0.1 (sockets are the subject; nothing leaves the machine).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RR_TYPE } from './dns-constants.ts';
import { startFakeUpstream } from './fake-upstream.ts';
import type { FakeUpstream } from './fake-upstream.ts';
import { ForwardError, Forwarder } from './forwarder.ts';
import { decodeMessage } from './message-decoder.ts';
import { parseServer } from './upstream-config.ts';

const RECORDS = [{ name: 'www.example.test', ttl: 60, type: 'A' as const, address: '192.0.2.1' }];
let good: FakeUpstream;
let truncating: FakeUpstream;
let silent: FakeUpstream;

before(async () => {
  good = await startFakeUpstream({ records: RECORDS, zone: 'example.test' });
  truncating = await startFakeUpstream({ records: RECORDS, zone: 'example.test', isTruncatingUdp: true });
  silent = await startFakeUpstream({ records: RECORDS, isSilent: true });
});

after(async () => {
  await Promise.all([good.close(), truncating.close(), silent.close()]);
});

const Q = { name: 'www.example.test', type: RR_TYPE.A, class: 1 };

describe('forwarder', () => {
  it('asks over UDP and returns the upstream answer', async () => {
    const f = new Forwarder();
    const m = decodeMessage(await f.resolve([parseServer(good.server)], Q));
    assert.deepEqual(m.answer.map((r) => r.type === 'A' && r.address), ['192.0.2.1']);
    f.close();
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const f = new Forwarder();
    const m = decodeMessage(await f.resolve([parseServer(truncating.server)], Q));
    assert.equal(m.answer.length, 1);
    f.close();
  });

  it('fails over to the next server when one does not answer in time', async () => {
    const f = new Forwarder({ timeoutMs: 150 });
    const before = good.queries.length;
    const m = decodeMessage(await f.resolve([parseServer(silent.server), parseServer(good.server)], Q));
    assert.equal(m.answer.length, 1);
    assert.equal(good.queries.length, before + 1);
    await assert.rejects(f.resolve([parseServer(silent.server)], { ...Q, name: 'x.example.test' }), (e) => e instanceof ForwardError && e.code === 'DNS_UPSTREAM_TIMEOUT');
    f.close();
  });

  it('coalesces identical questions in flight and refuses past its concurrency limit', async () => {
    const f = new Forwarder({ timeoutMs: 300, maxConcurrent: 2 });
    const s = [parseServer(silent.server)];
    const before = silent.queries.length;
    const a = f.resolve(s, { ...Q, name: 'a.test' });
    const a2 = f.resolve(s, { ...Q, name: 'a.test' });
    assert.equal(a, a2);
    const b = f.resolve(s, { ...Q, name: 'b.test' });
    await assert.rejects(f.resolve(s, { ...Q, name: 'c.test' }), (e) => e instanceof ForwardError && e.code === 'DNS_UPSTREAM_BUSY');
    await Promise.allSettled([a, b]);
    assert.deepEqual(silent.queries.slice(before), ['A a.test', 'A b.test'], 'the duplicate question was never sent');
    assert.equal(f.inFlight, 0);
    f.close();
  });
});
