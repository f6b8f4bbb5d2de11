// Overview: counts (products, devices, online devices, firmware), the active plans with their
// progress, the version distribution per product and the success rate per day; the next step
// when there is nothing yet.
import { Card, Col, Row, Statistic, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { unwrap } from '../api/api-client.ts';
import { useApi } from '../auth/session-context.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { useNotify } from '../components/use-notify.ts';
import { useT } from '../i18n/i18n-context.tsx';
import { ActivePlansCard } from './overview/active-plans-card.tsx';
import { SuccessRateChart } from './overview/success-rate-chart.tsx';
import { VersionChart } from './overview/version-chart.tsx';

const limit = 100;

function countOf(page: { items: unknown[]; nextCursor: string | null }): string {
  return page.nextCursor ? `${page.items.length}+` : String(page.items.length);
}

export function OverviewPage() {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const [counts, setCounts] = useState<{
    products: string;
    devices: string;
    online: string;
    firmware: string;
  } | null>(null);

  useEffect(() => {
    const query = { params: { query: { limit } } };
    Promise.all([
      unwrap(api.GET('/api/v1/products', query)),
      // Devices are counted exactly (a fleet has thousands; issue 19: "100+").
      unwrap(api.GET('/api/v1/devices/count', {})),
      unwrap(api.GET('/api/v1/devices/count', { params: { query: { online: true } } })),
      unwrap(api.GET('/api/v1/firmware', query)),
    ]).then(
      ([products, devices, online, firmware]) =>
        setCounts({
          products: countOf(products),
          devices: String(devices.count),
          online: online.exact ? String(online.count) : `${online.count}+`,
          firmware: countOf(firmware),
        }),
      (error) => notify.error(error),
    );
  }, [api, notify]);

  return (
    <>
      <PageHeader title={t('overview.title')} />
      <Row gutter={[16, 16]}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('overview.products')} value={counts?.products ?? '–'} loading={!counts} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('overview.devices')} value={counts?.devices ?? '–'} loading={!counts} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('overview.online')} value={counts?.online ?? '–'} loading={!counts} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title={t('overview.firmware')} value={counts?.firmware ?? '–'} loading={!counts} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} lg={12}>
          <ActivePlansCard />
        </Col>
        <Col xs={24} lg={12}>
          <VersionChart />
        </Col>
        <Col xs={24} lg={12}>
          <SuccessRateChart />
        </Col>
      </Row>
      {counts?.products === '0' && (
        <Typography.Paragraph style={{ marginTop: 24 }}>{t('overview.next')}</Typography.Paragraph>
      )}
    </>
  );
}
