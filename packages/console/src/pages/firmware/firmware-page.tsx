// Firmware packages: list (by product) with verification status and signature state; upload, download, delta
// generation and the verification plan for operators and admins; the delta jobs below.
import { CloudUploadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { unwrap } from '../../api/api-client.ts';
import type { FirmwarePackage } from '../../api/types.ts';
import { useNames } from '../../api/use-names.ts';
import { usePagedList } from '../../api/use-paged-list.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProductSelect } from '../../components/product-select.tsx';
import { useT } from '../../i18n/i18n-context.tsx';
import { verifiedTagColor } from '../../theme/contrast-colors.ts';
import { DeltaCreateModal } from './delta-create-modal.tsx';
import { DeltaJobsCard } from './delta-jobs-card.tsx';
import { FirmwareChangeButtons, FirmwareDetails } from './firmware-details.tsx';
import { FirmwareUploadModal } from './firmware-upload-modal.tsx';
import { formatBytes } from './format-bytes.ts';
import { SignatureTag } from './signature-tag.tsx';

export function FirmwarePage() {
  const t = useT();
  const api = useApi();
  const canUpload = useCan('operator');
  const [productId, setProductId] = useState<number | undefined>();
  const [uploading, setUploading] = useState(false);
  const [deltaTarget, setDeltaTarget] = useState<FirmwarePackage | null>(null);
  const [jobsVersion, setJobsVersion] = useState(0);
  const navigate = useNavigate();
  const packages = usePagedList(`firmware?product=${productId ?? ''}`, (cursor) =>
    unwrap(
      api.GET('/api/v1/firmware', {
        params: { query: { limit: 50, ...(productId && { productId }), ...(cursor && { cursor }) } },
      }),
    ),
  );

  // A gateway's "default" package must not look like a meter's: each row names its product.
  const products = useNames(
    packages.items.map((p) => p.productId),
    async (id) => (await unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } }))).name,
  );

  const uploadButton = canUpload && (
    <Button type="primary" icon={<CloudUploadOutlined />} onClick={() => setUploading(true)}>
      {t('firmware.upload')}
    </Button>
  );
  return (
    <>
      <PageHeader title={t('firmware.title')} actions={uploadButton} />
      <Card>
        <ProductSelect
          allowClear
          placeholder={t('firmware.product')}
          value={productId}
          onChange={setProductId}
          style={{ minWidth: 200, marginBottom: 16 }}
        />
        <Table<FirmwarePackage>
          rowKey="id"
          loading={packages.loading}
          dataSource={packages.items}
          pagination={false}
          scroll={{ x: 720 }}
          expandable={{ expandedRowRender: (row) => <FirmwareDetails firmware={row} /> }}
          locale={{
            emptyText: packages.loading ? (
              ' '
            ) : (
              <EmptyState text={t('firmware.empty')} action={uploadButton} />
            ),
          }}
          columns={[
            {
              title: t('firmware.name'),
              dataIndex: 'name',
              render: (name: string, row) => (
                <>
                  <strong>{name}</strong>
                  {row.remark && (
                    <div>
                      <Typography.Text type="secondary">{row.remark}</Typography.Text>
                    </div>
                  )}
                </>
              ),
            },
            {
              title: t('firmware.product'),
              dataIndex: 'productId',
              render: (productId: number) => (
                <Link to={`/products/${productId}`}>{products.get(productId) ?? `#${productId}`}</Link>
              ),
            },
            { title: t('firmware.version'), dataIndex: 'version' },
            { title: t('firmware.module'), dataIndex: 'module', render: (m: string) => <code>{m}</code> },
            {
              title: t('firmware.type'),
              dataIndex: 'type',
              render: (type: FirmwarePackage['type'], row) => (
                <Tag color={type === 'delta' ? 'purple' : 'blue'}>
                  {t(`firmware.type.${type}`)}
                  {row.sourceVersion ? ` ← ${row.sourceVersion}` : ''}
                </Tag>
              ),
            },
            {
              title: t('firmware.files'),
              dataIndex: 'files',
              render: (files: FirmwarePackage['files'], row) =>
                files.map((file) => (
                  <div key={file.position}>
                    {canUpload ? (
                      <a href={`/api/v1/firmware/${row.id}/files/${file.position}`}>{file.name}</a>
                    ) : (
                      file.name
                    )}
                  </div>
                )),
            },
            {
              title: t('firmware.size'),
              dataIndex: 'totalSize',
              render: (size: number) => formatBytes(size),
            },
            {
              title: t('firmware.verification'),
              key: 'verified',
              // The verification plan's result (one test device, at most an hour), where it has one.
              render: (_: unknown, row: FirmwarePackage) =>
                row.verified ? (
                  <Tag color={verifiedTagColor}>{t('firmware.verified')}</Tag>
                ) : row.verification?.state === 'running' || row.verification?.state === 'failed' ? (
                  <Tag color={row.verification.state === 'failed' ? 'error' : 'processing'}>
                    {t(`firmware.verification.${row.verification.state}`)}
                  </Tag>
                ) : (
                  <Tag>{t('firmware.notVerified')}</Tag>
                ),
            },
            {
              title: t('firmware.signature'),
              key: 'signature',
              render: (_: unknown, row: FirmwarePackage) => <SignatureTag packageId={row.id} />,
            },
            { title: t('firmware.createdBy'), dataIndex: 'createdBy', responsive: ['lg'] },
            {
              title: t('app.createdAt'),
              dataIndex: 'createdAt',
              responsive: ['md'],
              render: (at: string) => new Date(at).toLocaleString(),
            },
            {
              title: t('app.actions'),
              key: 'actions',
              render: (_: unknown, row: FirmwarePackage) => (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => navigate(`/plans?firmwarePackageId=${row.id}`)}>
                    {t('firmware.plans')}
                  </Button>
                  {canUpload && (
                    <>
                      {row.type === 'full' && row.files.length === 1 && (
                        <Button size="small" onClick={() => setDeltaTarget(row)}>
                          {t('delta.generate')}
                        </Button>
                      )}
                      {!row.verified && (
                        <Button
                          size="small"
                          onClick={() =>
                            navigate(
                              `/plans/new?productId=${row.productId}&firmwarePackageId=${row.id}&verification=1`,
                            )
                          }
                        >
                          {t('firmware.verify')}
                        </Button>
                      )}
                      <FirmwareChangeButtons firmware={row} onChanged={packages.reload} />
                    </>
                  )}
                </Space>
              ),
            },
          ]}
        />
        {packages.hasMore && (
          <Button onClick={packages.loadMore} loading={packages.loading} style={{ marginTop: 16 }}>
            {t('app.loadMore')}
          </Button>
        )}
      </Card>
      <DeltaJobsCard
        productId={productId}
        version={jobsVersion}
        versionOf={(id) => packages.items.find((p) => p.id === id)?.version}
        onFinished={packages.reload}
      />
      <DeltaCreateModal
        target={deltaTarget}
        onClose={(requested) => {
          setDeltaTarget(null);
          if (requested) setJobsVersion((v) => v + 1);
        }}
      />
      <FirmwareUploadModal
        open={uploading}
        defaultProductId={productId}
        onClose={(uploaded) => {
          setUploading(false);
          if (uploaded) packages.reload();
        }}
      />
    </>
  );
}
