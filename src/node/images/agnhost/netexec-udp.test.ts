import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUdpAddresses, udpReply } from './netexec-udp.ts';

describe('netexec UDP commands', () => {
  const cases: Array<[string, string | undefined]> = [
    ['hostname', 'pod-a'],
    ['  HostName\n', 'pod-a'],
    ['echo hi there', 'hi there'],
    ['ECHO MiXeD', 'mixed'], // upstream lower-cases the whole datagram before answering
    ['clientip', '10.0.0.7:40000'],
    ['what', undefined],
    ['', undefined],
  ];
  for (const [payload, want] of cases) {
    it(`answers ${JSON.stringify(payload)} with ${JSON.stringify(want)}`, () => {
      assert.equal(udpReply(payload, '10.0.0.7:40000', 'pod-a'), want);
    });
  }
});

describe('--udp-listen-addresses', () => {
  it('means the wildcard address when empty', () => {
    assert.deepEqual(parseUdpAddresses(''), ['']);
  });
  it('deduplicates and sorts a list of IPs', () => {
    assert.deepEqual(parseUdpAddresses('127.0.0.2,127.0.0.1,127.0.0.2'), ['127.0.0.1', '127.0.0.2']);
  });
  it('rejects a non-IP', () => {
    assert.throws(() => parseUdpAddresses('127.0.0.1,nope'), /invalid address nope/);
  });
});
