// Delta jobs with their live progress (reloaded on delta-job events; polled every 2 s while one is
// queued or running when the event stream is not open), the outcome in words, and cancel for
// operators. `onFinished` runs when a followed job succeeds, so the package list shows the delta.
import { Button, Card, Progress, Table, Tag } from 'antd';
import { useRef, useState } from 'react';
import { unwrap } from '../../api/api-client.ts';
import type { DeltaJob } from '../../api/types.ts';
import { usePolling } from '../../api/use-polling.ts';
import { useApi, useCan } from '../../auth/session-context.tsx';
import { useNotify } from '../../components/use-notify.ts';
import { useT } from '../../i18n/i18n-context.tsx';
import { formatBytes } from './format-bytes.ts';

const statusColor: Record<DeltaJob['status'], string> = {
  queued: 'default',
  running: 'processing',
  succeeded: 'success',
  not_worthwhile: 'warning',
  failed: 'error',
  cancelled: 'default',
};
const isActive = (job: DeltaJob) => job.status === 'queued' || job.status === 'running';

export function DeltaJobsCard({
  productId,
  version,
  versionOf,
  onFinished,
}: {
  productId: number | undefined;
  version: number;
  /** A package's version when the list has it, for naming a job's packages. */
  versionOf(packageId: number): string | undefined;
  onFinished(): void;
}) {
  const t = useT();
  const api = useApi();
  const notify = useNotify();
  const canCancel = useCan('operator');
  const [live, setLive] = useState(true);
  const followed = useRef(new Set<number>());
  const jobs = usePolling(
    `delta-jobs?product=${productId ?? ''}&v=${version}`,
    async () => {
      const page = await unwrap(
        api.GET('/api/v1/delta-jobs', { params: { query: { limit: 20, ...(productId && { productId }) } } }),
      );
      const finished = page.items.filter((job) => followed.current.has(job.id) && !isActive(job));
      for (const job of page.items) if (isActive(job)) followed.current.add(job.id);
      for (const job of finished) followed.current.delete(job.id);
      if (finished.some((job) => job.status === 'succeeded')) onFinished();
      setLive(page.items.some(isActive));
      return page.items;
    },
    live,
    2000,
    (event) => event.kind === 'delta_job',
  );

  async function cancel(job: DeltaJob) {
    try {
      await unwrap(api.POST('/api/v1/delta-jobs/{id}/cancel', { params: { path: { id: job.id } } }));
      jobs.refresh();
    } catch (error) {
      notify.error(error);
    }
  }

  const items = jobs.data ?? [];
  if (items.length === 0) return null;
  return (
    <Card title={t('delta.jobs')} style={{ marginTop: 16 }}>
      <Table<DeltaJob>
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={false}
        scroll={{ x: 640 }}
        columns={[
          { title: t('firmware.module'), dataIndex: 'module', render: (m: string) => <code>{m}</code> },
          {
            title: t('delta.packages'),
            key: 'packages',
            render: (_: unknown, job) =>
              `${versionOf(job.sourcePackageId) ?? `#${job.sourcePackageId}`} → ${versionOf(job.targetPackageId) ?? `#${job.targetPackageId}`}`,
          },
          {
            title: t('plans.status'),
            dataIndex: 'status',
            render: (status: DeltaJob['status'], job) =>
              isActive(job) ? (
                <Progress
                  aria-label={t('app.progressOf', { name: t('delta.packages') })}
                  percent={job.progress}
                  size="small"
                  style={{ width: 140 }}
                />
              ) : (
                <Tag color={statusColor[status]}>{t(`delta.status.${status}`)}</Tag>
              ),
          },
          {
            title: t('delta.outcome'),
            key: 'outcome',
            render: (_: unknown, job) => {
              if (job.error) return job.error.message;
              if (job.patchSize !== null && job.fullCompressedSize !== null) {
                return t('delta.sizes', {
                  patch: formatBytes(job.patchSize),
                  full: formatBytes(job.fullCompressedSize),
                });
              }
              return '–';
            },
          },
          ...(canCancel
            ? [
                {
                  title: t('app.actions'),
                  key: 'actions',
                  render: (_: unknown, job: DeltaJob) =>
                    isActive(job) && (
                      <Button size="small" danger onClick={() => void cancel(job)}>
                        {t('app.cancel')}
                      </Button>
                    ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
