// Which pods a ReplicaSet deletes first when it scales down (upstream's ActivePodsWithRanks, with the
// PodDeletionCost and LogarithmicScaleDown behaviour that upstream enables by default).
import type { Pod } from '../../api/types.ts';
import { isPodActive, isPodReady, podReadySince } from './pod-state.ts';

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node: pods doubled up on a node go first. */
  rank: number;
}

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  const statuses = (pod.status?.containerStatuses ?? []) as { restartCount?: number }[];
  return statuses.reduce((m, s) => Math.max(m, s.restartCount ?? 0), 0);
}

function timeOf(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** "t1 is after t2", a missing time being after any real one. */
function isAfterOrMissing(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** Base-2 logarithmic age buckets (of nanoseconds, as upstream), so pods of similar age compare as equals. */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Orders newer-first in log buckets, ties broken by uid; returns undefined when the times are equal. */
function compareTimes(a: Pod, b: Pod, t1: number | undefined, t2: number | undefined, now: number | undefined): number | undefined {
  if (t1 === t2) return undefined;
  if (now === undefined || t1 === undefined || t2 === undefined) return isAfterOrMissing(t1, t2) ? -1 : 1;
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff === 0) return (a.metadata.uid ?? '') < (b.metadata.uid ?? '') ? -1 : 1;
  return diff < 0 ? -1 : 1;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: RankedPod, b: RankedPod, now?: Date): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec.nodeName ?? '';
  const nb = pb.spec.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const oa = PHASE_ORDER[pa.status?.phase ?? ''] ?? 0;
  const ob = PHASE_ORDER[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  const nowMs = now?.getTime();
  if (ra && rb) {
    const byReady = compareTimes(pa, pb, podReadySince(pa), podReadySince(pb), nowMs);
    if (byReady !== undefined) return byReady;
  }
  const restartsA = maxRestarts(pa);
  const restartsB = maxRestarts(pb);
  if (restartsA !== restartsB) return restartsB - restartsA;
  return compareTimes(pa, pb, timeOf(pa.metadata.creationTimestamp), timeOf(pb.metadata.creationTimestamp), nowMs) ?? 0;
}

/** Ranks each pod by how many active `related` pods (the owner's family) share its node. */
export function rankBySameNode(pods: readonly Pod[], related: readonly Pod[]): RankedPod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec.nodeName ?? '';
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: perNode.get(pod.spec.nodeName ?? '') ?? 0 }));
}

/** The `count` pods to delete first out of `pods`. */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], count: number, now?: Date): Pod[] {
  if (count >= pods.length) return [...pods];
  const ranked = rankBySameNode(pods, related).sort((a, b) => compareForDeletion(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
