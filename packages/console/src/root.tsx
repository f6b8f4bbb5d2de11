// Providers in order: Ant Design locale (follows the language) and motion (off when the system
// asks for reduced motion), antd App (message, modal),
// a last-resort error boundary, the session, the router.
import { App, ConfigProvider } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { BrowserRouter } from 'react-router-dom';
import { AppRoutes } from './app-routes.tsx';
import { SessionProvider } from './auth/session-context.tsx';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { useI18n } from './i18n/i18n-context.tsx';
import { accessibleTokens, tagTextTokens } from './theme/contrast-colors.ts';
import { useReducedMotion } from './theme/reduced-motion.ts';

export function Root() {
  const { language, t } = useI18n();
  const reducedMotion = useReducedMotion();
  return (
    <ConfigProvider
      locale={language === 'zh-CN' ? zhCN : enUS}
      theme={{
        token: { ...accessibleTokens, motion: !reducedMotion },
        // An empty table's or list's words are in the disabled grey (0.25 black, 1.6:1) otherwise.
        components: {
          Table: { colorTextDisabled: accessibleTokens.colorTextDescription },
          Tag: tagTextTokens,
          List: { colorTextDisabled: accessibleTokens.colorTextDescription },
        },
      }}
    >
      <App>
        <ErrorBoundary title={t('app.error.title')} retryLabel={t('app.error.retry')}>
          <SessionProvider>
            <BrowserRouter>
              <AppRoutes />
            </BrowserRouter>
          </SessionProvider>
        </ErrorBoundary>
      </App>
    </ConfigProvider>
  );
}
