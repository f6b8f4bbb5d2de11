// Firmware signing, wired: part of the composition root (app.ts), which calls this once. The
// signing service over its store, the server-held key for products that register it, and the
// delta runner's hook that signs a delta the server made (docs/signing.md).
import type { Clock } from './adapters/clock/clock.ts';
import type { Database } from './adapters/db/database.ts';
import { createKyselySigningStore } from './adapters/db/kysely-signing-store.ts';
import type { DeltaRunnerOptions } from './modules/deltas/delta-runner.ts';
import {
  createServerSigner,
  loadServerSigningKey,
  type ServerSigner,
} from './modules/signing/server-signer.ts';
import {
  createSigningService,
  type SigningDeps,
  type SigningService,
} from './modules/signing/signing-service.ts';

export interface SigningWiring {
  signing: SigningService;
  /** The server-held key, for products that register it (docs/signing.md). */
  serverSigner: ServerSigner;
  /** The delta runner's `afterStore`: signs a stored delta with the server's key, unless signed already. */
  signDelta: NonNullable<DeltaRunnerOptions['afterStore']>;
}

export function wireSigning({
  database,
  products,
  clock,
  signingKeyFile,
}: {
  database: Database;
  products: SigningDeps['products'];
  clock: Clock;
  /** UPDRAFT_SIGNING_KEY_FILE; null: the server holds no key. */
  signingKeyFile: string | null;
}): SigningWiring {
  const store = createKyselySigningStore(database.db);
  const signing = createSigningService({ store, products, clock });
  const serverSigner = createServerSigner({
    privateKey: signingKeyFile === null ? null : loadServerSigningKey(signingKeyFile),
    signing,
    store,
    products,
    clock,
  });
  return {
    signing,
    serverSigner,
    async signDelta(delta, source, target) {
      if (await signing.signatureOf(delta.id)) return;
      const signed = await serverSigner.signDelta(delta, source, target);
      if (signed) await signing.store(delta.id, signed);
    },
  };
}
