// The console's automated accessibility check (issue 19): axe-core run in the page as it stands,
// its serious and critical violations as one line each (rule, impact, what to fix, where).
// axe comes in through a <script> tag of the console's own origin, answered by the test
// (page.route), since the Content Security Policy (script-src 'self') refuses an inline one.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const axePath = '/__test-axe-core.js';
const routed = new WeakSet<Page>();

interface Found {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
  /** What is wrong with the first element, in axe's words. */
  why: string;
}

/** The page's serious and critical axe-core violations (WCAG 2.x A and AA, and best practices). */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!routed.has(page)) {
    await page.route(`**${axePath}`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }),
    );
    routed.add(page);
  }
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ url: axePath });
  const found = await page.evaluate(async () => {
    type Result = {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: unknown[]; failureSummary?: string }[];
      }[];
    };
    // The test's types know no DOM: the page's globals are reached through globalThis.
    const { axe, document } = globalThis as unknown as {
      axe: { run(context: unknown, options: object): Promise<Result> };
      document: unknown;
    };
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 4).map((n) => n.target.map(String).join(' ')),
      why: (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
    }));
  });
  return (found as Found[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) ${v.help}: ${v.targets.join(' | ')} (${v.why})`);
}
