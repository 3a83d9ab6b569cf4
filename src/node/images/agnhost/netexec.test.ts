import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../../lib/wait.ts';
import { type AgnhostProcess, freePort, httpGet, startAgnhost, udpRequest, waitForHttp, waitForUdp } from './agnhost-harness.ts';

async function startNetexec(hostname: string, extra: string[] = []): Promise<{ proc: AgnhostProcess; httpPort: number; udpPort: number; base: string }> {
  const httpPort = await freePort();
  const udpPort = await freePort();
  const proc = startAgnhost(['netexec', `--http-port=${httpPort}`, '--udp-port', String(udpPort), ...extra], { HOSTNAME: hostname });
  const base = `http://127.0.0.1:${httpPort}`;
  await waitForHttp(`${base}/hostname`);
  return { proc, httpPort, udpPort, base };
}

describe('agnhost netexec', () => {
  let a: Awaited<ReturnType<typeof startNetexec>>;
  let b: Awaited<ReturnType<typeof startNetexec>>;
  before(async () => {
    [a, b] = await Promise.all([startNetexec('pod-a'), startNetexec('pod-b')]);
  });
  after(async () => {
    await Promise.all([a?.proc.stop(), b?.proc.stop()]);
  });

  it('answers / with the current time', async () => {
    const r = await httpGet(`${a.base}/`);
    assert.equal(r.status, 200);
    assert.match(r.body, /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}$/);
    assert.match((await httpGet(`${a.base}/no-such-endpoint`)).body, /^NOW: /, 'unknown paths fall through to /');
  });

  it('serves the pod hostname on /hostname and /hostName', async () => {
    assert.equal((await httpGet(`${a.base}/hostname`)).body, 'pod-a');
    assert.equal((await httpGet(`${b.base}/hostName`)).body, 'pod-b');
  });

  it('reports the client address it saw on /clientip', async () => {
    const r = await httpGet(`${a.base}/clientip`);
    assert.equal(r.body, `127.0.0.1:${r.localPort}`);
  });

  it('echoes msg with an optional status code on /echo', async () => {
    const plain = await httpGet(`${a.base}/echo?msg=hello%20world`);
    assert.equal(plain.status, 200);
    assert.equal(plain.body, 'hello world');
    const coded = await httpGet(`${a.base}/echo?msg=teapot&code=418`);
    assert.equal(coded.status, 418);
    assert.equal(coded.body, 'teapot');
    const noContent = await httpGet(`${a.base}/echo?msg=dropped&code=204`);
    assert.deepEqual([noContent.status, noContent.body, noContent.headers['content-length']], [204, '', undefined]);
    assert.equal((await httpGet(`${a.base}/echo?code=abc`)).body, 'argument \'code\' must be an integer or empty, got "abc"\n');
  });

  it('returns one header or all of them on /header', async () => {
    assert.equal((await httpGet(`${a.base}/header?key=X-Forwarded-For`, { 'x-forwarded-for': '10.1.2.3' })).body, '10.1.2.3');
    const all = JSON.parse((await httpGet(`${a.base}/header`, { 'x-test': 'v' })).body) as Record<string, string[]>;
    assert.deepEqual(all['X-Test'], ['v']);
    assert.equal(all.Host, undefined);
  });

  it('runs /bin/sh -c on /shell and reports output and failure', async () => {
    assert.deepEqual(JSON.parse((await httpGet(`${a.base}/shell?shellCommand=${encodeURIComponent('echo $((6*7))')}`)).body), { output: '42\n' });
    const failed = JSON.parse((await httpGet(`${a.base}/shell?cmd=${encodeURIComponent('echo oops >&2; exit 3')}`)).body);
    assert.deepEqual(failed, { output: 'oops\n', error: 'exit status 3' });
  });

  it('dials another netexec over HTTP and UDP on /dial', async () => {
    const viaHttp = await httpGet(`${a.base}/dial?request=hostname&host=127.0.0.1&port=${b.httpPort}&protocol=http&tries=3`);
    assert.equal(viaHttp.status, 200);
    assert.deepEqual(JSON.parse(viaHttp.body), { responses: ['pod-b', 'pod-b', 'pod-b'] });
    const viaUdp = await httpGet(`${a.base}/dial?request=hostname&host=localhost&port=${b.udpPort}&protocol=udp`);
    assert.deepEqual(JSON.parse(viaUdp.body), { responses: ['pod-b'] });
    const echo = await httpGet(`${a.base}/dial?request=${encodeURIComponent('echo?msg=via-a')}&host=127.0.0.1&port=${b.httpPort}`);
    assert.deepEqual(JSON.parse(echo.body), { responses: ['via-a'] });
  });

  it('reports dial failures as errors and bad parameters as 400', async () => {
    const closed = await freePort();
    const refused = JSON.parse((await httpGet(`${a.base}/dial?request=hostname&host=127.0.0.1&port=${closed}`)).body);
    assert.deepEqual(Object.keys(refused), ['errors']);
    assert.match(refused.errors[0], /connect: connection refused$/);
    const udpRefused = JSON.parse((await httpGet(`${a.base}/dial?request=hostname&host=127.0.0.1&port=${closed}&protocol=udp`)).body);
    assert.match(udpRefused.errors[0], /^reading from udp connection failed\. err:'read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: read: connection refused'$/);
    const missing = await httpGet(`${a.base}/dial?host=127.0.0.1&port=1`);
    assert.equal(missing.status, 400);
    assert.match(missing.body, /^request parameter not specified/);
    assert.equal((await httpGet(`${a.base}/dial?request=x&host=127.0.0.1&port=1&protocol=icmp`)).status, 400);
  });

  it('is healthy and ready once the UDP server is up', async () => {
    assert.equal((await httpGet(`${a.base}/healthz`)).status, 200);
    const ready = await httpGet(`${a.base}/readyz`);
    assert.deepEqual([ready.status, ready.body], [200, 'ok']);
  });

  it('redirects unclean paths like Go\'s ServeMux', async () => {
    const r = await httpGet(`${a.base}//hostname?x=1`);
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/hostname?x=1');
  });

  it('answers UDP hostname, echo and clientip commands', async () => {
    assert.equal((await udpRequest(a.udpPort, 'hostname')).reply, 'pod-a');
    assert.equal((await udpRequest(a.udpPort, 'echo hello there\n')).reply, 'hello there');
    const { reply, localPort } = await udpRequest(a.udpPort, 'clientip');
    assert.equal(reply, `127.0.0.1:${localPort}`);
  });
});

