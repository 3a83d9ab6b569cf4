// Processes inside a network namespace, and killing a whole process tree.
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { inNetns } from './command.ts';

/**
 * Starts `argv` inside the named netns. nsenter (with only --net) joins the namespace and execs the
 * command in place, so the child's pid is the command's own pid.
 */
export function spawnInNetns(netns: string, argv: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const call = netnsArgv(netns, argv);
  return spawn(call[0], call.slice(1), options);
}

/** The full argv `spawnInNetns` runs: `nsenter --net=/run/netns/<netns> -- argv…`. */
export function netnsArgv(netns: string, argv: readonly string[]): string[] {
  if (argv.length === 0) throw new TypeError('netnsArgv: empty command');
  const call = inNetns(netns, argv[0], argv.slice(1));
  return [call.cmd, ...call.args];
}

export interface ProcEntry {
  pid: number;
  ppid: number;
  /** One-letter state from /proc/<pid>/stat: R, S, D, Z (zombie), … */
  state: string;
}

/** Reads every process's parent and state from /proc (or a directory laid out like it). */
export function readProcessTable(procDir = '/proc'): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  for (const name of readdirSync(procDir)) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readStat(procDir, Number(name));
    if (entry) table.set(entry.pid, entry);
  }
  return table;
}

function readStat(procDir: string, pid: number): ProcEntry | undefined {
  let text: string;
  try {
    text = readFileSync(`${procDir}/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited while we looked
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(rest[1]), state: rest[0] };
}

/** `pid` and all its descendants, parents before children. */
export function descendantsOf(table: Map<number, ProcEntry>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of table.values()) {
    const list = children.get(e.ppid) ?? [];
    list.push(e.pid);
    children.set(e.ppid, list);
  }
  const out: number[] = [];
  const queue = table.has(pid) ? [pid] : [];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p) ?? []).sort((a, b) => a - b));
  }
  return out;
}

/** Sends `signal` to each pid, ignoring those already gone; returns the pids it reached. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const reached: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
      reached.push(pid);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  return reached;
}

/**
 * Kills `pid` and every descendant. The tree is stopped first (SIGSTOP) so no child can fork or be
 * re-parented between reading the tree and killing it; then each gets `signal` (default SIGKILL).
 */
export async function killProcessTree(pid: number, options: { signal?: NodeJS.Signals; procDir?: string; timeoutMs?: number } = {}): Promise<number[]> {
  const signal = options.signal ?? 'SIGKILL';
  const pids = descendantsOf(readProcessTable(options.procDir), pid);
  if (signal === 'SIGKILL') signalPids(pids, 'SIGSTOP');
  const reached = signalPids(pids, signal);
  if (signal === 'SIGKILL') await waitForExit(reached, { timeoutMs: options.timeoutMs, procDir: options.procDir });
  else signalPids(reached, 'SIGCONT');
  return reached;
}

/** Resolves once none of `pids` is alive (gone, or a zombie awaiting its parent); rejects at the deadline. */
export async function waitForExit(pids: readonly number[], options: { timeoutMs?: number; procDir?: string } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const procDir = options.procDir ?? '/proc';
  while (true) {
    const alive = pids.filter((p) => {
      const e = readStat(procDir, p);
      return e !== undefined && e.state !== 'Z' && e.state !== 'X';
    });
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes still alive after ${options.timeoutMs ?? 5_000} ms: ${alive.join(' ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
