// Terminal size changes for `kubectl exec -t`: the command runs under util-linux `script` (see execArgv), whose
// child holds the pseudo-terminal's slave as its stdin. A resize is `stty -F /proc/<child>/fd/0 cols W rows H`
// (TIOCSWINSZ on the slave: the kernel sends SIGWINCH to the terminal's foreground process group). The first
// resize usually arrives before `script` has forked, so the latest size is retried until the terminal exists.
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

const RETRY_MS = 50;
const MAX_TRIES = 60;

/** The terminal (as a /proc path that reopens it) of the first child of `scriptPid`, if it is a pts. */
export function childTerminal(scriptPid: number): string | undefined {
  try {
    const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    for (const pid of children) {
      const fd = `/proc/${pid}/fd/0`;
      if (/pts\/\d+$/.test(readlinkSync(fd))) return fd;
    }
  } catch {
    // the process is gone or not forked yet
  }
  return undefined;
}

export class TtyResizer {
  #pid: () => number | undefined;
  #isRunning: () => boolean;
  #pending: { width: number; height: number } | undefined;
  #isBusy = false;

  constructor(options: { pid: () => number | undefined; isRunning: () => boolean }) {
    this.#pid = options.pid;
    this.#isRunning = options.isRunning;
  }

  /** Applies the size (the latest one wins); never throws. */
  resize(size: { width: number; height: number }): void {
    if (!(size.width > 0 && size.height > 0)) return;
    this.#pending = size;
    if (!this.#isBusy) void this.#apply();
  }

  async #apply(): Promise<void> {
    this.#isBusy = true;
    try {
      for (let tries = 0; this.#pending && tries < MAX_TRIES && this.#isRunning(); tries++) {
        const pid = this.#pid();
        const tty = pid === undefined ? undefined : childTerminal(pid);
        if (!tty) {
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        const size = this.#pending;
        this.#pending = undefined;
        await new Promise<void>((resolve) => execFile('stty', ['-F', tty, 'cols', String(size.width), 'rows', String(size.height)], () => resolve()));
        tries = 0;
      }
    } finally {
      this.#isBusy = false;
    }
  }
}
