// The plan form's live count of targeted devices: POST /plans/targets with the targeting fields,
// once they have been still for 400 ms; an answer to an older body is dropped.
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { PlanTargets, PlanTargetsInput } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';

export type TargetPreview =
  | { state: 'incomplete' }
  | { state: 'counting' }
  | { state: 'counted'; targets: PlanTargets }
  | { state: 'failed'; error: unknown };

const debounceMs = 400;

export function useTargetPreview(body: PlanTargetsInput | null): TargetPreview {
  const api = useApi();
  const [preview, setPreview] = useState<TargetPreview>({ state: 'incomplete' });
  // The form gives a new object on every render; the text says whether the body changed.
  const key = body === null ? null : JSON.stringify(body);
  useEffect(() => {
    if (key === null) {
      setPreview({ state: 'incomplete' });
      return;
    }
    let current = true;
    setPreview({ state: 'counting' });
    const timer = setTimeout(() => {
      unwrap(api.POST('/api/v1/plans/targets', { body: JSON.parse(key) as PlanTargetsInput }))
        .then((targets) => current && setPreview({ state: 'counted', targets }))
        .catch((error: unknown) => current && setPreview({ state: 'failed', error }));
    }, debounceMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, key]);
  return preview;
}
