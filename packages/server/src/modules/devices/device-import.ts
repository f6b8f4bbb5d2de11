// Bulk registration: rows are checked one by one and inserted in batches of one transaction
// each, so an import of any size holds at most two batches in memory: the rows of the next batch
// are read and checked while the database stores the current one (one insert at a time, in
// order), which kept the database idle half the time when they took turns (issue 25).
import { isUpdraftError, UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import { checkDeviceName, checkTags, checkVersions } from './device-rules.ts';
import type { DeviceCredential, DeviceStore, NewDevice } from './device-store.ts';

// One transaction, and one commit waiting for the disk, per batch: at 5,000 rows PostgreSQL's COPY
// path took about 20% less database time than at 1,000 (issue 25), for a few MB more in memory.
export const importBatchSize = 5000;

/** One row of an import: the raw fields of a device, or why the row could not be read. */
export type ImportRow =
  | { line: number; fields: Record<string, unknown> }
  | { line: number; error: UpdraftError };

export type ImportLine =
  | { line: number; id: number; name: string; secret: string }
  | { line: number; error: { code: string; message: string } }
  | { summary: { created: number; failed: number; error?: { code: string; message: string } } };

export interface ImportDeps {
  store: DeviceStore;
  products: {
    getProduct(id: number): Promise<{ id: number; nodeType: string }>;
    listModules(productId: number): Promise<{ name: string }[]>;
  };
  clock: Clock;
  newCredential(): DeviceCredential & { secret: string };
}

const rowFields = new Set(['name', 'gatewayId', 'tags', 'versions']);

const errorOf = (error: UpdraftError) => ({ code: error.code, message: error.message });

type Draft = Omit<NewDevice, keyof DeviceCredential>;
type Pending = { line: number; device: Draft } | { line: number; error: UpdraftError };

export async function* importDevices(
  { store: deviceStore, products, clock, newCredential }: ImportDeps,
  productId: number,
  rows: AsyncIterable<ImportRow>,
): AsyncGenerator<ImportLine[]> {
  const product = await products.getProduct(productId);
  const modules = new Set((await products.listModules(productId)).map((m) => m.name));
  let created = 0;
  let failed = 0;
  let committed = false;
  let pending: Pending[] = [];
  let inFlight: Promise<ImportLine[]> | undefined;

  function check(fields: Record<string, unknown>): Draft {
    for (const key of Object.keys(fields)) {
      if (!rowFields.has(key))
        throw new UpdraftError('UNKNOWN_FIELD', `unknown field ${key}`, { field: key });
    }
    const gatewayId = fields['gatewayId'] ?? null;
    if (gatewayId !== null && (!Number.isSafeInteger(gatewayId) || (gatewayId as number) < 1)) {
      throw new UpdraftError('VALIDATION_FAILED', 'gatewayId is a device id', { field: 'gatewayId' });
    }
    if (gatewayId !== null && product.nodeType !== 'subdevice') {
      throw new UpdraftError('VALIDATION_FAILED', 'only devices of a subdevice product have a gateway', {
        field: 'gatewayId',
      });
    }
    return {
      productId,
      name: checkDeviceName(fields['name']),
      gatewayId: gatewayId as number | null,
      tags: checkTags(fields['tags'] ?? []),
      versions: checkVersions(fields['versions'] ?? {}, modules),
    };
  }

  /** Stores a batch; its answer lines, in row order. */
  async function store(batch: Pending[]): Promise<ImportLine[]> {
    const wanted = batch.flatMap((p) =>
      'device' in p && p.device.gatewayId !== null ? [p.device.gatewayId] : [],
    );
    const gateways = await deviceStore.findGatewayIds([...new Set(wanted)]);
    const inserts: NewDevice[] = [];
    const secrets: string[] = [];
    // Per row of the batch: its error, or its index among the inserts.
    const slots = batch.map((p) => {
      if ('error' in p) return p;
      const gatewayId = p.device.gatewayId;
      if (gatewayId !== null && !gateways.has(gatewayId)) {
        const message = `device ${gatewayId} is not a device of a gateway product`;
        return {
          line: p.line,
          error: new UpdraftError('VALIDATION_FAILED', message, { field: 'gatewayId' }),
        };
      }
      const { secret, ...credential } = newCredential();
      secrets.push(secret);
      return { line: p.line, index: inserts.push({ ...p.device, ...credential }) - 1 };
    });
    const outcomes = await deviceStore.insertMany(inserts, clock.now());
    committed = true;
    const lines: ImportLine[] = [];
    for (const slot of slots) {
      if ('error' in slot) {
        failed += 1;
        lines.push({ line: slot.line, error: errorOf(slot.error) });
        continue;
      }
      const outcome = outcomes[slot.index];
      const { name } = inserts[slot.index]!;
      if (outcome && 'device' in outcome) {
        created += 1;
        lines.push({ line: slot.line, id: outcome.device.id, name, secret: secrets[slot.index]! });
      } else {
        failed += 1;
        lines.push({
          line: slot.line,
          error: { code: 'DEVICE_NAME_TAKEN', message: `product ${productId} has a device ${name}` },
        });
      }
    }
    return lines;
  }

  /** Waits for the batch being stored, if any, and answers its rows. */
  async function* settle(): AsyncGenerator<ImportLine[]> {
    const storing = inFlight;
    inFlight = undefined;
    if (storing) yield await storing;
  }

  /** Starts storing the pending rows once the batch before them is stored and answered. */
  async function* flush(): AsyncGenerator<ImportLine[]> {
    yield* settle();
    const batch = pending;
    pending = [];
    inFlight = store(batch);
    // Awaited by the next settle(); until then a failure must not count as unhandled.
    inFlight.catch(() => {});
  }

  try {
    for await (const row of rows) {
      if ('error' in row) pending.push(row);
      else {
        try {
          pending.push({ line: row.line, device: check(row.fields) });
        } catch (error) {
          if (!isUpdraftError(error)) throw error;
          pending.push({ line: row.line, error });
        }
      }
      if (pending.length >= importBatchSize) yield* flush();
    }
  } catch (error) {
    // The batch being stored is answered first; nothing stored yet: the caller can still answer
    // with a plain error status.
    yield* settle();
    if (!committed || !isUpdraftError(error)) throw error;
    yield [{ summary: { created, failed, error: errorOf(error) } }];
    return;
  }
  if (pending.length > 0) yield* flush();
  yield* settle();
  yield [{ summary: { created, failed } }];
}
