// PATCH bodies applied to the current object, by patch type.

import type { ResourceInfo } from '../api/resources.js';
import { ApiError } from '../api/errors.js';
import type { KubeObject, PatchType } from '../client/types.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../api/patch/index.js';

export function applyPatch(info: ResourceInfo, current: KubeObject, type: PatchType, patch: unknown): KubeObject {
  switch (type) {
    case 'json':
      return applyJsonPatch<KubeObject>(current, patch);
    case 'merge':
      return applyMergePatch<KubeObject>(current, patch);
    case 'strategic':
      // custom resources have no Go struct tags to merge by: upstream refuses the patch type
      if (info.custom) {
        throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      }
      return applyStrategicMergePatch<KubeObject>(current, patch, info.definition);
    case 'apply':
      // server-side apply without field ownership: the applied configuration merged the
      // strategic way onto the live object (fields it omits are kept, not removed)
      return applyStrategicMergePatch<KubeObject>(current, patch, info.definition);
  }
}
