// Writes a set of EndpointSlice changes and records them in the tracker, as both slice controllers do.
import { findResource } from '../../api/resources.ts';
import { isNamespaceTerminating, isStatusError } from '../../api/status.ts';
import type { EndpointSlice } from '../../api/types.ts';
import type { KubeClient } from '../../client/client.ts';
import type { SliceTracker } from './slice-tracker.ts';
import { LABEL_SERVICE_NAME } from './well-known.ts';

const ENDPOINT_SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** Creates, then updates, then deletes, as upstream: consumers never see a Service with fewer endpoints than both states. */
export async function applySliceChanges(client: KubeClient, tracker: SliceTracker, target: { key: string; namespace: string; changes: SliceChanges }): Promise<void> {
  const { key, namespace, changes } = target;
  for (const slice of changes.create) {
    try {
      tracker.recordWrite(key, await client.create<EndpointSlice>(ENDPOINT_SLICES, slice));
    } catch (e) {
      if (isNamespaceTerminating(e)) return;
      throw e;
    }
  }
  for (const slice of changes.update) tracker.recordWrite(key, await client.update<EndpointSlice>(ENDPOINT_SLICES, slice));
  for (const slice of changes.delete) {
    try {
      await client.delete(ENDPOINT_SLICES, namespace, slice.metadata.name!);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
    tracker.recordDeletion(key, slice);
  }
}

/** `namespace/service` of the Service a slice belongs to. */
export function sliceServiceKey(s: EndpointSlice): string {
  return `${s.metadata.namespace}/${s.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;
}
