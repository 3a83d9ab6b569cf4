// `agnhost porter`: for every environment variable SERVE_PORT_<n> (HTTP) or SERVE_TLS_PORT_<n> (HTTPS),
// serves the variable's value on port n in answer to any request.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANY_IPV4, logf, nextSignal } from './common.ts';
import { bool, parseFlags } from './flags.ts';

export interface PorterPort {
  port: string;
  value: string;
  isTls: boolean;
}

/** The ports to serve, read from the environment. SCTP ports are reported and skipped. */
export function porterPorts(env: NodeJS.ProcessEnv): PorterPort[] {
  const out: PorterPort[] = [];
  for (const [key, value = ''] of Object.entries(env)) {
    if (key.startsWith('SERVE_PORT_')) out.push({ port: key.slice('SERVE_PORT_'.length), value, isTls: false });
    else if (key.startsWith('SERVE_TLS_PORT_')) out.push({ port: key.slice('SERVE_TLS_PORT_'.length), value, isTls: true });
    else if (key.startsWith('SERVE_SCTP_PORT_')) logf(`SCTP is not supported by skiff; ${key} ignored`);
  }
  return out;
}

export async function porter(argv: string[]): Promise<number> {
  const { flags } = parseFlags(argv, { 'json-response': bool(false) });
  const servers: http.Server[] = [];
  let tls: { cert: Buffer; key: Buffer } | undefined;
  for (const { port, value, isTls } of porterPorts(process.env)) {
    const handler: http.RequestListener = (req, res) => {
      req.resume();
      const body = flags['json-response'] ? JSON.stringify({ Method: req.method, Body: value }) : value;
      const type = flags['json-response'] ? 'application/json' : 'text/plain; charset=utf-8';
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) }).end(body);
    };
    tls ??= isTls ? loadKeyPair() : undefined;
    const server = isTls && tls ? https.createServer(tls, handler) : http.createServer(handler);
    // Like upstream, a port that cannot be served is logged and the others keep going.
    server.on('error', (e) => logf(`${isTls ? 'tls ' : ''}server on port ${JSON.stringify(port)} failed: ${e.message}`));
    server.listen(Number(port), ANY_IPV4);
    servers.push(server);
  }
  await nextSignal(['SIGTERM', 'SIGINT']);
  for (const s of servers) {
    s.close();
    s.closeAllConnections();
  }
  return 0;
}

/** CERT_FILE/KEY_FILE, else ./localhost.crt and ./localhost.key, else a fresh self-signed pair for localhost. */
function loadKeyPair(): { cert: Buffer; key: Buffer } {
  const certFile = process.env.CERT_FILE || 'localhost.crt';
  const keyFile = process.env.KEY_FILE || 'localhost.key';
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
  const dir = mkdtempSync(join(tmpdir(), 'agnhost-porter-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '3650',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
