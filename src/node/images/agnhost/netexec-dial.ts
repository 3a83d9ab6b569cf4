// netexec's /dial: from this pod, send `request` to host:port over HTTP or UDP `tries` times and report
// what came back. Tests use it to check pod-to-pod and pod-to-Service paths from inside a pod.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { isIP } from 'node:net';
import { errnoText, joinHostPort } from './common.ts';

export type DialResult = { badRequest: string } | { output: { responses?: string[]; errors?: string[] } };

const DIAL_TIMEOUT_MS = 5000;
const MAX_REDIRECTS = 10;

export async function dial(query: URLSearchParams): Promise<DialResult> {
  const host = query.get('host') ?? '';
  const port = query.get('port') ?? '';
  const request = query.get('request') ?? '';
  const protocol = (query.get('protocol') ?? '').toLowerCase();
  const triesParam = query.get('tries') ?? '';
  let tries = 1;
  if (triesParam !== '') {
    if (!/^[+-]?\d+$/.test(triesParam)) return { badRequest: `tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(triesParam)}: invalid syntax` };
    tries = Number(triesParam);
  }
  if (request === '') return { badRequest: 'request parameter not specified. <nil>' };
  let dialer: (request: string, ip: string, port: number) => Promise<string>;
  if (protocol === '' || protocol === 'http') dialer = dialHttp;
  else if (protocol === 'udp') dialer = dialUdp;
  else return { badRequest: `unsupported protocol. ${protocol}` };
  const addr = await resolve(host, port, protocol === 'udp' ? 'udp' : 'tcp');
  if ('error' in addr) return { badRequest: `host and/or port param are invalid. ${addr.error}` };

  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  for (let i = 0; i < tries; i++) {
    try {
      last = await dialer(request, addr.ip, addr.port);
      responses.push(last);
    } catch (e) {
      last = '';
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  // Upstream reports `responses` only when the last try returned something; kept for fidelity.
  const output: { responses?: string[]; errors?: string[] } = {};
  if (last.length > 0) output.responses = responses;
  if (errors.length > 0) output.errors = errors;
  return { output };
}

async function resolve(host: string, port: string, network: string): Promise<{ ip: string; port: number } | { error: string }> {
  let portNumber = 0;
  if (port !== '') {
    if (!/^\d+$/.test(port)) return { error: `address ${network}/${port}: unknown port` };
    portNumber = Number(port);
    if (portNumber > 65535) return { error: `address ${port}: invalid port` };
  }
  if (host === '' || isIP(host)) return { ip: host || '127.0.0.1', port: portNumber };
  try {
    const { address } = await lookup(host, { order: 'ipv4first' });
    return { ip: address, port: portNumber };
  } catch (e) {
    return { error: `lookup ${host}: ${errnoText(e)}` };
  }
}

/** An HTTP GET of http://ip:port/<request>, following redirects like Go's http.Client; the body whatever the status. */
export async function dialHttp(request: string, ip: string, port: number): Promise<string> {
  const deadline = AbortSignal.timeout(DIAL_TIMEOUT_MS);
  let url = `http://${joinHostPort(ip, port)}/${request}`;
  const first = url;
  for (let hop = 0; ; hop++) {
    const res = await get(url, deadline).catch((e: unknown) => {
      const err = e as { code?: string; name?: string };
      if (err.name === 'AbortError' || err.name === 'TimeoutError' || deadline.aborted) {
        throw new Error(`Get ${JSON.stringify(first)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
      }
      const connectFailed = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT'].includes(err.code ?? '');
      throw new Error(`Get ${JSON.stringify(url)}: ${connectFailed ? `dial tcp ${joinHostPort(ip, port)}: connect: ` : ''}${errnoText(e)}`);
    });
    const location = res.location;
    if (location && [301, 302, 303, 307, 308].includes(res.status)) {
      if (hop + 1 >= MAX_REDIRECTS) throw new Error(`Get ${JSON.stringify(location)}: stopped after 10 redirects`);
      url = new URL(location, url).toString();
      continue;
    }
    return res.body;
  }
}

function get(url: string, signal: AbortSignal): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
  });
}

/** One datagram to ip:port on a connected socket, then the first reply (at most 2048 bytes) within 5s. */
export function dialUdp(request: string, ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
    let local = '';
    let isDone = false;
    const remote = joinHostPort(ip, port);
    const finish = (err: Error | undefined, reply?: string) => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply ?? '');
    };
    const readFailed = (why: string) => new Error(`reading from udp connection failed. err:'read udp ${local}->${remote}: ${why}'`);
    const timer = setTimeout(() => finish(readFailed('i/o timeout')), DIAL_TIMEOUT_MS);
    socket.on('error', (e) => finish(local ? readFailed(`read: ${errnoText(e)}`) : new Error(`udp dial failed. err:${errnoText(e)}`)));
    socket.on('message', (msg) => {
      if (msg.length === 0) finish(new Error("reading from udp connection failed. err:'<nil>'"));
      else finish(undefined, msg.subarray(0, 2048).toString());
    });
    socket.connect(port, ip, () => {
      const a = socket.address();
      local = joinHostPort(a.address, a.port);
      socket.send(request, (e) => e && finish(new Error(`udp connection write failed. err:${errnoText(e)}`)));
    });
  });
}
