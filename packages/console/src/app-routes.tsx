// Which page shows for which path, once the session is known.
import { Flex, Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router-dom';
import { useCan, useSession } from './auth/session-context.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';

// Pages load on first visit, and so does the frame (menu, header): the first script carries the
// sign-in page only, which keeps what a browser loads before it under its budget
// (test/console/console-assets.test.ts).
const AppLayout = lazy(() => import('./components/app-layout.tsx').then((m) => ({ default: m.AppLayout })));
const NotFoundPage = lazy(() =>
  import('./pages/not-found-page.tsx').then((m) => ({ default: m.NotFoundPage })),
);
const DeviceDetailPage = lazy(() =>
  import('./pages/devices/device-detail-page.tsx').then((m) => ({ default: m.DeviceDetailPage })),
);
const DevicesPage = lazy(() =>
  import('./pages/devices/devices-page.tsx').then((m) => ({ default: m.DevicesPage })),
);
const FirmwarePage = lazy(() =>
  import('./pages/firmware/firmware-page.tsx').then((m) => ({ default: m.FirmwarePage })),
);
const GroupsPage = lazy(() =>
  import('./pages/groups/groups-page.tsx').then((m) => ({ default: m.GroupsPage })),
);
const OverviewPage = lazy(() =>
  import('./pages/overview-page.tsx').then((m) => ({ default: m.OverviewPage })),
);
const PlansPage = lazy(() => import('./pages/plans/plans-page.tsx').then((m) => ({ default: m.PlansPage })));
const PlanCreatePage = lazy(() =>
  import('./pages/plans/plan-create-page.tsx').then((m) => ({ default: m.PlanCreatePage })),
);
const PlanEditPage = lazy(() =>
  import('./pages/plans/plan-edit-page.tsx').then((m) => ({ default: m.PlanEditPage })),
);
const PlanPage = lazy(() => import('./pages/plans/plan-page.tsx').then((m) => ({ default: m.PlanPage })));
const ProductDetailPage = lazy(() =>
  import('./pages/products/product-detail-page.tsx').then((m) => ({ default: m.ProductDetailPage })),
);
const ProductsPage = lazy(() =>
  import('./pages/products/products-page.tsx').then((m) => ({ default: m.ProductsPage })),
);
const ApiKeysPage = lazy(() =>
  import('./pages/settings/api-keys-page.tsx').then((m) => ({ default: m.ApiKeysPage })),
);
const WebhooksPage = lazy(() =>
  import('./pages/settings/webhooks-page.tsx').then((m) => ({ default: m.WebhooksPage })),
);
const EndUserTokensPage = lazy(() =>
  import('./pages/settings/enduser-tokens-page.tsx').then((m) => ({ default: m.EndUserTokensPage })),
);
const AuditLogPage = lazy(() =>
  import('./pages/audit/audit-log-page.tsx').then((m) => ({ default: m.AuditLogPage })),
);
const UsersPage = lazy(() =>
  import('./pages/settings/users-page.tsx').then((m) => ({ default: m.UsersPage })),
);

export function AppRoutes() {
  const { state } = useSession();
  const isAdmin = useCan('admin');
  const isOperator = useCan('operator');
  const loading = (
    <Flex align="center" justify="center" style={{ minHeight: '100vh' }}>
      <Spin size="large" />
    </Flex>
  );
  if (state.status === 'loading') return loading;
  if (state.status === 'signed-out') return <SignInPage expired={state.expired} />;
  return (
    <Suspense fallback={loading}>
      <Routes>
        <Route element={<AppLayout />}>
          <Route index element={<OverviewPage />} />
          <Route path="products" element={<ProductsPage />} />
          <Route path="products/:id" element={<ProductDetailPage />} />
          <Route path="devices" element={<DevicesPage />} />
          <Route path="devices/:id" element={<DeviceDetailPage />} />
          <Route path="groups" element={<GroupsPage />} />
          <Route path="firmware" element={<FirmwarePage />} />
          <Route path="plans" element={<PlansPage />} />
          <Route path="plans/new" element={isOperator ? <PlanCreatePage /> : <NotFoundPage />} />
          <Route path="plans/:id" element={<PlanPage />} />
          <Route path="plans/:id/edit" element={isOperator ? <PlanEditPage /> : <NotFoundPage />} />
          {isAdmin && <Route path="settings/api-keys" element={<ApiKeysPage />} />}
          {isAdmin && <Route path="settings/users" element={<UsersPage />} />}
          {isAdmin && <Route path="settings/webhooks" element={<WebhooksPage />} />}
          {isAdmin && <Route path="settings/audit-log" element={<AuditLogPage />} />}
          {isOperator && <Route path="settings/enduser-tokens" element={<EndUserTokensPage />} />}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
