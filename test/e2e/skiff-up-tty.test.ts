// `kubectl exec -it` (a terminal in the container) against `skiff up --nodes 1`. kubectl wants a terminal of its
// own for -t, so it runs under util-linux `script` here too. Test-only plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { shellQuote } from '../../src/node/launch-argv.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = ['--cluster-name', 'tty1', '--bridge', 'sktty1', '--underlay-cidr', '198.18.74.0/24', '--cluster-cidr', '198.18.176.0/20', '--service-cidr', '198.19.176.0/20', '--lb-pool', '198.18.75.0/24', '--dns-upstream', 'none', '--nodes', '1'];
const POD = 'term';

interface PodView {
  status: { conditions?: { type: string; status: string }[] };
}

const MANIFEST = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: POD },
  spec: { containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', command: ['/agnhost', 'netexec', '--http-port=8080'] }] },
});

describe('kubectl exec -it against skiff up', () => {
  const c = new SkiffCluster();
  const pod = async (): Promise<PodView> => JSON.parse(await c.kubectl('get', 'pod', POD, '-o', 'json'));

  /** `kubectl exec -it POD -- argv` under a local terminal of `cols`×`rows`; its output and exit status. */
  const execTty = (argv: string[], size = { cols: 80, rows: 24 }): Promise<{ code: number | null; out: string }> => new Promise((resolve) => {
    const line = `stty cols ${size.cols} rows ${size.rows}; exec ${shellQuote(['kubectl', 'exec', '-it', POD, '--', ...argv])}`;
    const child = spawn('script', ['-qec', line, '/dev/null'], { env: { ...c.env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, out });
    });
  });

  before(async () => {
    const r = await c.skiff('up', '--port', '0', ...PLAN);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const applied = await c.kubectlResult(['apply', '-f', '-'], MANIFEST);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('the pod to be Ready', async () => {
      const p = await pod();
      return p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  });
  after(async () => c.destroy());

  it('runs the command on a pseudo-terminal, with stderr merged into it', async () => {
    const r = await execTty(['sh', '-c', 'tty; echo oops >&2; [ -t 0 ] && [ -t 1 ] && echo "done $TERM"']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /\/dev\/pts\/\d+\r?\n/);
    assert.match(r.out, /oops/);
    assert.match(r.out, /done xterm/);
  });

  it('propagates the exit status through the terminal', async () => {
    const r = await execTty(['sh', '-c', 'echo before-exit; exit 5']);
    assert.match(r.out, /before-exit/);
    assert.equal(r.code, 5, r.out);
  });

  it('gives the remote terminal the size of the local one (resize)', async () => {
    const r = await execTty(['sh', '-c', 'sleep 1; stty size'], { cols: 123, rows: 45 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^45 123\r?$/m);
  });

  it('without -t keeps plain pipes (no terminal)', async () => {
    const r = await c.kubectlResult(['exec', POD, '--', 'sh', '-c', 'tty; exit 0']);
    assert.match(r.stdout, /not a tty/);
  });

  it('leaves no namespace, link or process after skiff down', async () => {
    const r = await c.skiff('down');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('skiff-tty1-')), []);
    assert.doesNotMatch(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }), /sktty1|sk-tty1/);
    assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), new RegExp(`${c.dataDir}.*agent|skiff-tty1`));
  });
});
