// The three PATCH body formats kube-apiserver accepts besides server-side apply, dispatched on the media type.

import { unsupportedMediaType } from '../status.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './json-merge-patch.ts';
import type { PatchSchema } from './patch-schemas.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export type { PatchSchema, PatchStrategy } from './patch-schemas.ts';
export { patchSchemaFor } from './patch-schemas.ts';
export { applyJsonPatch } from './json-patch.ts';
export { applyMergePatch } from './json-merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export const PATCH_MEDIA_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

/**
 * Applies `patch` (already parsed from JSON) to `current` and returns a new value; the inputs are not mutated.
 * Throws StatusError: 415 for an unknown media type, 400 or 422 for a malformed or failing patch.
 */
export function applyPatch(contentType: string, current: unknown, patch: unknown, schema: PatchSchema): unknown {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  switch (mediaType) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, patch);
    case 'application/merge-patch+json':
      return applyMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(current, patch, schema);
    default:
      throw unsupportedMediaType(contentType);
  }
}
