// Overview: first counts and the next step. Charts come with the plans engine (issue 8, later).
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../api/api-client.ts';
import { useApi } from '../auth/session-context.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { useNotify } from '../components/use-notify.ts';
import { useT } from '../i18n/i18n-context.tsx';

const limit = 100;

function countOf(page: { items: unknown[]; nextCursor: string | null }): string {
  return page.nextCursor ? `${page.items.length}+` : String(page.items.length);
}

export function OverviewPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [counts, setCounts] = useState<{ products: string; devices: string; firmware: string } | null>(null);

  useEffect(() => {
    const query = { params: { query: { limit } } };
    Promise.all([
      unwrap(api.GET('/api/v1/products', query)),
      unwrap(api.GET('/api/v1/devices', query)),
      unwrap(api.GET('/api/v1/firmware', query)),
    ]).then(
      ([products, devices, firmware]) =>
        setCounts({ products: countOf(products), devices: countOf(devices), firmware: countOf(firmware) }),
      (error) => notify.error(error),
    );
  }, [api, notify]);

  return (
    <>
      <PageHeader title={t('overview.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic title={t('overview.products')} value={counts?.products ?? '–'} loading={!counts} />
          </Card>
        </Col>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic title={t('overview.devices')} value={counts?.devices ?? '–'} loading={!counts} />
          </Card>
        </Col>
        <Col xs={24} sm={8}>
          <Card>
            <Statistic title={t('overview.firmware')} value={counts?.firmware ?? '–'} loading={!counts} />
          </Card>
        </Col>
      </Row>
      {counts?.products === '0' && (
        <Typography.Paragraph style={{ marginTop: 24 }}>{t('overview.next')}</Typography.Paragraph>
      )}
    </>
  );
}
