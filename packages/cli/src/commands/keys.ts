// `updraft keys list | create NAME --role R | revoke ID`
import { parseArgs } from 'node:util';
import { type Role, roles, UpdraftError } from '@updraft/core';
import { loadConfig, openAdminTools } from '@updraft/server';
import { fail, printTable } from '../output.ts';

const usage = `usage: updraft keys list
       updraft keys create NAME --role admin|operator|viewer
       updraft keys revoke ID
`;

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' } },
  });
  const [action, arg] = positionals;
  if (!action || (action !== 'list' && !arg)) {
    process.stderr.write(usage);
    return 2;
  }
  try {
    const tools = await openAdminTools(loadConfig(process.env));
    try {
      switch (action) {
        case 'list': {
          const keys = [];
          for (let after: number | undefined, more = true; more; ) {
            const page = await tools.accounts.listApiKeys({}, { after, limit: 500 });
            keys.push(...page.items);
            more = page.next !== null;
            after = page.next ?? undefined;
          }
          printTable(
            keys.map((k) => ({
              id: k.id,
              name: k.name,
              prefix: k.prefix,
              role: k.role,
              revoked: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
            })),
          );
          return 0;
        }
        case 'create': {
          if (!values.role || !(roles as readonly string[]).includes(values.role)) {
            throw new UpdraftError('VALIDATION_FAILED', `--role must be one of ${roles.join(', ')}`);
          }
          const { key, secret } = await tools.accounts.createApiKey(null, {
            name: arg!,
            role: values.role as Role,
          });
          process.stdout.write(
            `created key ${key.id} (${key.role}); the secret is shown only now:\n${secret}\n`,
          );
          return 0;
        }
        case 'revoke': {
          if (!/^[1-9]\d{0,15}$/.test(arg!)) {
            throw new UpdraftError(
              'VALIDATION_FAILED',
              `a key id is a whole number (see keys list), not ${arg}`,
            );
          }
          const key = await tools.accounts.revokeApiKey(Number(arg));
          process.stdout.write(`revoked key ${key.id} (${key.name})\n`);
          return 0;
        }
        default:
          process.stderr.write(usage);
          return 2;
      }
    } finally {
      await tools.close();
    }
  } catch (error) {
    return fail(error);
  }
}
