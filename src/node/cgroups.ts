// Container process tracking in cgroup v2: `skiff/<cluster>/<pod-uid>/<container>` under the cgroup2 mount, so a
// container's whole process tree can be found and killed at once (`cgroup.kill`, Linux 5.14+).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class CgroupError extends Error {
  override name = 'CgroupError';
  readonly code: 'NoCgroup2' | 'KillFailed';
  constructor(code: 'NoCgroup2' | 'KillFailed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Where cgroup2 is mounted, from /proc/self/mountinfo text: /sys/fs/cgroup on a pure v2 host, often /sys/fs/cgroup/unified on a hybrid one. */
export function findCgroup2Mount(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype] = line.slice(sep + 3).split(' ');
    if (fstype === 'cgroup2') return line.split(' ')[4];
  }
  return undefined;
}

export function detectCgroup2Mount(): string {
  const mount = findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  if (!mount) throw new CgroupError('NoCgroup2', 'no cgroup2 file system is mounted; the node agent needs one to track container processes');
  return mount;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class Cgroups {
  /** The cluster's directory: <mount>/skiff/<cluster>. */
  readonly base: string;

  constructor(options: { mount: string; clusterName: string }) {
    if (!NAME.test(options.clusterName)) throw new TypeError(`bad cluster name ${JSON.stringify(options.clusterName)}`);
    this.base = join(options.mount, 'skiff', options.clusterName);
  }

  podPath(uid: string): string {
    return join(this.base, checkName(uid));
  }

  containerPath(uid: string, container: string): string {
    return join(this.podPath(uid), checkName(container));
  }

  /** Creates the container's cgroup (and its parents); returns its path. */
  ensure(uid: string, container: string): string {
    const path = this.containerPath(uid, container);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** Pod uids that have a cgroup here. */
  listPods(): string[] {
    try {
      return readdirSync(this.base, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      return [];
    }
  }

  pids(path: string): number[] {
    try {
      return readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  isPopulated(path: string): boolean {
    try {
      return /^populated 1$/m.test(readFileSync(join(path, 'cgroup.events'), 'utf8'));
    } catch {
      return false;
    }
  }

  /** SIGKILLs every process in the cgroup and below, then waits until it is empty. */
  async kill(path: string, options: { timeoutMs?: number } = {}): Promise<void> {
    if (!existsSync(path) || !this.isPopulated(path)) return;
    try {
      writeFileSync(join(path, 'cgroup.kill'), '1');
    } catch (e) {
      throw new CgroupError('KillFailed', `cannot kill the processes of ${path}: ${(e as Error).message}`, { cause: e });
    }
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    while (this.isPopulated(path)) {
      if (Date.now() > deadline) throw new CgroupError('KillFailed', `processes of ${path} still alive after cgroup.kill: ${this.pids(path).join(' ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kills and removes a pod's cgroups (or one container's). */
  async remove(uid: string, container?: string): Promise<void> {
    const path = container === undefined ? this.podPath(uid) : this.containerPath(uid, container);
    await this.kill(path);
    removeTree(path);
  }

  /** Removes the cluster's directory if nothing is left in it (`skiff/` stays: other clusters may be using it). */
  /** Removes `skiff/<cluster>`, and `skiff` itself once no cluster is left in it. */
  removeBaseIfEmpty(): void {
    for (const dir of [this.base, dirname(this.base)]) {
      try {
        rmdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return; // not empty: another cluster lives there
      }
    }
  }
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new TypeError(`bad cgroup name ${JSON.stringify(name)}`);
  return name;
}

/** rmdir children before parents (cgroupfs directories only go with rmdir). */
function removeTree(path: string): void {
  let entries: string[];
  try {
    entries = readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  for (const e of entries) removeTree(join(path, e));
  try {
    rmdirSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
