// Picks groups of one product (first 100).
import { Select } from 'antd';
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

export function GroupSelect({ productId, value, onChange, placeholder, id }: Props) {
  const api = useApi();
  const groups = usePagedList(`groups?product=${productId ?? ''}`, async () =>
    productId === undefined
      ? { items: [], nextCursor: null }
      : unwrap(api.GET('/api/v1/groups', { params: { query: { limit: 100, productId } } })),
  );
  return (
    <Select<number[]>
      id={id}
      mode="multiple"
      loading={groups.loading}
      value={value}
      onChange={(next) => onChange?.(next)}
      placeholder={placeholder}
      allowClear
      disabled={productId === undefined}
      optionFilterProp="label"
      options={groups.items.map((g) => ({ value: g.id, label: g.name }))}
    />
  );
}
