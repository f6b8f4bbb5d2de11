// A device program on the packed SDK, in plain JavaScript for whichever Node runs it (18 and
// later): test/sdk-package.test.ts installs the tarballs of `npm run pack:sdk` beside it and runs
// it with each Node version against `updraft serve`. It restores a delta with the device entry of
// @updraft/delta, loads the package's full entry, takes one upgrade over HTTP and one over MQTT,
// and prints what happened as one JSON line.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { applyBuffer } from '@updraft/delta/apply';
import { createDevice, sdkErrorCodes } from '@updraft/sdk';

const input = JSON.parse(process.env.UPDRAFT_PACKED_TEST ?? '{}');
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const out = { node: process.versions.node, codes: sdkErrorCodes.length };

const rebuilt = await applyBuffer(await readFile(input.delta.old), await readFile(input.delta.patch));
out.deltaSha256 = sha256(rebuilt);

// The full entry (with the diff) loads too; its zstd size estimate needs Node 22.15 or later.
const full = await import('@updraft/delta');
try {
  const { patch } = await full.diff(rebuilt.subarray(0, 4096), rebuilt.subarray(0, 4096), { profile: 'mcu' });
  out.diff = `ok ${patch.length}`;
} catch (error) {
  out.diff = error.code ?? String(error);
}

/** Starts an SDK device with one module on 1.0 and resolves with the sha256 it was given to install. */
async function upgrade(transport, credentials) {
  let resolveInstalled;
  const installed = new Promise((resolve) => {
    resolveInstalled = resolve;
  });
  const device = createDevice({
    server: input.server,
    transport,
    mqttUrl: input.mqttUrl,
    credentials,
    stateDir: `${input.stateDir}/${transport}`,
    modules: {
      default: {
        version: '1.0',
        async install({ path }) {
          resolveInstalled(sha256(await readFile(path)));
        },
      },
    },
  });
  await device.start();
  const timer = setInterval(() => {
    if (transport === 'http') device.checkNow().catch(() => {});
  }, 200);
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${transport}: no upgrade within 20 s`)), 20_000),
  );
  try {
    const image = await Promise.race([installed, timeout]);
    await device.idle();
    return { image, versions: device.versions(), outcomes: device.results().map((r) => r.outcome) };
  } finally {
    clearInterval(timer);
    await device.stop();
  }
}

out.http = await upgrade('http', input.http);
out.mqtt = await upgrade('mqtt', input.mqtt);
console.log(JSON.stringify(out));
process.exit(0);
