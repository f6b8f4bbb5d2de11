// The audit log's filters: who (user:{name} or key:{name}, as the log names them), which entity
// and id, and a time range (local time in the browser, sent as ISO 8601).
import { AutoComplete, Input, Space } from 'antd';
import { useState } from 'react';
import type { AuditQuery } from '../../api/types.ts';
import { useT } from '../../i18n/i18n-context.tsx';

export type AuditFilter = Pick<AuditQuery, 'actor' | 'entity' | 'entityId' | 'from' | 'to'>;

// The entities of the management API's routes (the first segment, singular: audit-change.ts).
const entities = [
  'api-key',
  'auth',
  'delta-job',
  'device',
  'device-upgrade',
  'enduser-token',
  'firmware',
  'group',
  'plan',
  'plan-settings',
  'product',
  'user',
  'webhook',
];

/** A `datetime-local` value (local time) as ISO 8601, or undefined when empty or not a time. */
function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

export function AuditFilters({ onChange }: { onChange(filter: AuditFilter): void }) {
  const t = useT();
  const [draft, setDraft] = useState({ actor: '', entity: '', entityId: '', from: '', to: '' });
  const apply = (next: typeof draft) => {
    setDraft(next);
    const filter: AuditFilter = {};
    if (next.actor.trim()) filter.actor = next.actor.trim();
    if (next.entity.trim()) filter.entity = next.entity.trim();
    if (next.entityId.trim()) filter.entityId = next.entityId.trim();
    const from = isoOf(next.from);
    const to = isoOf(next.to);
    if (from) filter.from = from;
    if (to) filter.to = to;
    onChange(filter);
  };
  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <Input.Search
        allowClear
        aria-label={t('audit.actor')}
        placeholder={t('audit.actor.placeholder')}
        onSearch={(actor) => apply({ ...draft, actor })}
        style={{ width: 220 }}
      />
      <AutoComplete
        allowClear
        aria-label={t('audit.entity')}
        placeholder={t('audit.entity')}
        options={entities.map((value) => ({ value }))}
        filterOption={(input, option) => (option?.value ?? '').startsWith(input)}
        onChange={(entity: string | undefined) => apply({ ...draft, entity: entity ?? '' })}
        style={{ width: 170 }}
      />
      <Input.Search
        allowClear
        aria-label={t('audit.entityId')}
        placeholder={t('audit.entityId')}
        onSearch={(entityId) => apply({ ...draft, entityId })}
        style={{ width: 140 }}
      />
      <Input
        type="datetime-local"
        aria-label={t('audit.from')}
        addonBefore={t('audit.from')}
        value={draft.from}
        onChange={(e) => apply({ ...draft, from: e.target.value })}
        style={{ width: 260 }}
      />
      <Input
        type="datetime-local"
        aria-label={t('audit.to')}
        addonBefore={t('audit.to')}
        value={draft.to}
        onChange={(e) => apply({ ...draft, to: e.target.value })}
        style={{ width: 260 }}
      />
    </Space>
  );
}
