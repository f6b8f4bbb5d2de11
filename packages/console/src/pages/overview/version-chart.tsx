// Version distribution per product and module (GET /products/:id/fleet), as horizontal bars drawn
// in SVG, for the first products.
import { Card, Empty, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import { useApi } from '../../auth/session-context.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';

interface Fleet {
  product: string;
  rows: { module: string; version: string; devices: number }[];
}

const palette = ['#1677ff', '#52c41a', '#faad14', '#722ed1', '#13c2c2', '#eb2f96', '#8c8c8c'];

function Bars({ product, rows }: { product: string; rows: Fleet['rows'] }) {
  const top = Math.max(1, ...rows.map((r) => r.devices));
  const height = rows.length * 24;
  return (
    <svg viewBox={`0 0 600 ${height}`} width="100%" role="img" style={{ maxHeight: height }}>
      <title>{product}</title>
      {rows.map((row, i) => (
        <g key={`${row.module}:${row.version}`} transform={`translate(0 ${i * 24})`}>
          <text x="0" y="15" fontSize="12" fill="#595959">
            {row.module} {row.version}
          </text>
          <rect
            x="180"
            y="4"
            width={(row.devices / top) * 360}
            height="16"
            fill={palette[i % palette.length]}
          />
          <text x={186 + (row.devices / top) * 360} y="16" fontSize="12" fill="#595959">
            {row.devices}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function VersionChart() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [fleets, setFleets] = useState<Fleet[] | null>(null);

  useEffect(() => {
    (async () => {
      const products = await unwrap(api.GET('/api/v1/products', { params: { query: { limit: 5 } } }));
      return Promise.all(
        products.items.map(async (p) => {
          const fleet = await unwrap(
            api.GET('/api/v1/products/{id}/fleet', { params: { path: { id: p.id } } }),
          );
          return { product: p.name, rows: fleet.items };
        }),
      );
    })().then(setFleets, (error) => notify.error(error));
  }, [api, notify]);

  const shown = (fleets ?? []).filter((f) => f.rows.length > 0);
  return (
    <Card title={t('overview.versions')} loading={fleets === null}>
      {shown.length === 0 && (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('overview.versionsEmpty')} />
      )}
      {shown.map((fleet) => (
        <div key={fleet.product} style={{ marginBottom: 12 }}>
          <Typography.Text strong>{fleet.product}</Typography.Text>
          <Bars product={fleet.product} rows={fleet.rows} />
        </div>
      ))}
    </Card>
  );
}