describe('agnhost netexec lifecycle', () => {
  it('exits with the code asked for on /exit after replying', async () => {
    const n = await startNetexec('pod-exit');
    const r = await httpGet(`${n.base}/exit?code=7`);
    assert.equal(r.status, 200);
    assert.equal((await n.proc.exited).code, 7);
  });

  it('exits 0 promptly on SIGTERM', async () => {
    const n = await startNetexec('pod-term');
    const t0 = Date.now();
    n.proc.child.kill('SIGTERM');
    assert.equal((await n.proc.exited).code, 0);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('reports /readyz 503 but /healthz 200 during --delay-shutdown', async () => {
    const n = await startNetexec('pod-delay', ['--delay-shutdown=2']);
    n.proc.child.kill('SIGTERM');
    await waitFor('readyz 503', async () => (await httpGet(`${n.base}/readyz`)).status === 503);
    assert.equal((await httpGet(`${n.base}/readyz`)).body, 'shutting down');
    assert.equal((await httpGet(`${n.base}/healthz`)).status, 200);
    assert.equal((await n.proc.exited).code, 0);
  });

  it('is not healthy without a UDP server, as upstream', async () => {
    const port = await freePort();
    const p = startAgnhost(['netexec', `--http-port=${port}`, '--udp-port=-1']);
    try {
      assert.equal((await waitForHttp(`http://127.0.0.1:${port}/healthz`)).status, 412);
    } finally {
      await p.stop();
    }
  });

  it('serves the --http-override path for every request', async () => {
    const n = await startNetexec('pod-override', ['--http-override=/echo?msg=overridden']);
    try {
      assert.equal((await httpGet(`${n.base}/hostname`)).body, 'overridden');
      assert.equal((await waitForUdp(n.udpPort, 'hostname')).reply, 'pod-override');
    } finally {
      await n.proc.stop();
    }
  });

  it('serves HTTPS with --tls-cert-file and --tls-private-key-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netexec-tls-'));
    const [cert, key] = [join(dir, 'tls.crt'), join(dir, 'tls.key')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const port = await freePort();
    const p = startAgnhost(['netexec', `--http-port=${port}`, '--udp-port=-1', `--tls-cert-file=${cert}`, `--tls-private-key-file=${key}`], { HOSTNAME: 'pod-tls' });
    try {
      const body = await waitFor('HTTPS', () => new Promise<string>((resolve, reject) => {
        https.get(`https://127.0.0.1:${port}/hostname`, { ca: readFileSync(cert), servername: 'localhost', agent: false }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      }));
      assert.equal(body, 'pod-tls');
    } finally {
      await p.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when its port is taken', async () => {
    const n = await startNetexec('pod-first');
    try {
      const p = startAgnhost(['netexec', `--http-port=${n.httpPort}`, `--udp-port=${await freePort()}`]);
      assert.equal((await p.exited).code, 1);
      assert.match(p.output().stderr, /address already in use/);
    } finally {
      await n.proc.stop();
    }
  });
});
