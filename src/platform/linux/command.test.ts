import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandError, ExecFileRunner, assertNetnsName, inNetns, netnsPath } from './command.ts';
import { FakeCommandRunner, line } from './command-fake.ts';

describe('ExecFileRunner', () => {
  const runner = new ExecFileRunner();

  it('returns stdout and stderr of a command that succeeds', async () => {
    const r = await runner.run('sh', ['-c', 'echo out; echo err >&2']);
    assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n' });
  });

  it('writes input to stdin', async () => {
    assert.equal((await runner.run('cat', [], { input: 'table inet x {}\n' })).stdout, 'table inet x {}\n');
  });

  it('adds env to its own environment', async () => {
    const r = await runner.run('sh', ['-c', 'echo "$CNI_COMMAND:$HOME_SET"'], { env: { CNI_COMMAND: 'ADD', HOME_SET: 'yes' } });
    assert.equal(r.stdout, 'ADD:yes\n');
  });

  it('rejects a failing command with a CommandError carrying its exit code and stderr', async () => {
    const e = await runner.run('sh', ['-c', 'echo partial; echo "RTNETLINK answers: File exists" >&2; exit 2']).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.equal(e.code, 'CommandFailed');
    assert.equal(e.exitCode, 2);
    assert.equal(e.stderr, 'RTNETLINK answers: File exists\n');
    assert.equal(e.stdout, 'partial\n');
    assert.match(e.message, /^sh -c .*: RTNETLINK answers: File exists$/);
  });

  it('says CommandNotFound for a missing binary', async () => {
    const e = await runner.run('/nonexistent/skiff-tool', []).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.equal(e.code, 'CommandNotFound');
  });

  it('kills a command that outlives its timeout', async () => {
    const started = Date.now();
    const e = await runner.run('sleep', ['5'], { timeoutMs: 100 }).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.equal(e.code, 'CommandTimedOut');
    assert.ok(Date.now() - started < 3000);
  });

  it('does not fail when the command ignores its stdin', async () => {
    assert.equal((await runner.run('true', [], { input: 'x'.repeat(1 << 20) })).stdout, '');
  });
});

describe('netns names', () => {
  it('runs a command in a netns through nsenter', () => {
    assert.deepEqual(inNetns('skiff-a-node-1', 'sysctl', ['-w', 'net.ipv4.ip_forward=1']), {
      cmd: 'nsenter',
      args: ['--net=/run/netns/skiff-a-node-1', '--', 'sysctl', '-w', 'net.ipv4.ip_forward=1'],
    });
    assert.equal(netnsPath('x'), '/run/netns/x');
  });

  it('refuses names that would escape /run/netns', () => {
    for (const bad of ['', '..', '../etc', 'a/b', '-n', 'a b']) {
      assert.throws(() => assertNetnsName(bad), (e: unknown) => e instanceof CommandError && e.code === 'InvalidArgument', bad);
    }
  });
});

describe('FakeCommandRunner', () => {
  it('records calls and answers with the newest matching rule', async () => {
    const f = new FakeCommandRunner();
    f.on('ip ', { stdout: 'general' }).on('ip -j netns', { stdout: '[]' });
    assert.equal((await f.run('ip', ['-j', 'netns', 'list'])).stdout, '[]');
    assert.equal((await f.run('ip', ['link'])).stdout, 'general');
    assert.equal((await f.run('nft', ['-f', '-'], { input: 'x', netns: 'n1' })).stdout, '');
    assert.deepEqual(f.lines(), ['ip -j netns list', 'ip link', '[netns n1] nft -f -']);
    assert.equal(f.calls[2].input, 'x');
  });

  it('rejects with a CommandError when the reply has a non-zero exit code', async () => {
    const f = new FakeCommandRunner().on('ip link delete', { exitCode: 1, stderr: 'Cannot find device "x"' });
    const e = await f.run('ip', ['link', 'delete', 'x']).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.equal(e.stderr, 'Cannot find device "x"');
    assert.equal(line(f.calls[0]), 'ip link delete x');
  });
});
