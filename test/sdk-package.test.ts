// The device SDK as a device maker installs it, on the Node versions devices run: `npm run
// pack:sdk` (scripts/pack-sdk.ts) builds @updraft/sdk, @updraft/protocol and @updraft/delta into
// npm tarballs, unpacked here under a node_modules of their own (mqtt beside them, the optional
// peer an MQTT device adds). test/support/packed-sdk-device.mjs then runs on Node 18, 20, 22 and
// 24 (test/support/node-binaries.ts: the system's, or Node's builds from the npm registry) against
// `updraft serve`: it restores a delta, loads the full delta entry, and takes an upgrade over HTTP
// and one over MQTT from a plan.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { diff } from '@updraft/delta';
import { skipReason, testDatabaseKind } from '../packages/server/src/test-support/test-database.ts';
import { packSdk } from '../scripts/pack-sdk.ts';
import { nodeForTest } from './support/node-binaries.ts';
import { image, startUpgradeFlows, type UpgradeFlows, waitFor } from './support/upgrade-flows.ts';

const root = resolve(import.meta.dirname, '..');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
// Packaging does not depend on the database: one pass (SQLite) builds and runs it.
const skip =
  testDatabaseKind === 'postgres'
    ? 'packaging is tested in the SQLite pass'
    : ((await skipReason()) ?? false);

describe('the SDK packages (npm run pack:sdk) on the Node versions devices run', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'updraft-sdk-package-'));
  const app = join(dir, 'device-app');
  let u: UpgradeFlows;
  const old = image(96 * 1024, 3);
  const fresh = Buffer.from(old);
  fresh.set([1, 2, 3, 4, 5], 5000);

  before(async () => {
    const tarballs = packSdk(join(dir, 'tarballs'));
    assert.deepEqual(
      tarballs.map((t) => t.split('/').pop()),
      ['updraft-protocol-0.1.0.tgz', 'updraft-delta-0.1.0.tgz', 'updraft-sdk-0.1.0.tgz'],
    );
    for (const [index, name] of ['protocol', 'delta', 'sdk'].entries()) {
      const tarball = tarballs[index]!;
      const target = join(app, 'node_modules', '@updraft', name);
      mkdirSync(target, { recursive: true });
      execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      assert.doesNotMatch(listing, /\.ts$(?<!\.d\.ts)/m, `${name}: no TypeScript sources`);
      assert.match(listing, /package\/dist\/index\.d\.ts/, `${name}: declarations`);
    }
    // mqtt, as `npm install mqtt` would add it (its own dependencies resolve from its real path).
    symlinkSync(join(root, 'node_modules', 'mqtt'), join(app, 'node_modules', 'mqtt'));
    copyFileSync(join(root, 'test', 'support', 'packed-sdk-device.mjs'), join(app, 'main.mjs'));
    writeFileSync(join(dir, 'old.bin'), old);
    writeFileSync(join(dir, 'patch.bin'), (await diff(old, fresh, { profile: 'linux' })).patch);
    u = await startUpgradeFlows();
  });
  after(async () => {
    await u?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('declare the Node versions they run on, and that mqtt and coap are optional peers', () => {
    const manifest = JSON.parse(
      execFileSync('cat', [join(app, 'node_modules', '@updraft', 'sdk', 'package.json')], {
        encoding: 'utf8',
      }),
    );
    assert.deepEqual(manifest.engines, { node: '>=18' });
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@updraft/delta', '@updraft/protocol']);
    assert.deepEqual(manifest.peerDependenciesMeta, { coap: { optional: true }, mqtt: { optional: true } });
    assert.equal(manifest.devDependencies, undefined);
    // Without mqtt beside it, an HTTP device loads and an MQTT device is told what to install.
    const bare = join(dir, 'http-only-app');
    mkdirSync(join(bare, 'node_modules'), { recursive: true });
    cpSync(join(app, 'node_modules', '@updraft'), join(bare, 'node_modules', '@updraft'), {
      recursive: true,
    });
    writeFileSync(
      join(bare, 'main.mjs'),
      `import { createDevice } from '@updraft/sdk';
const device = createDevice({ server: 'http://127.0.0.1:9', transport: 'mqtt', mqttUrl: 'mqtt://127.0.0.1:9',
  credentials: { productKey: 'p', name: 'n', secret: 's' }, stateDir: 'state', modules: {} });
await device.start().catch((error) => console.log(error.code, error.message));
`,
    );
    const output = execFileSync(process.execPath, ['main.mjs'], { cwd: bare, encoding: 'utf8' });
    assert.match(output, /^INVALID_ARGUMENT .*npm install mqtt/);
  });

  for (const major of [18, 20, 22, 24]) {
    it(`on Node ${major}: restore a delta and take upgrades over HTTP and MQTT from updraft serve`, async (t) => {
      const node = nodeForTest(t, major);
      if (!node) return;
      const product = await u.product(`packed-node-${major}`);
      const firmware = image(80 * 1024, major);
      const pkg = await u.upload(product.id, '2.0', firmware);
      const http = await u.register(product, `http-${major}`);
      const mqtt = await u.register(product, `mqtt-${major}`);
      const plan = await u.plan({ name: `node ${major}`, productId: product.id, firmwarePackageId: pkg.id });
      const input = {
        server: u.server.base,
        mqttUrl: u.mqttUrl,
        stateDir: u.stateDir(`node-${major}`),
        delta: { old: join(dir, 'old.bin'), patch: join(dir, 'patch.bin') },
        http: { productKey: http.productKey, name: http.name, secret: http.secret },
        mqtt: { productKey: mqtt.productKey, name: mqtt.name, secret: mqtt.secret },
      };
      const { stdout } = await promisify(execFile)(node.path, ['main.mjs'], {
        cwd: app,
        env: { PATH: process.env['PATH'] ?? '', UPDRAFT_PACKED_TEST: JSON.stringify(input) },
        timeout: 60_000,
      });
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.equal(result.node, node.version);
      assert.ok(result.codes > 0);
      assert.equal(result.deltaSha256, sha256(fresh), 'the patch restores the new image');
      const [maj, min] = node.version.split('.').map(Number) as [number, number];
      const hasZstd = maj > 22 || (maj === 22 && min >= 15);
      assert.match(result.diff, hasZstd ? /^ok \d+$/ : /^DELTA_UNSUPPORTED_RUNTIME$/);
      for (const [transport, device] of [
        ['http', http],
        ['mqtt', mqtt],
      ] as const) {
        assert.equal(result[transport].image, sha256(firmware), `${transport}: the package was installed`);
        assert.deepEqual(result[transport].versions, { default: '2.0' });
        assert.deepEqual(result[transport].outcomes, ['success']);
        await waitFor(`${transport} device ${device.id} succeeded`, async () =>
          (await u.upgradeOf(plan.id, device.id))?.status === 'success' ? true : undefined,
        );
      }
    });
  }
});
