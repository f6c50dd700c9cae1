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
 * the request's Content-Type (media type compared without parameters or case): JSON patch, JSON
 * merge patch, or strategic merge patch for `kind`. Returns a new object; never mutates `target`.
 *
 * Errors: 415 with kube-apiserver's wording for any other media type (server-side apply
 * `application/apply-patch+yaml` included); 400 for a merge or strategic patch that is not a JSON
 * object, a JSON patch that is not an array, or a result that is not an object; 400/413/422 from
 * the engines. A result without metadata gets an empty one; metadata of the wrong type is left for
 * the decoder to refuse.
 */
export function applyPatch(contentType: string | undefined, target: KObject, patch: unknown, kind: string): KObject {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let out: unknown;
  switch (mediaType) {
    case JSON_PATCH_MEDIA_TYPE:
      if (!Array.isArray(patch)) throw badRequest('the JSON patch must be an array of operations');
      out = applyJsonPatch(target, patch);
      break;
    case MERGE_PATCH_MEDIA_TYPE:
      if (!isJsonObject(patch)) throw badRequest('the merge patch must be a JSON object');
      out = applyMergePatch(target, patch);
      break;
    case STRATEGIC_MERGE_PATCH_MEDIA_TYPE:
      if (!isJsonObject(patch)) throw badRequest('the strategic merge patch must be a JSON object');
      out = applyStrategicMergePatch(target, patch, kind);
      break;
    default:
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: ${PATCH_MEDIA_TYPES.join(', ')}`,
      );
  }
  if (!isJsonObject(out)) throw badRequest('the patch did not produce an object');
  if (out.metadata === undefined || out.metadata === null) out.metadata = {};
  return out as unknown as KObject;
}
