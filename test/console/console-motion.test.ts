// The console follows the system's motion preference (prefers-reduced-motion): with "reduce" Ant
// Design's motion is off, so a button has no transition; with no preference it keeps its own.
// The other browser tests run with "reduce" (console-browser.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { browserSkipReason, type ConsoleHarness, startConsole } from '../support/console-browser.ts';

const skip = browserSkipReason() ?? false;
interface CSSStyle {
  transitionDuration: string;
}

describe('the console and the motion preference', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  before(async () => {
    h = await startConsole();
  });
  after(async () => {
    await h?.close();
  });

  for (const [preference, moving] of [
    ['no-preference', true],
    ['reduce', false],
  ] as const) {
    it(`${preference}: the sign-in button ${moving ? 'has' : 'has no'} transition`, async () => {
      const { context, page } = await h.newPage({ reducedMotion: preference });
      try {
        await page.goto(h.base);
        const button = page.getByRole('button', { name: 'Sign in' });
        await button.waitFor();
        const durations: string = await button.evaluate(
          (element) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): CSSStyle }).getComputedStyle(element)
              .transitionDuration,
        );
        const longest = Math.max(...durations.split(',').map((d) => Number.parseFloat(d)));
        assert.equal(longest > 0, moving, `transition-duration ${durations}`);
      } finally {
        await context.close();
      }
    });
  }
});
