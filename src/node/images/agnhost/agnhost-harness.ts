// Test helpers: run agnhost as a child process on free loopback ports and talk to it.
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../lib/wait.ts';

export const AGNHOST = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface AgnhostProcess {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop: () => Promise<void>;
}

export function startAgnhost(args: string[], env: Record<string, string> = {}): AgnhostProcess {
  const child = spawn(process.execPath, [AGNHOST, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c));
  child.stderr?.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs agnhost to completion. */
export async function runAgnhostToEnd(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startAgnhost(args, env);
  const { code } = await p.exited;
  return { code, ...p.output() };
}

/** A port free for both TCP and UDP on every address, as agnhost binds 0.0.0.0. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '0.0.0.0', () => resolve((server.address() as net.AddressInfo).port)));
    const udp = dgram.createSocket('udp4');
    const isFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '0.0.0.0', () => resolve(true));
    });
    udp.close();
    await new Promise((r) => server.close(r));
    if (isFree) return port;
  }
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The client's own port, to compare with what the server saw. */
  localPort: number;
}

export function httpGet(url: string, headers: Record<string, string> = {}, agent: http.Agent | false = false): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, localPort: req.socket?.localPort ?? 0 }));
    });
    req.on('error', reject);
  });
}

export function waitForHttp(url: string): Promise<HttpResult> {
  return waitFor(`HTTP ${url}`, () => httpGet(url));
}

/** Sends one datagram to 127.0.0.1:port and resolves with the reply and the port it was sent from. */
export function udpRequest(port: number, payload: string, timeoutMs = 2000): Promise<{ reply: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP reply from port ${port}`));
    }, timeoutMs);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      const localPort = socket.address().port;
      socket.close();
      resolve({ reply: msg.toString(), localPort });
    });
    socket.send(payload, port, '127.0.0.1');
  });
}

/** Waits until a UDP server on 127.0.0.1:port answers `payload`. */
export function waitForUdp(port: number, payload: string): Promise<{ reply: string; localPort: number }> {
  return waitFor(`UDP port ${port}`, () => udpRequest(port, payload, 200));
}
