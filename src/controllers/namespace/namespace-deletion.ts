// What the namespace deleter decides: which resources to empty, the status conditions that report progress
// (upstream's five NamespaceDeletion*/NamespaceContent*/NamespaceFinalizers* conditions) and the finalize body.
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';

export const KUBERNETES_FINALIZER = 'kubernetes';

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Namespace extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

/** What one pass over the namespace's content found. */
export interface ContentTotals {
  /** "plural.group" (upstream spells core resources "pods.") → objects left. */
  remainingByResource: Record<string, number>;
  /** finalizer → objects left that carry it. */
  remainingByFinalizer: Record<string, number>;
  /** One message per resource whose deletion failed. */
  deleteErrors: string[];
}

const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const OK: Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** The namespace is being deleted and still waits for us. */
export function needsContentDeletion(ns: Namespace): boolean {
  return Boolean(ns.metadata.deletionTimestamp) && (ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER);
}

/** Namespaced resources to empty; events last, so what the others report while going survives as long as possible. */
export function namespacedResources(resources: readonly ResourceInfo[]): ResourceInfo[] {
  const namespaced = resources.filter((r) => r.isNamespaced);
  return [...namespaced.filter((r) => r.kind !== 'Event'), ...namespaced.filter((r) => r.kind === 'Event')];
}

/** Counts what is left of one resource in the namespace, by resource and by the finalizers holding it. */
export function tallyRemaining(totals: ContentTotals, r: ResourceInfo, items: readonly KubeObject[]): void {
  if (items.length === 0) return;
  const key = `${r.plural}.${r.group}`;
  totals.remainingByResource[key] = (totals.remainingByResource[key] ?? 0) + items.length;
  for (const item of items) {
    for (const f of item.metadata.finalizers ?? []) totals.remainingByFinalizer[f] = (totals.remainingByFinalizer[f] ?? 0) + 1;
  }
}

export function isContentGone(totals: ContentTotals): boolean {
  return totals.deleteErrors.length === 0 && Object.values(totals.remainingByResource).every((n) => n === 0);
}

/** The five conditions as they should read after this pass (lastTransitionTime left to mergeConditions). */
export function deletionConditions(totals: ContentTotals): NamespaceCondition[] {
  const failed = new Map<string, NamespaceCondition>();
  if (totals.deleteErrors.length) {
    const msgs = [...totals.deleteErrors].sort();
    failed.set('NamespaceDeletionContentFailure', {
      type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
    });
  }
  const resources = Object.entries(totals.remainingByResource).filter(([, n]) => n > 0).map(([r, n]) => `${r} has ${n} resource instances`).sort();
  if (resources.length) {
    failed.set('NamespaceContentRemaining', { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
  }
  const finalizers = Object.entries(totals.remainingByFinalizer).filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
  if (finalizers.length) {
    failed.set('NamespaceFinalizersRemaining', { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}` });
  }
  return CONDITION_TYPES.map((type) => failed.get(type) ?? { type, status: 'False', ...OK[type] });
}

/** Existing conditions updated with `next`; transition times move only when a status flips. */
export function mergeConditions(existing: readonly NamespaceCondition[], next: readonly NamespaceCondition[], now: Date): { conditions: NamespaceCondition[]; hasChanged: boolean } {
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = existing.map((c) => ({ ...c }));
  let hasChanged = false;
  for (const n of next) {
    const old = conditions.find((c) => c.type === n.type);
    if (!old) {
      conditions.push({ ...n, lastTransitionTime: ts });
      hasChanged = true;
    } else if (old.status !== n.status || old.reason !== n.reason || old.message !== n.message) {
      if (old.status !== n.status) old.lastTransitionTime = ts;
      Object.assign(old, { status: n.status, reason: n.reason, message: n.message });
      hasChanged = true;
    }
  }
  return { conditions, hasChanged };
}

/** The namespace as sent to PUT .../finalize: spec.finalizers without "kubernetes". */
export function finalizedNamespace(ns: Namespace): Namespace {
  return { ...ns, spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) } };
}
