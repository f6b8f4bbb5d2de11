// The agent as a Linux host gets it: `npm run pack:agent` (scripts/pack-agent.ts) builds the .deb
// with dpkg-deb; its control fields, files and modes are what dpkg installs; the systemd unit
// passes `systemd-analyze verify`; and the unpacked package (dpkg-deb -x, as dpkg would lay it
// out) upgrades a device from `updraft serve` through the script hook on Node 18 and Node 20
// (test/support/node-binaries.ts: skipped with the reason when one cannot be had, failed under CI).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipReason, testDatabaseKind } from '../packages/server/src/test-support/test-database.ts';
import { packAgent } from '../scripts/pack-agent.ts';
import { setUpAgentSuite } from './support/agent-flows.ts';
import { nodeForTest } from './support/node-binaries.ts';

// Packaging does not depend on the database: one pass (SQLite) builds and runs it.
const skip =
  testDatabaseKind === 'postgres'
    ? 'packaging is tested in the SQLite pass'
    : ((await skipReason()) ?? false);

describe('the agent .deb (npm run pack:agent)', { skip }, () => {
  // Packed before the server starts: a minute of packing would leave the test's keep-alive
  // connections to the server idle past its keep-alive timeout.
  const packed = mkdtempSync(join(tmpdir(), 'updraft-agent-deb-'));
  const root = join(packed, 'root');
  const wrapper = join(root, 'usr', 'bin', 'updraft-agent');
  let deb: string;
  before(() => {
    deb = packAgent(join(packed, 'out'));
    execFileSync('dpkg-deb', ['-x', deb, root]);
  });
  after(() => rmSync(packed, { recursive: true, force: true }));
  const suite = setUpAgentSuite('updraft-agent-deb');

  it('declares itself for every architecture, on the Node it needs', () => {
    assert.match(deb, /updraft-agent_0\.1\.0_all\.deb$/);
    const field = (name: string) =>
      execFileSync('dpkg-deb', ['--field', deb, name], { encoding: 'utf8' }).trim();
    assert.equal(field('Package'), 'updraft-agent');
    assert.equal(field('Architecture'), 'all');
    assert.equal(field('Depends'), 'nodejs (>= 18)');
    assert.ok(Number(field('Installed-Size')) > 100);
  });

  it('installs the wrapper, the unit, the hooks (executable), the example and no type declarations', () => {
    const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    const modeOf = (path: string) =>
      new RegExp(`^(\\S+) root/root .* \\./${path.replace(/\./g, '\\.')}$`, 'm').exec(listing)?.[1];
    assert.equal(modeOf('usr/bin/updraft-agent'), '-rwxr-xr-x');
    assert.equal(modeOf('lib/systemd/system/updraft-agent.service'), '-rw-r--r--');
    for (const hook of ['rauc', 'swupdate', 'script']) {
      assert.equal(
        modeOf(`usr/lib/updraft-agent/node_modules/@updraft/agent/hooks/${hook}`),
        '-rwxr-xr-x',
        hook,
      );
    }
    assert.ok(modeOf('usr/lib/updraft-agent/node_modules/@updraft/agent/dist/main.js'));
    assert.ok(
      modeOf('usr/lib/updraft-agent/node_modules/mqtt/build/index.js'),
      'mqtt for the MQTT transport',
    );
    assert.ok(modeOf('usr/share/doc/updraft-agent/agent.example.json'));
    assert.ok(modeOf('usr/share/doc/updraft-agent/agent.md'));
    const files = listing.split('\n').map((line) => line.split(' ./')[1] ?? '');
    assert.deepEqual(
      files.filter((path) => /\.d\.ts$|\.map$|\/@types\//.test(path)),
      [],
      'no type declarations or source maps',
    );
    assert.deepEqual(
      files.filter((path) => path.includes('/@updraft/') && path.endsWith('.ts')),
      [],
      'no TypeScript sources of ours',
    );
  });

  it('ships a systemd unit that systemd-analyze verifies', (t) => {
    const probe = spawnSync('systemd-analyze', ['--version']);
    if (probe.status !== 0) {
      t.skip('systemd-analyze is not installed');
      return;
    }
    // The unit as installed, its ExecStart pointed at the unpacked wrapper.
    const unit = join(suite.dir, 'updraft-agent.service');
    writeFileSync(
      unit,
      readFileSync(join(root, 'lib', 'systemd', 'system', 'updraft-agent.service'), 'utf8').replace(
        '/usr/bin/updraft-agent',
        wrapper,
      ),
    );
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(verify.status, 0, verify.stderr);
    assert.equal(verify.stderr.trim(), '', 'no warnings');
  });

  it('refuses a Node older than 18 with a clear message', () => {
    const old = join(suite.dir, 'node16');
    writeFileSync(old, '#!/bin/sh\necho 16\n', { mode: 0o755 });
    const run = spawnSync(wrapper, ['--version'], {
      env: { PATH: '/usr/bin:/bin', UPDRAFT_AGENT_NODE: old },
      encoding: 'utf8',
    });
    assert.equal(run.status, 69);
    assert.match(run.stderr, /is Node\.js 16; 18 or later is needed/);
  });

  for (const major of [18, 20]) {
    it(`upgrades a device through the script hook, unpacked, on Node ${major}`, async (t) => {
      const node = nodeForTest(t, major);
      if (!node) return;
      const { firmware, device, plan, f } = await suite.flows.setup(`deb-node-${major}`);
      const app = join(f.dir, 'app.bin');
      writeFileSync(app, 'the 1.0 application');
      f.configure({
        modules: { default: { hook: 'script', version: '1.0', env: { TARGET: app } } },
        healthCheck: `test -s ${app}`,
      });
      const agent = f.start({ node: wrapper, command: [], env: { UPDRAFT_AGENT_NODE: node.path } });
      assert.match(
        await agent.line(/^updraft-agent for/),
        new RegExp(`on Node ${node.version.replace(/\./g, '\\.')}$`),
      );
      await agent.line(/upgraded to 2\.0/);
      await suite.flows.until(plan.id, device.id, (x) => x.status === 'success');
      assert.deepEqual(readFileSync(app), firmware);
      assert.equal(await agent.stop(), 0);
    });
  }
});
