// Runs one probe (or lifecycle hook) action: httpGet and tcpSocket from the agent's netns (the node) to the pod
// IP, exec inside the container. Success as the kubelet defines it: HTTP 200-399, a TCP connect, exit status 0.
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import type { ProbeOutcome } from './probe-state.ts';
import type { PodContainer, ProbeHandler } from './pod-types.ts';

export interface ProbeTarget {
  podIP: string;
  container: PodContainer;
  /** Runs a command in the container; resolves with its exit status. */
  exec(argv: string[], options: { timeoutMs: number }): Promise<{ exitCode: number; output: string }>;
}

export const PROBE_USER_AGENT = 'kube-probe/1.32';

/** A named port resolves through the container's ports, as upstream's probe port lookup. */
export function resolvePort(port: number | string, container: PodContainer): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(handler: ProbeHandler, options: { target: ProbeTarget; timeoutMs: number }): Promise<ProbeOutcome> {
  const { target, timeoutMs } = options;
  try {
    if (handler.exec) {
      const r = await target.exec(handler.exec.command ?? [], { timeoutMs });
      return r.exitCode === 0 ? { isSuccess: true } : { isSuccess: false, message: `command ${JSON.stringify(handler.exec.command)} exited with ${r.exitCode}: ${r.output.trim().slice(0, 200)}` };
    }
    if (handler.httpGet) return await httpProbe(handler.httpGet, { target, timeoutMs });
    if (handler.tcpSocket) {
      const port = resolvePort(handler.tcpSocket.port, target.container);
      if (port === undefined) return { isSuccess: false, message: `unknown port ${handler.tcpSocket.port}` };
      return await tcpProbe(handler.tcpSocket.host || target.podIP, { port, timeoutMs });
    }
    if (handler.grpc) return { isSuccess: false, message: 'gRPC probes are not supported by skiff' };
    return { isSuccess: false, message: 'the probe has no action' };
  } catch (e) {
    return { isSuccess: false, message: (e as Error).message };
  }
}

function httpProbe(action: NonNullable<ProbeHandler['httpGet']>, options: { target: ProbeTarget; timeoutMs: number }): Promise<ProbeOutcome> {
  const { target, timeoutMs } = options;
  const port = resolvePort(action.port, target.container);
  if (port === undefined) return Promise.resolve({ isSuccess: false, message: `unknown port ${action.port}` });
  const isHttps = action.scheme === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  const host = action.host || target.podIP;
  const path = action.path ? (action.path.startsWith('/') ? action.path : `/${action.path}`) : '/';
  return new Promise((resolve) => {
    const lib = isHttps ? https : http;
    const req = lib.request({ host, port, path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      res.on('end', () => {});
      resolve(code >= 200 && code < 400 ? { isSuccess: true } : { isSuccess: false, message: `HTTP probe failed with statuscode: ${code}` });
      req.destroy();
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ isSuccess: false, message: `Get "${isHttps ? 'https' : 'http'}://${host}:${port}${path}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e) => resolve({ isSuccess: false, message: `Get "${isHttps ? 'https' : 'http'}://${host}:${port}${path}": ${e.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, options: { port: number; timeoutMs: number }): Promise<ProbeOutcome> {
  const { port, timeoutMs } = options;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ isSuccess: false, message: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ isSuccess: true });
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      resolve({ isSuccess: false, message: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}
