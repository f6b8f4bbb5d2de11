import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpdraftError } from '@updraft/core';
import { type ImportLine, type ImportRow, importBatchSize, importDevices } from './device-import.ts';
import type { BatchOutcome, DeviceStore, NewDevice } from './device-store.ts';

/** A store that keeps names in memory, takes a while per batch and fails the batch `failing`. */
function fakeStore(failing?: number) {
  const names = new Set<string>();
  const batches: number[] = [];
  let storing = 0;
  const store = {
    findGatewayIds: async () => new Set<number>(),
    async insertMany(inputs: NewDevice[]): Promise<BatchOutcome[]> {
      storing += 1;
      assert.equal(storing, 1, 'one batch at a time');
      await new Promise((resolve) => setTimeout(resolve, 5));
      storing -= 1;
      batches.push(inputs.length);
      if (batches.length === failing) throw new UpdraftError('VALIDATION_FAILED', 'the batch failed');
      return inputs.map((input) => {
        if (names.has(input.name)) return { taken: true };
        names.add(input.name);
        return { device: { id: names.size } as never };
      });
    },
  } as unknown as DeviceStore;
  return { store, batches };
}

const deps = (store: DeviceStore) => ({
  store,
  products: { getProduct: async (id: number) => ({ id, nodeType: 'device' }), listModules: async () => [] },
  clock: { now: () => 1 },
  newCredential: () => ({ secret: 's', secretSalt: 'a', secretHash: 'h' }),
});

async function* rowsOf(names: string[], thenThrow?: UpdraftError): AsyncGenerator<ImportRow> {
  for (const [i, name] of names.entries()) yield { line: i + 2, fields: { name } };
  if (thenThrow) throw thenThrow;
}

async function collect(lines: AsyncIterable<ImportLine[]>) {
  const all: ImportLine[] = [];
  for await (const batch of lines) all.push(...batch);
  return all;
}

describe('importDevices', () => {
  it('answers every row in order, one batch stored at a time, a name repeated in a later batch taken', async () => {
    const { store, batches } = fakeStore();
    const names = Array.from({ length: 2 * importBatchSize + 10 }, (_, i) => `d${i % (importBatchSize + 5)}`);
    const lines = await collect(importDevices(deps(store), 1, rowsOf(names)));
    assert.deepEqual(batches, [importBatchSize, importBatchSize, 10]);
    assert.deepEqual(
      lines.slice(0, -1).map((l) => ('line' in l ? l.line : 0)),
      names.map((_, i) => i + 2),
    );
    assert.deepEqual(lines.at(-1), {
      summary: { created: importBatchSize + 5, failed: importBatchSize + 5 },
    });
  });

  it('answers the stored batches before the summary of an error met while reading', async () => {
    const { store } = fakeStore();
    const names = Array.from({ length: importBatchSize + 1 }, (_, i) => `d${i}`);
    const error = new UpdraftError('PAYLOAD_TOO_LARGE', 'too large');
    const lines = await collect(importDevices(deps(store), 1, rowsOf(names, error)));
    assert.equal(lines.length, importBatchSize + 1);
    assert.deepEqual(lines.at(-1), {
      summary: {
        created: importBatchSize,
        failed: 0,
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'too large' },
      },
    });
  });

  it('throws an error met before anything is stored, and summarizes a later batch that fails', async () => {
    const first = fakeStore(1);
    const few = Array.from({ length: 3 }, (_, i) => `d${i}`);
    await assert.rejects(collect(importDevices(deps(first.store), 1, rowsOf(few))), {
      code: 'VALIDATION_FAILED',
    });
    const second = fakeStore(2);
    const many = Array.from({ length: 3 * importBatchSize }, (_, i) => `d${i}`);
    const lines = await collect(importDevices(deps(second.store), 1, rowsOf(many)));
    assert.equal(lines.length, importBatchSize + 1);
    assert.deepEqual(lines.at(-1), {
      summary: {
        created: importBatchSize,
        failed: 0,
        error: { code: 'VALIDATION_FAILED', message: 'the batch failed' },
      },
    });
  });
});
