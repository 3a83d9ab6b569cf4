// The cluster's PKI: a CA made on first start and kept in the data dir, a serving certificate for the API
// server, an admin client certificate and an admin bearer token. ECDSA P-256, made by the system's openssl
// (OpenSSL 3: `req -x509 -CA` signs in one step), so no X.509 code of our own and no npm dependency.
import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  adminToken: string;
  /** The API server's client certificate towards node agents (logs, exec, port-forward). */
  agentClientCert: string;
  agentClientKey: string;
}

export interface PkiOptions {
  /** DNS names the serving certificate must cover (besides localhost and the kubernetes Service names). */
  serverHosts: string[];
  /** IPs the serving certificate must cover (besides 127.0.0.1). */
  serverIPs: string[];
}

export interface KeyPair {
  cert: string;
  key: string;
}

const DAYS = '3650';

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (e as Error).message}`, { cause: e });
  }
}

/** Runs `make(dir)` in a private scratch dir and returns the pair it wrote as out.crt/out.key. */
function inScratch(make: (dir: string) => void): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  try {
    make(dir);
    return { cert: readFileSync(join(dir, 'out.crt'), 'utf8'), key: readFileSync(join(dir, 'out.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-sha256', '-days', DAYS];

function makeCa(): KeyPair {
  return inScratch((dir) =>
    openssl(['req', '-x509', ...NEW_KEY, '-subj', '/CN=skiff-ca', '-keyout', join(dir, 'out.key'), '-out', join(dir, 'out.crt'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']),
  );
}

/** Issues a certificate signed by `ca`: a serving one (with SANs) or a client one. `subject` is in openssl's /CN=…/O=… form. */
export function issueCert(ca: KeyPair, options: { subject: string; usage: 'server' | 'client'; hosts?: string[]; ips?: string[] }): KeyPair {
  return inScratch((dir) => {
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    const ext = ['-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment'];
    ext.push('-addext', `extendedKeyUsage=${options.usage === 'server' ? 'serverAuth' : 'clientAuth'}`);
    const san = [...(options.hosts ?? []).map((h) => `DNS:${h}`), ...(options.ips ?? []).map((ip) => `IP:${ip}`)];
    if (san.length) ext.push('-addext', `subjectAltName=${san.join(',')}`);
    openssl(['req', '-x509', ...NEW_KEY, '-subj', options.subject, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'),
      '-set_serial', `0x${randomBytes(16).toString('hex').replace(/^[89a-f]/, '1')}`, '-keyout', join(dir, 'out.key'), '-out', join(dir, 'out.crt'), ...ext]);
  });
}

function writeSecret(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

function readPair(dir: string, name: string): KeyPair | undefined {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

function writePair(dir: string, name: string, pair: KeyPair): void {
  writeSecret(join(dir, `${name}.key`), pair.key);
  writeSecret(join(dir, `${name}.crt`), pair.cert);
}

/** True if `certPem` was signed by `caPem` and covers every wanted name and IP. */
export function certCovers(certPem: string, caPem: string, hosts: string[], ips: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.checkIssued(new X509Certificate(caPem))) return false;
    const san = (cert.subjectAltName ?? '').split(', ');
    return hosts.every((h) => san.includes(`DNS:${h}`)) && ips.every((ip) => san.includes(`IP Address:${ip}`));
  } catch {
    return false;
  }
}

/** Loads the PKI from `dir`, creating what is missing; reissues the serving certificate when new addresses must be covered. */
export async function ensurePki(dir: string, options: PkiOptions): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca = readPair(dir, 'ca');
  if (!ca) {
    ca = makeCa();
    writePair(dir, 'ca', ca);
  }
  const hosts = [...new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...options.serverHosts])];
  const ips = [...new Set(['127.0.0.1', ...options.serverIPs])];
  let server = readPair(dir, 'server');
  if (!server || !certCovers(server.cert, ca.cert, hosts, ips)) {
    server = issueCert(ca, { subject: '/CN=skiff-apiserver', usage: 'server', hosts, ips });
    writePair(dir, 'server', server);
  }
  let admin = readPair(dir, 'admin');
  if (!admin) {
    admin = issueCert(ca, { subject: '/O=system:masters/CN=skiff-admin', usage: 'client' });
    writePair(dir, 'admin', admin);
  }
  let agentClient = readPair(dir, 'apiserver-agent-client');
  if (!agentClient) {
    agentClient = issueCert(ca, { subject: '/O=system:masters/CN=skiff-apiserver-agent-client', usage: 'client' });
    writePair(dir, 'apiserver-agent-client', agentClient);
  }
  const tokenPath = join(dir, 'admin.token');
  if (!existsSync(tokenPath)) writeSecret(tokenPath, randomBytes(32).toString('base64url') + '\n');
  return {
    caCert: ca.cert,
    caKey: ca.key,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    adminToken: readFileSync(tokenPath, 'utf8').trim(),
    agentClientCert: agentClient.cert,
    agentClientKey: agentClient.key,
  };
}
