// Every migration, in order. Append only: a released migration never changes.
import { migration as foundation } from './0001-foundation.ts';
import { migration as plans } from './0002-plans.ts';
import { migration as downloadTokens } from './0003-download-tokens.ts';
import { migration as deltaJobs } from './0004-delta-jobs.ts';
import { migration as webhooks } from './0005-webhooks.ts';
import { migration as productAccessKeys } from './0006-product-access-keys.ts';
import type { Migration } from './migration.ts';

export const migrations: readonly Migration[] = [
  foundation,
  plans,
  downloadTokens,
  deltaJobs,
  webhooks,
  productAccessKeys,
];
