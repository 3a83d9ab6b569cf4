// After an agent restart or crash: which pod sandboxes on this node belong to no pod any more. A pod is this
// node's when it has a directory under <data-dir>/pods (written before its netns is made), so another node's
// pods — whose netns share /run/netns — are never touched. Pure.
import { parsePodDirName } from './pod-types.ts';

export interface LeftoverInput {
  /** Directory names under <data-dir>/pods. */
  podDirs: readonly string[];
  /** Every netns name on the machine. */
  netns: readonly string[];
  /** Pod uids with a cgroup under skiff/<cluster>. */
  cgroupUids: readonly string[];
  netnsPrefix: string;
  /** Uids of the pods the API says are bound to this node. */
  podUids: ReadonlySet<string>;
}

export interface Leftover {
  uid: string;
  podDir: string;
  hasNetns: boolean;
  hasCgroup: boolean;
}

export function findLeftovers(input: LeftoverInput): Leftover[] {
  const netnsUids = new Set(input.netns.filter((n) => n.startsWith(input.netnsPrefix)).map((n) => n.slice(input.netnsPrefix.length)));
  const cgroups = new Set(input.cgroupUids);
  const out: Leftover[] = [];
  for (const dir of input.podDirs) {
    const parsed = parsePodDirName(dir);
    if (!parsed || input.podUids.has(parsed.uid)) continue;
    out.push({ uid: parsed.uid, podDir: dir, hasNetns: netnsUids.has(parsed.uid), hasCgroup: cgroups.has(parsed.uid) });
  }
  return out;
}
