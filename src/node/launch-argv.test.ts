import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SETUP, WRAPPER, execArgv, launchArgv, shellQuote } from './launch-argv.ts';
import type { LaunchPlan } from './launch-argv.ts';

const plan: LaunchPlan = {
  argv: ['/agnhost', 'netexec'], env: [['A', '1'], ['B', 'x y']], workingDir: '/srv', netns: 'skiff-t-pod-u1', hostname: 'web',
  templateDir: '/d/rootfs/template', fstab: '/d/run/fstab', cgroupDir: '/cg/skiff/t/u1/app', rootDir: '/d/run/root', pidFile: '/d/run/pid', exitFile: '/d/run/exit',
};

describe('launchArgv', () => {
  it('wraps the command: cgroup + exit file, pod netns, private mount and UTS namespaces, then the setup script', () => {
    const { argv, env } = launchArgv(plan);
    assert.deepEqual(argv.slice(0, 4), ['/bin/sh', '-c', WRAPPER, 'skiff-container']);
    assert.deepEqual(argv.slice(4, 16), ['nsenter', '--net=/run/netns/skiff-t-pod-u1', '--', 'unshare', '--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', SETUP]);
    assert.deepEqual(argv.slice(16), ['skiff-setup', 'A=1', 'B=x y', '/agnhost', 'netexec']);
    assert.equal(env.SKIFF_HOSTNAME, 'web');
    assert.equal(env.SKIFF_WORKDIR, '/srv');
    assert.equal(env.SKIFF_CGROUP, '/cg/skiff/t/u1/app');
    assert.equal(env.SKIFF_FSTAB, '/d/run/fstab');
  });

  it('stays in the agent netns and UTS namespace for host-network pods', () => {
    const { argv, env } = launchArgv({ ...plan, netns: undefined, hostname: undefined });
    assert.equal(argv.includes('nsenter'), false);
    assert.equal(argv.includes('--uts'), false);
    assert.equal(env.SKIFF_HOSTNAME, undefined);
  });

  it('execs nothing outside a chroot and records the pid before exec', () => {
    assert.match(SETUP, /echo \$\$ > "\$SKIFF_PIDFILE"\nexec chroot "\$SKIFF_ROOT" \/usr\/bin\/env -i -C "\$SKIFF_WORKDIR" -- "\$@"/);
    assert.match(WRAPPER, /cgroup\.procs/);
  });

  it('refuses an empty command and bad variable names', () => {
    assert.throws(() => launchArgv({ ...plan, argv: [] }), /needs a command/);
    assert.throws(() => launchArgv({ ...plan, env: [['A=B', '1']] }), /bad environment variable name/);
  });
});

describe('execArgv', () => {
  it('enters the container namespaces, root and working directory with its environment, inside its cgroup', () => {
    const { argv, env } = execArgv({ pid: 42, cgroupDir: '/cg/x', env: [['A', '1']], argv: ['sh', '-c', 'id'], hasUts: true });
    assert.deepEqual(argv.slice(4), ['nsenter', '--target=42', '--mount', '--net', '--uts', '--root', '--wd', '--', '/usr/bin/env', '-i', '--', 'A=1', 'sh', '-c', 'id']);
    assert.equal(env.SKIFF_CGROUP, '/cg/x');
  });

  it('runs the command under `script` with a quoted command line and TERM=xterm for a tty', () => {
    const { argv, env } = execArgv({ pid: 42, cgroupDir: '/cg/x', env: [['A', "it's"]], argv: ['sh', '-c', 'tty; echo $A'], hasUts: false, isTty: true });
    assert.deepEqual(argv.slice(4, 11), ['nsenter', '--target=42', '--mount', '--net', '--root', '--wd', '--']);
    assert.deepEqual(argv.slice(11, 13), ['/usr/bin/script', '-qfec']);
    assert.equal(argv[13], `'/usr/bin/env' '-i' '--' 'A=it'\\''s' 'TERM=xterm' 'sh' '-c' 'tty; echo $A'`);
    assert.equal(argv[14], '/dev/null');
    assert.equal(env.SHELL, '/bin/sh');
    const kept = execArgv({ pid: 1, cgroupDir: '/cg', env: [['TERM', 'vt100']], argv: ['true'], hasUts: false, isTty: true });
    assert.doesNotMatch(kept.argv[13], /xterm/);
  });

  it('quotes words so that sh gives them back unchanged', () => {
    const words = ['a b', "it's", '$HOME', '`x`', '"q"', '\\', ''];
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${shellQuote(words)}`], { encoding: 'utf8' });
    assert.deepEqual(out.split('\n').slice(0, -1), words);
  });
});
