// PostgreSQL: a batch of an import through COPY FROM STDIN (issue 25). The statement path
// (insertManyPostgres) plans one INSERT … ON CONFLICT with its CTEs per batch and joins the
// created rows back to their input; COPY takes the rows as they are, with ids drawn from the
// devices' sequence beforehand so that versions and tags need no join. COPY has no ON CONFLICT:
// a name already taken makes the database refuse the batch, which then goes the statement way.
import type { BatchOutcome, NewDevice } from '../../../modules/devices/device-store.ts';
import { type CopyTransaction, copyText } from '../pg-copy.ts';

/**
 * PostgreSQL's class 23, integrity constraint violation (a unique name, a foreign key), or a
 * deadlock (40P01) with a concurrent import of the same names in another order.
 */
function isRefusal(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code);
  return code.startsWith('23') || code === '40P01';
}

const deviceColumns =
  'id, product_id, name, secret_salt, secret_hash, gateway_id, online, tags, created_at, updated_at';

/**
 * Stores the batch in one transaction: the devices, then their versions and tags. A name repeated
 * in the batch creates its device from its first row only, the later rows are `taken`, as on the
 * statement path. Undefined, with nothing stored, when the database refused a row (a name taken
 * before or meanwhile, a gateway deleted meanwhile, a deadlock with another import): the caller then stores the batch by statement,
 * which decides row by row.
 */
export async function copyMany(
  transaction: CopyTransaction,
  inputs: NewDevice[],
  now: number,
): Promise<BatchOutcome[] | undefined> {
  const seen = new Set<string>();
  const isFirst = inputs.map((input) => {
    const key = `${input.productId}/${input.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const firsts = inputs.filter((_, i) => isFirst[i]);
  try {
    return await transaction(async (session) => {
      const drawn = await session.query<{ id: number }>(
        `select nextval(s) as id from (select pg_get_serial_sequence('devices', 'id')::regclass as s) q,
          generate_series(1, $1)`,
        [firsts.length],
      );
      const ids = drawn.map((row) => Number(row.id)).sort((a, b) => a - b);
      let devices = '';
      let versions = '';
      let tags = '';
      for (const [i, input] of firsts.entries()) {
        const id = ids[i]!;
        devices += `${id}\t${input.productId}\t${copyText(input.name)}\t${copyText(input.secretSalt)}\t${copyText(
          input.secretHash,
        )}\t${copyText(input.gatewayId)}\t0\t${copyText(JSON.stringify(input.tags))}\t${now}\t${now}\n`;
        for (const [module, version] of Object.entries(input.versions))
          versions += `${id}\t${copyText(module)}\t${copyText(version)}\t${now}\n`;
        for (const tag of input.tags) tags += `${id}\t${copyText(tag)}\n`;
      }
      await session.copy(`copy devices (${deviceColumns}) from stdin`, devices);
      if (versions)
        await session.copy(
          'copy device_versions (device_id, module, version, reported_at) from stdin',
          versions,
        );
      if (tags) await session.copy('copy device_tags (device_id, tag) from stdin', tags);
      let next = 0;
      return inputs.map((input, i): BatchOutcome => {
        if (!isFirst[i]) return { taken: true };
        const id = ids[next++]!;
        return {
          device: {
            id,
            productId: input.productId,
            name: input.name,
            gatewayId: input.gatewayId,
            online: false,
            lastSeenAt: null,
            signal: null,
            battery: null,
            freeSpace: null,
            tags: input.tags,
            createdAt: now,
            updatedAt: now,
          },
        };
      });
    });
  } catch (error) {
    if (isRefusal(error)) return undefined;
    throw error;
  }
}
