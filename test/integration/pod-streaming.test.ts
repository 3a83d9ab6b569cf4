// The real kubectl → in-process API server → agent streaming server (with a fake runtime): logs, exec, attach and
// port-forward over the wire protocols kubectl 1.32 speaks (WebSocket v5.channel.k8s.io, SPDY/3.1 in WebSocket).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:https';
import { connect, createServer } from 'node:net';
import type { Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResource } from '../../src/api/resources.ts';
import { isStatusError } from '../../src/api/status.ts';
import { createAgentPodConnector } from '../../src/apiserver/pod-proxy/agent-pod-connector.ts';
import { ensurePki, issueCert } from '../../src/lib/pki.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { FakeStreamingRuntime } from '../../src/node/streaming/fake-runtime.ts';
import { createStreamingServer } from '../../src/node/streaming/streaming-server.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';
import { run } from '../support/skiff-cli.ts';

const nodes = findResource('', 'v1', 'nodes')!;
const pods = findResource('', 'v1', 'pods')!;
const POD_PORT = 8080;

/** A long-running kubectl whose output lines can be awaited. */
function startKubectl(env: NodeJS.ProcessEnv, args: string[]): { child: ChildProcessWithoutNullStreams; output: () => string; waitFor: (re: RegExp) => Promise<RegExpMatchArray> } {
  const child = spawn('kubectl', args, { env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, waitFor: (re) => waitFor(`kubectl output matching ${re} (got ${JSON.stringify(out)})`, () => out.match(re) ?? undefined, { timeoutMs: 20_000 }) };
}

function echoThrough(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
      if (got.length >= payload.length) socket.end();
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.write(payload);
  });
}

describe('kubectl logs, exec, attach and port-forward through the API server to the node agent', () => {
  let c: TestCluster;
  let agent: Server;
  let echo: NetServer;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const runtime = new FakeStreamingRuntime();
  const kubectl = (args: string[], input?: string) => run('kubectl', ['--kubeconfig', c.kubeconfigPath, ...args], { env, input, timeoutMs: 30_000 });

  before(async () => {
    c = await startTestCluster();
    home = mkdtempSync(join(tmpdir(), 'skiff-home-'));
    env = { ...process.env, HOME: home, KUBECONFIG: c.kubeconfigPath };
    const pki = await ensurePki(join(c.dir, 'pki'), { serverHosts: [], serverIPs: ['127.0.0.1'] });
    const ca = { cert: pki.caCert, key: pki.caKey };
    const serving = issueCert(ca, { subject: '/CN=system:node:node-1', usage: 'server', ips: ['127.0.0.1'] });
    const client = issueCert(ca, { subject: '/CN=kube-apiserver-kubelet-client', usage: 'client' });

    echo = createServer((s) => s.on('error', () => s.destroy()).pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    runtime.ports.set(POD_PORT, (echo.address() as { port: number }).port);
    runtime.addContainer('default', 'web-1', { container: 'main', log: 'line one\nline two\nline three\n', main: ['sh', '-c', 'echo attached-output'] });

    agent = createStreamingServer({ runtime, tls: { ...serving, ca: pki.caCert }, authorize: (cn) => cn === 'kube-apiserver-kubelet-client' });
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
    c.server.podConnector = createAgentPodConnector({
      lookupNode: (name) => c.server.registry.get(nodes, undefined, name).catch((e) => (isStatusError(e, 'NotFound') ? undefined : Promise.reject(e))),
      clientCert: client.cert,
      clientKey: client.key,
      ca: pki.caCert,
    });

    const node = await c.client.create(nodes, { metadata: { name: 'node-1' } });
    await c.client.updateStatus(nodes, {
      ...node,
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-1' }], daemonEndpoints: { kubeletEndpoint: { Port: (agent.address() as { port: number }).port } } },
    });
    for (const [name, nodeName] of [['web-1', 'node-1'], ['lost-1', 'node-gone']]) {
      const pod = await c.client.create(pods, { metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'main', image: 'busybox' }] } });
      await c.client.updateStatus(pods, { ...pod, status: { phase: 'Running', podIP: '198.18.128.9' } });
    }
  });

  after(async () => {
    agent?.closeAllConnections();
    await new Promise((r) => agent?.close(r));
    await new Promise((r) => echo?.close(r));
    await c?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the container log, and only the last lines with --tail', async () => {
    const all = await kubectl(['logs', 'web-1']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, 'line one\nline two\nline three\n');
    const tail = await kubectl(['logs', 'web-1', '--tail=2']);
    assert.equal(tail.stdout, 'line two\nline three\n');
  });

  it('passes --timestamps, --since and --limit-bytes on to the agent', async () => {
    const stamped = await kubectl(['logs', 'web-1', '--timestamps', '--tail=1']);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line three\n$/);
    const limited = await kubectl(['logs', 'web-1', '--limit-bytes=7']);
    assert.equal(limited.stdout, 'line on');
    const recent = await kubectl(['logs', 'web-1', '--since=1h', '--tail=1']);
    assert.equal(recent.stdout, 'line three\n');
  });

  it('follows the log with -f: a line appended later arrives while the stream stays open', async () => {
    const follow = startKubectl(env, ['logs', '-f', 'web-1']);
    try {
      await follow.waitFor(/line three\n/);
      runtime.appendLog('default', 'web-1', { container: 'main', line: 'line four, appended' });
      await follow.waitFor(/line four, appended\n/);
      assert.equal(follow.child.exitCode, null);
      assert.equal(runtime.followers('default', 'web-1', 'main'), 1);
    } finally {
      follow.child.kill();
    }
    await waitFor('the agent to release the follow stream', () => runtime.followers('default', 'web-1', 'main') === 0);
  });

  it('runs a command with exec: stdout, stderr, and the exit code kubectl exits with', async () => {
    const r = await kubectl(['exec', 'web-1', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err$/m);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(r.code, 3);
    assert.deepEqual(runtime.execs.at(-1), { namespace: 'default', pod: 'web-1', container: 'main', command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  });

  it('streams a large output completely', async () => {
    const r = await kubectl(['exec', 'web-1', '--', 'sh', '-c', 'seq 1 300000']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.length, 300_001);
    assert.equal(lines[299_999], '300000');
  });

  it('passes stdin through exec -i until EOF', async () => {
    const input = 'hello through stdin\n'.repeat(2000);
    const r = await kubectl(['exec', '-i', 'web-1', '--', 'cat'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, input);
  });

  it('attaches to the main process and returns when it ends', async () => {
    const r = await kubectl(['attach', 'web-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /attached-output/);
  });

  it('forwards a local port to the pod, for two connections in turn', async () => {
    const pf = startKubectl(env, ['port-forward', 'pod/web-1', `:${POD_PORT}`]);
    try {
      const [, port] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) -> 8080/);
      assert.equal(await echoThrough(Number(port), 'first connection bytes'), 'first connection bytes');
      const big = 'x'.repeat(200_000);
      assert.equal(await echoThrough(Number(port), big), big);
      await pf.waitFor(new RegExp(`Handling connection for ${port}\\n[\\s\\S]*Handling connection for ${port}\\n`));
      assert.equal(pf.child.exitCode, null, pf.output());
      await waitFor('both pod-side connections to close', () => new Promise<boolean>((r) => echo.getConnections((_e, n) => r(n === 0))));
    } finally {
      pf.child.kill();
    }
  });

  it('answers a clear error when the pod\'s node is gone', async () => {
    const r = await kubectl(['logs', 'lost-1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /node "node-gone" not found/);
    const e = await kubectl(['exec', 'lost-1', '--', 'true']);
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /node "node-gone" not found/);
  });
});
