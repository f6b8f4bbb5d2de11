// A firmware package's signature state (docs/signing.md, issue 20): signed by which key, unsigned,
// or not valid for new plans (its key revoked, retired past its cut-off, or unknown), with the
// security version and signing time in the tooltip. GET /firmware/{id}/signature per package:
// the list does not carry it.
import { Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { SignatureState } from '../../api/types.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useT } from '../../i18n/i18n-context.tsx';

const colors: Record<SignatureState['state'], string> = {
  valid: 'success',
  retired: 'gold',
  unsigned: 'default',
  expired: 'error',
  revoked: 'error',
  unknown_key: 'error',
};

export function SignatureTag({ packageId }: { packageId: number }) {
  const t = useT();
  const api = useApi();
  const [signature, setSignature] = useState<SignatureState | null>(null);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/v1/firmware/{id}/signature', { params: { path: { id: packageId } } })).then(
      (answer) => live && setSignature(answer),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api, packageId]);
  if (!signature) return null;
  const { state, keyId, securityVersion, signedAt } = signature;
  const tag = (
    <Tag color={colors[state]} data-testid={`signature-${packageId}`}>
      {t(`signature.${state}`, { keyId: keyId ?? '' })}
    </Tag>
  );
  if (state === 'unsigned') return tag;
  return (
    <Tooltip
      title={t('signature.detail', {
        securityVersion: securityVersion ?? '–',
        at: signedAt ? new Date(signedAt).toLocaleString() : '–',
      })}
    >
      {tag}
    </Tooltip>
  );
}
