// Picks devices of one product by name (first 100 matches, searched on the server as you type).
import { Select } from 'antd';
import { useState } from 'react';
import { unwrap } from '../api/api-client.ts';
import { usePagedList } from '../api/use-paged-list.ts';
import { useApi } from '../auth/session-context.tsx';

interface Props {
  productId: number | undefined;
  value?: number[] | undefined;
  onChange?: (value: number[]) => void;
  placeholder?: string;
  id?: string;
}

export function DeviceSelect({ productId, value, onChange, placeholder, id }: Props) {
  const api = useApi();
  const [q, setQ] = useState('');
  const devices = usePagedList(`devices?product=${productId ?? ''}&q=${q}`, async () =>
    productId === undefined
      ? { items: [], nextCursor: null }
      : unwrap(api.GET('/api/v1/devices', { params: { query: { limit: 100, productId, ...(q && { q }) } } })),
  );
  return (
    <Select<number[]>
      id={id}
      mode="multiple"
      showSearch
      filterOption={false}
      onSearch={setQ}
      loading={devices.loading}
      value={value}
      onChange={(next) => onChange?.(next)}
      placeholder={placeholder}
      allowClear
      disabled={productId === undefined}
      options={devices.items.map((d) => ({ value: d.id, label: d.name }))}
    />
  );
}
