// `updraft migrate`: applies pending database migrations (safe to run from several places at once).
import { loadConfig, runMigrations } from '@updraft/server';
import { fail } from '../output.ts';

export async function run(_argv: string[]): Promise<number> {
  try {
    const config = loadConfig(process.env);
    const applied = await runMigrations(config);
    const where = config.database.kind === 'sqlite' ? config.database.path : 'PostgreSQL';
    process.stdout.write(
      applied.length ? `applied migrations ${applied.join(', ')} to ${where}\n` : `${where} is up to date\n`,
    );
    return 0;
  } catch (error) {
    return fail(error);
  }
}
