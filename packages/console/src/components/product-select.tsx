// Picks a product by name (first 100, searched on the server as you type).
import { Select } from 'antd';
import { useState } from 'react';
import { unwrap } from '../api/api-client.ts';
import { usePagedList } from '../api/use-paged-list.ts';
import { useApi } from '../auth/session-context.tsx';

interface Props {
  value?: number | undefined;
  onChange?: (value: number | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: React.CSSProperties;
  id?: string;
}

export function ProductSelect({ value, onChange, placeholder, allowClear, style, id }: Props) {
  const api = useApi();
  const [q, setQ] = useState('');
  const products = usePagedList(`products?q=${q}`, () =>
    unwrap(api.GET('/api/v1/products', { params: { query: { limit: 100, ...(q && { q }) } } })),
  );
  return (
    <Select<number>
      id={id}
      // A filter has no label that points at it: its placeholder names it.
      aria-label={id ? undefined : placeholder}
      showSearch
      filterOption={false}
      onSearch={setQ}
      loading={products.loading}
      value={value}
      onChange={(next) => onChange?.(next)}
      allowClear={allowClear}
      placeholder={placeholder}
      style={style ?? { minWidth: 200 }}
      options={products.items.map((p) => ({ value: p.id, label: p.name }))}
    />
  );
}
