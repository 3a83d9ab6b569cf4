import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL, decodeChannelMessage, encodeChannel, errorStatusMessage, exitStatusMessage } from './channel-protocol.ts';
import { ContainerNotFoundError } from './runtime.ts';

const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';

describe('channel.k8s.io framing', () => {
  it('prefixes the payload with the channel byte', () => {
    assert.deepEqual([...encodeChannel(CHANNEL.stdout, 'hi')], [1, 0x68, 0x69]);
    assert.deepEqual([...encodeChannel(CHANNEL.error, Buffer.alloc(0))], [3]);
  });

  const cases: { name: string; message: number[] | string; protocol: string; want: unknown }[] = [
    { name: 'stdin data', message: [0, 0x61, 0x62], protocol: V5, want: { type: 'stdin', data: Buffer.from('ab') } },
    { name: 'an empty keep-alive message', message: [], protocol: V5, want: undefined },
    { name: 'v5 close of stdin', message: [255, 0], protocol: V5, want: { type: 'close', channel: 0 } },
    { name: 'channel 255 under v4 (no close channel there)', message: [255, 0], protocol: V4, want: { type: 'ignored', channel: 255 } },
    { name: 'a malformed close', message: [255, 0, 1], protocol: V5, want: { type: 'ignored', channel: 255 } },
    { name: 'a resize with client-go\'s trailing newline', message: '\x04{"Width":120,"Height":40}\n', protocol: V5, want: { type: 'resize', width: 120, height: 40 } },
    { name: 'two resizes in one message (last wins)', message: '\x04{"Width":1,"Height":2}\n{"Width":3,"Height":4}\n', protocol: V4, want: { type: 'resize', width: 3, height: 4 } },
    { name: 'a garbled resize', message: '\x04{nope', protocol: V5, want: { type: 'ignored', channel: 4 } },
    { name: 'data on a server-to-client channel', message: [1, 0x61], protocol: V5, want: { type: 'ignored', channel: 1 } },
  ];
  for (const c of cases) {
    it(`decodes ${c.name}`, () => {
      const message = typeof c.message === 'string' ? Buffer.from(c.message, 'latin1') : Buffer.from(c.message);
      assert.deepEqual(decodeChannelMessage(message, c.protocol), c.want);
    });
  }
});

describe('status on the error channel', () => {
  it('reports success for exit code 0', () => {
    assert.deepEqual(exitStatusMessage({ exitCode: 0 }), { metadata: {}, status: 'Success' });
  });

  it('reports NonZeroExitCode with the code as an ExitCode cause', () => {
    const s = exitStatusMessage({ exitCode: 3 }) as { status: string; reason: string; message: string; details: { causes: { reason: string; message: string }[] } };
    assert.equal(s.status, 'Failure');
    assert.equal(s.reason, 'NonZeroExitCode');
    assert.deepEqual(s.details.causes, [{ reason: 'ExitCode', message: '3' }]);
    assert.match(s.message, /exit status 3/);
  });

  it('maps death by signal to 128 + the signal number, as shells do', () => {
    const s = exitStatusMessage({ signal: 'SIGKILL' }) as { details: { causes: { message: string }[] } };
    assert.equal(s.details.causes[0].message, '137');
  });

  it('turns a missing container into NotFound and other failures into InternalError', () => {
    assert.equal(errorStatusMessage(new ContainerNotFoundError('container "x" not found')).reason, 'NotFound');
    assert.equal(errorStatusMessage(new Error('runtime exploded')).reason, 'InternalError');
    assert.equal(errorStatusMessage(new Error('runtime exploded')).message, 'runtime exploded');
  });
});
