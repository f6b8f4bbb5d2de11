// A secret the server shows only once (device secret, API key), with a copy button.
import { Alert, Typography } from 'antd';

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
