// Shows an API error's message (or a success) through antd's App message; never a blank page.
import { App } from 'antd';
import { useMemo } from 'react';
import { messageOf } from '../api/api-error.ts';

export interface Notify {
  error(error: unknown): void;
  success(text: string): void;
}

export function useNotify(): Notify {
  const { message } = App.useApp();
  return useMemo(
    () => ({
      error: (error) => void message.error(messageOf(error), 6),
      success: (text) => void message.success(text),
    }),
    [message],
  );
}
