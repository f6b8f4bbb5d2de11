#!/usr/bin/env node
// updraft-agent [--config FILE] [--check-config] [--version]: the agent as systemd runs it
// (packages/agent/systemd/updraft-agent.service). Exit codes: 0 stopped by SIGTERM or SIGINT,
// 78 (EX_CONFIG) a configuration the unit should not restart on, 1 anything else.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAgent } from './agent.ts';
import { AgentConfigError, loadConfig } from './config.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The ready-made hooks sit beside src/ (and dist/ in the built package). */
const hooksDir = join(here, '..', 'hooks');
const EX_CONFIG = 78;

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  if (process.argv.includes('--version')) {
    const manifest = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    log(manifest.version);
    return 0;
  }
  if (process.argv.includes('--help')) {
    log('usage: updraft-agent [--config FILE] [--check-config] [--version]   (docs/agent.md)');
    return 0;
  }
  const file = argument('--config') ?? '/etc/updraft/agent.json';
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(file, hooksDir);
  } catch (error) {
    if (!(error instanceof AgentConfigError)) throw error;
    process.stderr.write(`updraft-agent: ${error.message}\n`);
    return EX_CONFIG;
  }
  if (process.argv.includes('--check-config')) {
    const subs = config.subDevices.map((s) => `${s.username} (${Object.keys(s.modules).join(', ')})`);
    log(`${file}: ok`);
    log(`  device     ${config.credentials.productKey}.${config.credentials.name} over ${config.transport}`);
    log(`  modules    ${Object.keys(config.modules).join(', ') || '(none)'}`);
    if (subs.length > 0) log(`  sub-devices ${subs.join('; ')}`);
    log(`  state      ${config.stateDir}`);
    return 0;
  }
  const agent = createAgent(config, { log });
  const stopped = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log(`${signal}: stopping`);
        void agent.stop().then(() => resolve(0));
      });
    }
  });
  // A signal during the start (which runs the upgrades a first check brings) stops it too.
  return Promise.race([agent.start().then(() => stopped), stopped]);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const coded = error as { code?: string; message?: string };
    process.stderr.write(
      `updraft-agent: ${coded.code ? `${coded.code} ` : ''}${coded.message ?? String(error)}\n`,
    );
    process.exit(1);
  },
);
