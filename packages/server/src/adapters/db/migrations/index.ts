// Every migration, in order. Append only: a released migration never changes.
import { migration as foundation } from './0001-foundation.ts';
import { migration as plans } from './0002-plans.ts';
import { migration as downloadTokens } from './0003-download-tokens.ts';
import { migration as deltaJobs } from './0004-delta-jobs.ts';
import { migration as webhooks } from './0005-webhooks.ts';
import { migration as productAccessKeys } from './0006-product-access-keys.ts';
import { migration as blobOrphans } from './0007-blob-orphans.ts';
import { migration as apiKeyOwners } from './0008-api-key-owners.ts';
import { migration as moduleCodes } from './0009-module-codes.ts';
import { migration as planComponents } from './0010-plan-components.ts';
import { migration as packageNames } from './0011-package-names.ts';
import { migration as planNames } from './0012-plan-names.ts';
import { migration as endUsers } from './0013-end-users.ts';
import { migration as refusals } from './0014-refusals.ts';
import { migration as auditLog } from './0015-audit-log.ts';
import { migration as planWaves } from './0016-plan-waves.ts';
import { migration as upgradeFromVersion } from './0017-upgrade-from-version.ts';
import { migration as liveEvents } from './0018-live-events.ts';
import { migration as signing } from './0019-signing.ts';
import { migration as deviceFreeSpace } from './0020-device-free-space.ts';
import { migration as upgradePages } from './0021-upgrade-pages.ts';
import { migration as upgradeLogRetention } from './0022-upgrade-log-retention.ts';
import { migration as deviceCounts } from './0023-device-counts.ts';
import type { Migration } from './migration.ts';

export const migrations: readonly Migration[] = [
  foundation,
  plans,
  downloadTokens,
  deltaJobs,
  webhooks,
  productAccessKeys,
  blobOrphans,
  apiKeyOwners,
  moduleCodes,
  planComponents,
  packageNames,
  planNames,
  endUsers,
  refusals,
  auditLog,
  planWaves,
  upgradeFromVersion,
  liveEvents,
  signing,
  deviceFreeSpace,
  upgradePages,
  upgradeLogRetention,
  deviceCounts,
];
