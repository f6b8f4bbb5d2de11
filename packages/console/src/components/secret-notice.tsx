// A secret the server shows only once (device secret, API key), with a copy button.
import { Alert, App, Typography } from 'antd';

export function SecretNotice({ warning, secret }: { warning: string; secret: string }) {
  return (
    <>
      <Alert type="warning" showIcon message={warning} style={{ marginBottom: 12 }} />
      <Typography.Paragraph
        copyable={{ text: secret }}
        code
        data-testid="secret"
        style={{ wordBreak: 'break-all' }}
      >
        {secret}
      </Typography.Paragraph>
    </>
  );
}

/**
 * Shows a secret just created (an API key, an end-user token, a webhook's HMAC secret) in a
 * dialog of its own: `title` above the warning that it is shown once, and the secret.
 */
export function useSecretDialog(): (title: string, warning: string, secret: string) => void {
  const { modal } = App.useApp();
  return (title, warning, secret) => {
    modal.success({ title, width: 560, content: <SecretNotice warning={warning} secret={secret} /> });
  };
}
