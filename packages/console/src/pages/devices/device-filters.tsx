// The device list's filters; each maps to a query parameter of GET /devices.
import { Input, Select, Space } from 'antd';
import { useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { DeviceQuery } from '../../api/types.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi } from '../../auth/session-context.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';

function withValue<K extends keyof DeviceQuery>(
  query: DeviceQuery,
  key: K,
  value: DeviceQuery[K] | undefined,
) {
  const next = { ...query };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
}

export function DeviceFilters({
  value,
  onChange,
}: {
  value: DeviceQuery;
  onChange(next: DeviceQuery): void;
}) {
  const t = useT();
  const api = useApi();
  const [version, setVersion] = useState('');
  const groups = usePagedList(`groups?product=${value.productId ?? ''}`, () =>
    unwrap(
      api.GET('/api/v1/groups', {
        params: { query: { limit: 100, ...(value.productId && { productId: value.productId }) } },
      }),
    ),
  );
  const set = <K extends keyof DeviceQuery>(key: K, next: DeviceQuery[K] | undefined) =>
    onChange(withValue(value, key, next));

  return (
    <Space wrap style={{ marginBottom: 16 }}>
      <Input.Search
        allowClear
        placeholder={t('devices.name')}
        aria-label={t('devices.name')}
        onSearch={(q) => set('q', q.trim())}
        style={{ width: 180 }}
      />
      <ProductSelect
        allowClear
        placeholder={t('devices.product')}
        aria-label={t('devices.product')}
        value={value.productId}
        onChange={(productId) =>
          onChange(withValue(withValue(value, 'groupId', undefined), 'productId', productId))
        }
      />
      <Input.Search
        allowClear
        placeholder={t('devices.version')}
        aria-label={t('devices.version')}
        value={version}
        onChange={(event) => setVersion(event.target.value)}
        onSearch={(v) => set('version', v.trim())}
        style={{ width: 150 }}
      />
      <Select<number>
        allowClear
        placeholder={t('devices.group')}
        aria-label={t('devices.group')}
        value={value.groupId}
        onChange={(groupId) => set('groupId', groupId)}
        options={groups.items.map((g) => ({ value: g.id, label: g.name }))}
        style={{ minWidth: 150 }}
      />
      <Input.Search
        allowClear
        placeholder={t('devices.tag')}
        aria-label={t('devices.tag')}
        onSearch={(tag) => set('tag', tag.trim())}
        style={{ width: 140 }}
      />
      <Select<'all' | 'yes' | 'no'>
        aria-label={t('devices.online')}
        value={value.online === undefined ? 'all' : value.online ? 'yes' : 'no'}
        onChange={(online) => set('online', online === 'all' ? undefined : online === 'yes')}
        options={[
          { value: 'all', label: `${t('devices.online')}: ${t('app.all')}` },
          { value: 'yes', label: t('devices.status.online') },
          { value: 'no', label: t('devices.status.offline') },
        ]}
        style={{ minWidth: 130 }}
      />
    </Space>
  );
}
