// The signed-in frame: a collapsible side bar on wide screens, a drawer behind a menu button on
// narrow ones (below antd's `lg`), the header with the language switch and the user, and the page
// in an error boundary. The live event stream is open while someone is signed in.
import { ApiOutlined, LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Grid, Layout, Skeleton, Space, Tag, Typography } from 'antd';
import { Suspense, useState } from 'react';
import { Outlet, useLocation } from 'react-router-dom';
import { LiveEventsProvider } from '../api/live-events.tsx';
import { useSession } from '../auth/session-context.tsx';
import { useT } from '../i18n/i18n-context.tsx';
import { ErrorBoundary } from './error-boundary.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { LiveStateTag } from './live-state-tag.tsx';
import { SideMenu } from './side-menu.tsx';

const brandStyle = {
  color: '#fff',
  padding: 16,
  fontWeight: 600,
  fontSize: 18,
  whiteSpace: 'nowrap',
} as const;

export function AppLayout() {
  const t = useT();
  const { state, signOut } = useSession();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = screens.lg === false;
  const [collapsed, setCollapsed] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const me = state.status === 'signed-in' ? state.me : null;

  return (
    <LiveEventsProvider>
      <Layout style={{ minHeight: '100vh' }}>
        {!narrow && (
          <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed}>
            <div style={brandStyle}>
              <ApiOutlined /> {collapsed ? '' : t('app.name')}
            </div>
            <SideMenu />
          </Layout.Sider>
        )}
        {narrow && (
          <Drawer
            placement="left"
            width={240}
            open={drawerOpen}
            onClose={() => setDrawerOpen(false)}
            closable={false}
            styles={{ body: { padding: 0, background: '#001529' } }}
          >
            <div style={brandStyle}>
              <ApiOutlined /> {t('app.name')}
            </div>
            <SideMenu onNavigate={() => setDrawerOpen(false)} />
          </Drawer>
        )}
        <Layout>
          <Layout.Header
            style={{
              background: '#fff',
              padding: narrow ? '0 12px' : '0 24px',
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'space-between',
              gap: 12,
            }}
          >
            <div>
              {narrow && (
                <Button
                  icon={<MenuOutlined />}
                  aria-label={t('menu.open')}
                  onClick={() => setDrawerOpen(true)}
                />
              )}
            </div>
            <Space size="small">
              <LiveStateTag />
              <LanguageSwitch />
              {me && !narrow && (
                <Typography.Text>
                  {me.name} <Tag>{t(`app.role.${me.role}`)}</Tag>
                </Typography.Text>
              )}
              <Button icon={<LogoutOutlined />} onClick={() => void signOut()} aria-label={t('app.signOut')}>
                {narrow ? null : t('app.signOut')}
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content style={{ margin: narrow ? 8 : 24 }}>
            <ErrorBoundary
              key={location.pathname}
              title={t('app.error.title')}
              retryLabel={t('app.error.retry')}
            >
              <Suspense fallback={<Skeleton active />}>
                <Outlet />
              </Suspense>
            </ErrorBoundary>
          </Layout.Content>
        </Layout>
      </Layout>
    </LiveEventsProvider>
  );
}
