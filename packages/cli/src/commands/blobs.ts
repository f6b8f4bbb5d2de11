// `updraft blobs migrate --to s3|fs [--dry-run]`: moves the firmware files of an existing store
// into the other one (docs/deployment.md, "Moving an existing store to S3").
import { parseArgs } from 'node:util';
import { loadConfig, migrateBlobStore } from '@updraft/server';
import { fail } from '../output.ts';

const usage = `usage: updraft blobs migrate --to s3|fs [--dry-run]

Copies every firmware file of the other store into the named one: from UPDRAFT_FIRMWARE_DIR
into the bucket of the UPDRAFT_S3_* settings (--to s3), or back (--to fs). Each file's sha256 is
checked on the way; files already there are skipped, so the command can run again.
`;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { to: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const to = values.to;
  if (positionals[0] !== 'migrate' || positionals.length !== 1 || (to !== 's3' && to !== 'fs')) {
    process.stderr.write(usage);
    return 2;
  }
  const dryRun = values['dry-run'] ?? false;
  try {
    const config = loadConfig(process.env);
    const source = to === 's3' ? config.firmwareDir : `s3://${config.s3Bucket}/${config.s3Prefix}`;
    const target = to === 's3' ? `s3://${config.s3Bucket}/${config.s3Prefix}` : config.firmwareDir;
    process.stdout.write(`${dryRun ? 'dry run: ' : ''}firmware files from ${source} to ${target}\n`);
    const report = await migrateBlobStore(config, {
      to,
      dryRun,
      onBlob(key, outcome, size) {
        if (outcome !== 'present') process.stdout.write(`  ${outcome.padEnd(7)}  ${key}  ${mib(size)}\n`);
      },
    });
    const lines = [
      dryRun
        ? `${report.toCopy} to copy, ${report.present} already there`
        : `${report.copied} copied (${mib(report.copiedBytes)}), ${report.present} already there`,
    ];
    if (report.corrupt.length > 0) {
      lines.push(
        `${report.corrupt.length} not copied: their bytes do not match their sha256 (${report.corrupt.join(', ')})`,
      );
    }
    if (report.missing.length > 0) {
      lines.push(
        `${report.missing.length} referred to by packages but in neither store: ${report.missing.join(', ')}`,
      );
    }
    const ok = report.corrupt.length === 0 && report.missing.length === 0;
    if (ok && !dryRun) {
      lines.push(
        `every file packages refer to is in the target: set UPDRAFT_FIRMWARE_STORE=${to} and restart every instance; ` +
          'run this again afterwards to copy files uploaded meanwhile.',
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    return ok ? 0 : 1;
  } catch (error) {
    return fail(error);
  }
}
