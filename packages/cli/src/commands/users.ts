// `updraft users list | add NAME --role R [--password P] | reset-password NAME | set-role NAME R | disable NAME`
import { parseArgs } from 'node:util';
import { type Role, roles, UpdraftError } from '@updraft/core';
import { loadConfig, openAdminTools } from '@updraft/server';
import { fail, printTable } from '../output.ts';

const usage = `usage: updraft users list
       updraft users add NAME --role admin|operator|viewer [--password P]
       updraft users reset-password NAME
       updraft users set-role NAME ROLE
       updraft users disable NAME | enable NAME
`;

function parseRole(value: string | undefined): Role {
  if (!value || !(roles as readonly string[]).includes(value)) {
    throw new UpdraftError('VALIDATION_FAILED', `role must be one of ${roles.join(', ')}`);
  }
  return value as Role;
}

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, password: { type: 'string' } },
  });
  const [action, name, extra] = positionals;
  if (!action || (action !== 'list' && !name)) {
    process.stderr.write(usage);
    return 2;
  }
  try {
    const tools = await openAdminTools(loadConfig(process.env));
    try {
      const find = async () => {
        let after: number | undefined;
        for (;;) {
          const page = await tools.accounts.listUsers({ q: name }, { after, limit: 500 });
          const user = page.items.find((u) => u.username === name);
          if (user) return user;
          if (page.next === null) throw new UpdraftError('NOT_FOUND', `no user ${name}`);
          after = page.next;
        }
      };
      const system = {
        kind: 'api_key' as const,
        id: 0,
        name: 'cli',
        role: 'admin' as const,
        csrfToken: null,
        ownerId: null,
      };
      switch (action) {
        case 'list': {
          const users = [];
          for (let after: number | undefined, more = true; more; ) {
            const page = await tools.accounts.listUsers({}, { after, limit: 500 });
            users.push(...page.items);
            more = page.next !== null;
            after = page.next ?? undefined;
          }
          printTable(
            users.map((u) => ({ id: u.id, username: u.username, role: u.role, disabled: u.disabled })),
          );
          return 0;
        }
        case 'add': {
          const password =
            values.password ?? (await import('node:crypto')).randomBytes(12).toString('base64url');
          const user = await tools.accounts.createUser({
            username: name!,
            password,
            role: parseRole(values.role),
          });
          process.stdout.write(
            `created ${user.username} (${user.role})${values.password ? '' : `, password: ${password}`}\n`,
          );
          return 0;
        }
        case 'reset-password': {
          const password = await tools.accounts.resetPassword(name!);
          process.stdout.write(
            `new password for ${name}: ${password}\n(shown once; their sessions were ended)\n`,
          );
          return 0;
        }
        case 'set-role':
          await tools.accounts.updateUser(system, (await find()).id, { role: parseRole(extra) });
          process.stdout.write(`${name} is now ${extra}\n`);
          return 0;
        case 'disable':
        case 'enable':
          await tools.accounts.updateUser(system, (await find()).id, { disabled: action === 'disable' });
          process.stdout.write(`${name} ${action}d\n`);
          return 0;
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
