// Drives `./skiff` and the real kubectl against a cluster in a temporary data dir, as a user would.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SKIFF = join(REPO, 'skiff');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? ((err as unknown as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export class SkiffCluster {
  readonly dataDir: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.dataDir = mkdtempSync(join(tmpdir(), 'skiff-e2e-'));
    this.home = mkdtempSync(join(tmpdir(), 'skiff-home-'));
    this.env = { ...process.env, HOME: this.home, KUBECONFIG: join(this.dataDir, 'kubeconfig'), SKIFF_DATA_DIR: this.dataDir };
  }

  skiff(...args: string[]): Promise<RunResult> {
    return run(SKIFF, [...args, '--data-dir', this.dataDir], { env: this.env, timeoutMs: 120_000 });
  }

  /** Runs kubectl; throws with its output if it fails. */
  async kubectl(...args: string[]): Promise<string> {
    const r = await run('kubectl', args, { env: this.env });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  kubectlResult(args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    return run('kubectl', args, { env: { ...this.env, ...extraEnv }, input });
  }

  /** Starts `kubectl ... -w`; returns a handle that collects output lines. */
  watch(...args: string[]): { lines: string[]; stop: () => void; waitFor: (re: RegExp, timeoutMs?: number) => Promise<string> } {
    const child = spawn('kubectl', args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        for (const w of [...waiters]) if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    return {
      lines,
      stop: () => child.kill('SIGTERM'),
      waitFor: (re, timeoutMs = 15_000) => {
        const hit = lines.find((l) => re.test(l));
        if (hit) return Promise.resolve(hit);
        return new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no line matching ${re} in:\n${lines.join('\n')}`)), timeoutMs);
          waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
        });
      },
    };
  }

  async destroy(): Promise<void> {
    await this.skiff('down', '--purge');
    rmSync(this.home, { recursive: true, force: true });
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
