// `agnhost netexec`: HTTP(S) endpoints plus a UDP server, the workhorse of Kubernetes' network e2e tests.
import type dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { ANY_IPV4, logf, nextSignal, sleep } from './common.ts';
import { int, parseFlags, str } from './flags.ts';
import { createNetexecHandler, type ExitRequest, type NetexecState } from './netexec-http.ts';
import { parseUdpAddresses, startUdpServers } from './netexec-udp.ts';

export const NETEXEC_FLAGS = {
  'http-port': int(8080),
  'udp-port': int(8081),
  'sctp-port': int(-1),
  'tls-cert-file': str(''),
  'tls-private-key-file': str(''),
  'http-override': str(''),
  'udp-listen-addresses': str(''),
  'delay-shutdown': int(0),
};

export async function netexec(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, NETEXEC_FLAGS);
  const state: NetexecState = { isUdpReady: false, isTerminating: false };
  let requestExit: (r: ExitRequest) => void = () => {};
  const exitRequested = new Promise<ExitRequest>((resolve) => (requestExit = resolve));

  void nextSignal(['SIGTERM']).then(async () => {
    // /readyz answers 503 from here on while /healthz stays 200, so the pod leaves endpoints but is not restarted.
    state.isTerminating = true;
    if (flags['delay-shutdown'] > 0) {
      logf(`Sleeping ${flags['delay-shutdown']} seconds before terminating...`);
      await sleep(flags['delay-shutdown'] * 1000);
    }
    requestExit({ code: 0, graceMs: 0 });
  });

  const handler = createNetexecHandler({ state, httpOverride: flags['http-override'] || undefined, requestExit });
  const server = flags['tls-cert-file']
    ? https.createServer({ cert: readFileSync(flags['tls-cert-file']), key: readFileSync(flags['tls-private-key-file'] || flags['tls-cert-file']) }, handler)
    : http.createServer(handler);
  let udpSockets: dgram.Socket[] = [];
  try {
    await listen(server, flags['http-port']);
    logf(`Started HTTP server on port ${flags['http-port']}`);
    if (flags['udp-port'] !== -1) {
      udpSockets = await startUdpServers(parseUdpAddresses(flags['udp-listen-addresses']), flags['udp-port']);
      state.isUdpReady = true;
    }
  } catch (e) {
    logf(`${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (flags['sctp-port'] !== -1) logf(`SCTP is not supported by skiff; --sctp-port=${flags['sctp-port']} ignored`);

  const { code, graceMs } = await exitRequested;
  for (const s of udpSockets) s.close();
  await closeServer(server, graceMs);
  return code;
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`listen tcp :${port}: bind: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)));
    server.listen(port, ANY_IPV4, () => resolve());
  });
}

/** Stops accepting, lets in-flight requests finish for up to `graceMs`, then drops what is left. */
export async function closeServer(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (graceMs > 0) await Promise.race([closed, sleep(graceMs)]);
  server.closeAllConnections();
}
