// Answering the console's questions (antd Popconfirm) in browser tests. The question zooms in
// for about 0.2 s; a click while it moves can land beside its button (playwright-core takes a
// box as stable after two equal animation frames, which a loaded machine can give mid-zoom), and
// then nothing happens: one CI run waited 30 s for a question that had never been answered. So
// the click waits until the popover has stopped moving, and the answer waits until it is gone.
import type { Page } from 'playwright-core';

/** Waits for the open question that says `text`, clicks `button` in it and waits until it closes. */
export async function answerQuestion(page: Page, text: string | RegExp, button: string): Promise<void> {
  const question = page.getByRole('tooltip').filter({ hasText: text });
  await question.waitFor();
  await question.evaluate(
    (element) =>
      new Promise<void>((resolve) => {
        const popover = element.closest('.ant-popover') ?? element;
        const moving = () =>
          /-(appear|enter)\b/.test(popover.className) ||
          popover
            .getAnimations({ subtree: true })
            .some((animation: { playState: string }) => animation.playState !== 'finished');
        const check = () => (moving() ? setTimeout(check, 20) : resolve());
        check();
      }),
  );
  await question.getByRole('button', { name: button, exact: true }).click();
  await question.waitFor({ state: 'hidden' });
}
