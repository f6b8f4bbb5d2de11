// The header's language switch (English / 中文).
import { Segmented } from 'antd';
import { type Language, languages, useI18n } from '../i18n/i18n-context.tsx';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <Segmented<Language>
      aria-label={t('app.language')}
      size="small"
      value={language}
      options={languages.map((l) => ({ value: l.value, label: l.label }))}
      onChange={setLanguage}
    />
  );
}
