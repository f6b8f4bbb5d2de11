// `npm run test:c` step 1: builds every C target and the test data once, before the test files
// (which node --test runs in parallel) use them.

import { make } from './support/build.ts';
import { makeFixtures } from './support/fixtures.ts';

const started = performance.now();
make('all', 'check-cc', 'asan', 'fuzz', 'cortex-m');
const fixtures = await makeFixtures();
process.stdout.write(
  `device-c: built, ${fixtures.pairs.length} pairs and ${fixtures.mutations.length} damaged patches ready ` +
    `(${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
);
