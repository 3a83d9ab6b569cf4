import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import { ensurePki } from '../../lib/pki.ts';
import { waitFor } from '../../lib/wait.ts';
import type { Pki } from '../../lib/pki.ts';
import type { PodConnector } from '../pod-connector.ts';
import { createAgentPodConnector } from './agent-pod-connector.ts';

/** What the fake agent saw, and how it answers. */
interface AgentLog {
  requests: { method: string; url: string; headers: Record<string, string | string[] | undefined>; cn?: string }[];
  release: () => void;
}

function pod(name: string, nodeName?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { nodeName, containers: [{ name: 'c' }] } } as KubeObject;
}

function node(name: string, port: number, address = '127.0.0.1'): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } as KubeObject;
}

describe('agent pod connector', () => {
  let dir: string;
  let pki: Pki;
  let stranger: Pki;
  let agent: HttpsServer;
  let strangerAgent: HttpsServer;
  let front: HttpServer;
  let closedPort: number;
  const seen: AgentLog = { requests: [], release: () => {} };
  const nodes = new Map<string, KubeObject>();
  const pods = new Map<string, KubeObject>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-pod-proxy-'));
    pki = await ensurePki(join(dir, 'pki'), { serverHosts: [], serverIPs: [] });
    stranger = await ensurePki(join(dir, 'other'), { serverHosts: [], serverIPs: [] });

    agent = createHttpsServer({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: true });
    const record = (req: IncomingMessage): void => {
      const cn = (req.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN;
      seen.requests.push({ method: req.method!, url: req.url!, headers: req.headers, cn: Array.isArray(cn) ? cn[0] : cn });
    };
    agent.on('request', (req: IncomingMessage, res: ServerResponse) => {
      record(req);
      if (req.url!.includes('/missing')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return void res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'container "missing" not found', reason: 'NotFound', code: 404 }));
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first line\n');
      seen.release = () => res.end('second line\n');
      res.on('close', () => seen.requests.push({ method: 'CLOSED', url: req.url!, headers: {} }));
    });
    agent.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      record(req);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      if (head.length) socket.write(head);
      socket.pipe(socket);
    });
    agent.listen(0, '127.0.0.1');
    strangerAgent = createHttpsServer({ cert: stranger.serverCert, key: stranger.serverKey }, (_req, res) => res.end('should not be trusted'));
    strangerAgent.listen(0, '127.0.0.1');
    const closed = createNetServer().listen(0, '127.0.0.1');
    await Promise.all([once(agent, 'listening'), once(strangerAgent, 'listening'), once(closed, 'listening')]);
    closedPort = (closed.address() as AddressInfo).port;
    closed.close();

    nodes.set('n1', node('n1', (agent.address() as AddressInfo).port));
    nodes.set('impostor', node('impostor', (strangerAgent.address() as AddressInfo).port));
    nodes.set('down', node('down', closedPort));
    for (const p of [pod('web', 'n1'), pod('pending'), pod('orphan', 'gone'), pod('fake', 'impostor'), pod('unreachable', 'down')]) pods.set(p.metadata.name!, p);

    const connector: PodConnector = createAgentPodConnector({ lookupNode: async (name) => nodes.get(name), clientCert: pki.adminCert, clientKey: pki.adminKey, ca: pki.caCert });
    const target = (req: IncomingMessage): { pod: KubeObject; sub: 'log' | 'exec' | 'portforward' } => {
      const [, name, sub] = new URL(req.url!, 'http://x').pathname.split('/');
      return { pod: pods.get(name)!, sub: sub as 'log' };
    };
    front = createHttpServer((req, res) => {
      const t = target(req);
      connector.serve(t.pod, t.sub, req, res).catch((e) => {
        res.writeHead(isStatusError(e) ? e.code : 500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(isStatusError(e) ? e.status : { message: String(e) }));
      });
    });
    front.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const t = target(req);
      connector.upgrade(t.pod, t.sub, req, socket, head).catch((e) => socket.end(`HTTP/1.1 ${isStatusError(e) ? e.code : 500} Error\r\n\r\n${isStatusError(e) ? e.message : e}`));
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
  });

  after(() => {
    for (const s of [agent, strangerAgent, front]) {
      s.closeAllConnections();
      s.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function get(path: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => request({ host: '127.0.0.1', port: (front.address() as AddressInfo).port, path }, resolve).on('error', reject).end());
  }

  async function text(res: IncomingMessage): Promise<string> {
    let body = '';
    for await (const d of res) body += d;
    return body;
  }

  it('streams the log from the agent, chunk by chunk, with the query passed on', async () => {
    const res = await get('/web/log?container=c&follow=true&tailLines=5');
    assert.equal(res.statusCode, 200);
    const [first] = (await once(res, 'data')) as [Buffer];
    assert.equal(first.toString(), 'first line\n', 'the first chunk arrives before the agent ends the response');
    seen.release();
    assert.equal(await text(res), 'second line\n');
    const r = seen.requests.find((q) => q.url.startsWith('/containerLogs/'))!;
    assert.equal(r.url, '/containerLogs/ns/web/c?container=c&follow=true&tailLines=5');
    assert.equal(r.cn, 'skiff-admin', 'authenticated with the client certificate');
  });

  it('stops the agent\'s stream when the client goes away', async () => {
    seen.requests.length = 0;
    const res = await get('/web/log?follow=true');
    await once(res, 'data');
    res.destroy();
    await waitFor('the agent to see its response closed', () => seen.requests.some((r) => r.method === 'CLOSED'));
  });

  it('passes the agent\'s Status through', async () => {
    pods.set('web2', { ...pod('web2', 'n1'), spec: { nodeName: 'n1', containers: [{ name: 'c' }, { name: 'missing' }] } });
    const res = await get('/web2/log?container=missing');
    assert.equal(res.statusCode, 404);
    assert.equal(JSON.parse(await text(res)).message, 'container "missing" not found');
  });

  const failures: [string, number, RegExp][] = [
    ['/pending/log', 503, /the pod is not scheduled to a node yet/],
    ['/orphan/log', 503, /node "gone" not found/],
    ['/unreachable/log', 503, /error dialing backend: connect ECONNREFUSED/],
    ['/fake/log', 503, /error dialing backend: .*(certificate|self.signed)/i],
    ['/web/log?container=other', 400, /container other is not valid for pod web/],
  ];
  for (const [path, code, message] of failures) {
    it(`answers ${code} for GET ${path}`, async () => {
      const res = await get(path);
      assert.equal(res.statusCode, code);
      assert.match(JSON.parse(await text(res)).message, message);
    });
  }

  it('replays an upgrade to the agent without the user\'s credentials, then splices both ways', async () => {
    seen.requests.length = 0;
    const socket = connect((front.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET /web/exec?command=sh&container=c&stdout=true HTTP/1.1\r\nHost: front\r\nAuthorization: Bearer secret\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: a2V5\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\nearly bytes|',
    );
    const received = collect(socket);
    const got = await received.until('early bytes|');
    assert.match(got, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    socket.write('later bytes|');
    assert.match(await received.until('later bytes|'), /early bytes\|later bytes\|$/);
    const r = seen.requests[0];
    assert.equal(r.url, '/exec/ns/web/c?command=sh&container=c&stdout=true');
    assert.equal(r.headers.authorization, undefined);
    assert.equal(r.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
    assert.equal(r.headers.upgrade, 'websocket');
    assert.equal(r.headers.host, `127.0.0.1:${(agent.address() as AddressInfo).port}`);
    socket.destroy();
  });

  it('replays a port-forward upgrade to /portForward/<ns>/<pod>', async () => {
    seen.requests.length = 0;
    const socket = connect((front.address() as AddressInfo).port, '127.0.0.1');
    const received = collect(socket);
    socket.write('POST /web/portforward HTTP/1.1\r\nHost: front\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n');
    await received.until('\r\n\r\n');
    assert.equal(seen.requests[0].method, 'POST');
    assert.equal(seen.requests[0].url, '/portForward/ns/web');
    socket.destroy();
  });

  it('answers a failed upgrade with the StatusError before any byte is spliced', async () => {
    const socket = connect((front.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET /unreachable/exec?command=sh&stdout=true HTTP/1.1\r\nHost: front\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    let reply = '';
    for await (const d of socket) reply += d;
    assert.match(reply, /^HTTP\/1\.1 503 Error\r\n\r\nerror dialing backend/);
  });
});

/** Collects everything the socket receives; `until` waits for a marker with a deadline. */
function collect(socket: Socket): { until: (marker: string) => Promise<string> } {
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString()));
  return { until: (marker) => waitFor(`"${marker}" from the proxy (got ${JSON.stringify(got)})`, () => got.includes(marker) && got) };
}
