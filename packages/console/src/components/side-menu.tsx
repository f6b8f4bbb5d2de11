// The navigation menu, shared by the desktop side bar and the phone drawer. Settings (API keys,
// users, webhooks, audit log) are offered to admins only; end-user tokens to operators too.
import {
  AppstoreOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  ClusterOutlined,
  DashboardOutlined,
  DeploymentUnitOutlined,
  KeyOutlined,
  MobileOutlined,
  SendOutlined,
  SettingOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Menu, type MenuProps } from 'antd';
import { useLocation, useNavigate } from 'react-router-dom';
import { useCan } from '../auth/session-context.tsx';
import { useT } from '../i18n/i18n-context.tsx';

const sections = [
  '/products',
  '/devices',
  '/groups',
  '/firmware',
  '/plans',
  '/settings/api-keys',
  '/settings/users',
  '/settings/webhooks',
  '/settings/audit-log',
  '/settings/enduser-tokens',
];

export function SideMenu({ onNavigate }: { onNavigate?: () => void }) {
  const t = useT();
  const isAdmin = useCan('admin');
  const isOperator = useCan('operator');
  const navigate = useNavigate();
  const location = useLocation();
  const selected = sections.find((s) => location.pathname.startsWith(s)) ?? '/';

  const items: MenuProps['items'] = [
    { key: '/', icon: <DashboardOutlined />, label: t('menu.overview') },
    { key: '/products', icon: <AppstoreOutlined />, label: t('menu.products') },
    { key: '/devices', icon: <MobileOutlined />, label: t('menu.devices') },
    { key: '/groups', icon: <ClusterOutlined />, label: t('menu.groups') },
    { key: '/firmware', icon: <CloudUploadOutlined />, label: t('menu.firmware') },
    { key: '/plans', icon: <DeploymentUnitOutlined />, label: t('menu.plans') },
    ...(isOperator
      ? [
          {
            key: 'settings',
            icon: <SettingOutlined />,
            label: t('menu.settings'),
            children: [
              ...(isAdmin
                ? [
                    { key: '/settings/api-keys', icon: <KeyOutlined />, label: t('menu.apiKeys') },
                    { key: '/settings/users', icon: <TeamOutlined />, label: t('menu.users') },
                    { key: '/settings/webhooks', icon: <SendOutlined />, label: t('menu.webhooks') },
                    { key: '/settings/audit-log', icon: <AuditOutlined />, label: t('menu.auditLog') },
                  ]
                : []),
              { key: '/settings/enduser-tokens', icon: <UserOutlined />, label: t('menu.endUserTokens') },
            ],
          },
        ]
      : []),
  ];

  return (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[selected]}
      defaultOpenKeys={selected.startsWith('/settings') ? ['settings'] : []}
      items={items}
      onClick={({ key }) => {
        navigate(key);
        onNavigate?.();
      }}
    />
  );
}
