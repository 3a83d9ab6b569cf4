// A throwaway single-member etcd on loopback for tests: free ports, a temporary data dir,
// readiness by polling /health against a deadline, and kill/restart to simulate failures.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../lib/wait.ts';

export const ETCD_BINARY = '/usr/bin/etcd';

export function isEtcdInstalled(): boolean {
  return existsSync(ETCD_BINARY);
}

/**
 * Why the etcd tests are skipped, or false to run them. The project's test command (scripts/test.ts) sets
 * SKIFF_REQUIRE_ETCD, so there a missing etcd fails the tests instead of skipping them.
 */
export function etcdSkipReason(): string | false {
  if (isEtcdInstalled() || process.env.SKIFF_REQUIRE_ETCD) return false;
  return `etcd is not installed at ${ETCD_BINARY} (apt-get install etcd-server)`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class EtcdTestServer {
  readonly endpoint: string;
  readonly dataDir: string;
  #peerUrl: string;
  #child: ChildProcess | undefined;
  #log = '';

  private constructor(clientPort: number, peerPort: number) {
    this.endpoint = `http://127.0.0.1:${clientPort}`;
    this.#peerUrl = `http://127.0.0.1:${peerPort}`;
    this.dataDir = mkdtempSync(join(tmpdir(), 'skiff-etcd-'));
  }

  static async start(): Promise<EtcdTestServer> {
    const server = new EtcdTestServer(await freePort(), await freePort());
    try {
      await server.restart();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** Starts etcd (again, on the same ports and data) and waits until it reports healthy. */
  async restart(): Promise<void> {
    const args = [
      '--name', 'default', '--data-dir', join(this.dataDir, 'data'),
      '--listen-client-urls', this.endpoint, '--advertise-client-urls', this.endpoint,
      '--listen-peer-urls', this.#peerUrl, '--initial-advertise-peer-urls', this.#peerUrl,
      '--initial-cluster', `default=${this.#peerUrl}`,
    ];
    const child = spawn(ETCD_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    const keep = (chunk: Buffer) => (this.#log = (this.#log + chunk.toString('utf8')).slice(-8_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = `etcd exited (${signal ?? code})`));
    await waitFor('etcd to report healthy', async () => {
      if (exited) throw new Error(`${exited}:\n${this.#log}`);
      const res = await fetch(`${this.endpoint}/health`);
      return res.ok && ((await res.json()) as { health?: string }).health === 'true';
    }, { timeoutMs: 20_000, intervalMs: 50 });
  }

  /** SIGKILLs etcd, keeping its data, and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** Kills etcd and removes its data. */
  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  get log(): string {
    return this.#log;
  }
}
