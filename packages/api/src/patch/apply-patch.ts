import { badRequest, unsupportedMediaType } from '../errors.js';
import type { KObject } from '../types.js';
import { applyJsonPatch, JSON_PATCH_MEDIA_TYPE } from './json-patch.js';
import { isJsonObject } from './json-value.js';
import { applyMergePatch, MERGE_PATCH_MEDIA_TYPE } from './merge-patch.js';
import { applyStrategicMergePatch, STRATEGIC_MERGE_PATCH_MEDIA_TYPE } from './strategic-merge-patch.js';

/** The PATCH body media types kjobs accepts, in the order kube-apiserver lists them. */
export const PATCH_MEDIA_TYPES: readonly string[] = [JSON_PATCH_MEDIA_TYPE, MERGE_PATCH_MEDIA_TYPE, STRATEGIC_MERGE_PATCH_MEDIA_TYPE];

/**
 * Apply a PATCH request body (already parsed from JSON) to the stored object, choosing the engine by
 * the request's Content-Type: JSON patch, JSON merge patch, or strategic merge patch for `kind`.
 * Returns a new object; never mutates `target`.
 *
 * Errors: 415 with kube-apiserver's wording for any other media type (server-side apply
 * `application/apply-patch+yaml` included), 400/413/422 from the engines, 400 when the result is
 * not an object.
 */
export function applyPatch(contentType: string | undefined, target: KObject, patch: unknown, kind: string): KObject {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let out: unknown;
  switch (mediaType) {
    case JSON_PATCH_MEDIA_TYPE: out = applyJsonPatch(target, patch); break;
    case MERGE_PATCH_MEDIA_TYPE: out = applyMergePatch(target, patch); break;
    case STRATEGIC_MERGE_PATCH_MEDIA_TYPE: out = applyStrategicMergePatch(target, patch, kind); break;
    default:
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_MEDIA_TYPES.join(', ')}`,
      );
  }
  if (!isJsonObject(out)) throw badRequest('the patch did not produce an object');
  if (!isJsonObject(out.metadata)) out.metadata = {};
  return out as unknown as KObject;
}
