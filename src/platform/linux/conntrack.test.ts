import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCommandRunner } from './command-fake.ts';
import { Conntrack, ConntrackError, conntrackDeleteArgs } from './conntrack.ts';

describe('Conntrack', () => {
  it('deletes UDP flows to an address inside a netns and returns the count', async () => {
    const f = new FakeCommandRunner().on('conntrack -D', { stderr: 'conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.\n' });
    assert.equal(await new Conntrack(f).deleteFlows({ protocol: 'udp', origDst: '198.19.0.10' }, { netns: 'skiff-a-node-1' }), 3);
    assert.deepEqual(f.lines(), ['[netns skiff-a-node-1] conntrack -D -p udp --orig-dst 198.19.0.10']);
  });

  it('treats "0 flow entries" (exit 1) as nothing to do', async () => {
    const f = new FakeCommandRunner().on('conntrack', { exitCode: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n' });
    assert.equal(await new Conntrack(f).deleteFlows({ protocol: 'udp', replySrc: '198.18.128.5' }), 0);
  });

  it('reports any other failure', async () => {
    const f = new FakeCommandRunner().on('conntrack', { exitCode: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): Operation failed: invalid parameters\n' });
    await assert.rejects(new Conntrack(f).deleteFlows({ origDst: '198.19.0.10' }), (e: unknown) => e instanceof ConntrackError && e.code === 'ConntrackFailed' && e.stderr.includes('invalid parameters'));
  });

  it('builds filters and refuses to delete every flow', () => {
    assert.deepEqual(conntrackDeleteArgs({ protocol: 'tcp', origSrc: '198.18.0.1', origDst: '198.19.0.1', origDstPort: 443 }), ['-D', '-p', 'tcp', '--orig-src', '198.18.0.1', '--orig-dst', '198.19.0.1', '--dport', '443']);
    assert.throws(() => conntrackDeleteArgs({}), ConntrackError);
    assert.throws(() => conntrackDeleteArgs({ origDstPort: 53 }), ConntrackError);
  });
});
