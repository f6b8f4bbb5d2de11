// The console's entry point (Vite builds it into dist/, served by the server at `/`).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './global.css';
import { I18nProvider } from './i18n/i18n-context.tsx';
import { Root } from './root.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <Root />
    </I18nProvider>
  </StrictMode>,
);
