// Sign-in: POST /auth/login; the session cookie is set by the server, the CSRF token kept in memory.
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useSession } from '../auth/session-context.tsx';
import { LanguageSwitch } from '../components/language-switch.tsx';
import { useNotify } from '../components/use-notify.ts';
import { useT } from '../i18n/i18n-context.tsx';

const signInCard = {
  width: '100%',
  maxWidth: 380,
  padding: 24,
  background: '#fff',
  border: '1px solid #f0f0f0',
  borderRadius: 8,
} as const;

export function SignInPage({ expired }: { expired: boolean }) {
  const t = useT();
  const { signIn } = useSession();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    try {
      await signIn(values.username, values.password);
    } catch (error) {
      notify.error(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}
    >
      {/* A card drawn by hand: antd's Card brings its tabs (and their menu) into the first script. */}
      <main style={signInCard}>
        <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('signIn.title')}
          </Typography.Title>
          <LanguageSwitch />
        </Flex>
        {expired && <Alert type="info" showIcon message={t('signIn.expired')} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="username" label={t('signIn.username')} rules={[{ required: true }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn.submit')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          {t('signIn.hint')}
        </Typography.Paragraph>
      </main>
    </Flex>
  );
}
