// The agent's ready-made A/B hooks against `updraft serve`, with stand-ins on PATH for the tools
// that cannot run here (rauc, swupdate, fw_setenv record their arguments). A reboot is what a
// power cut and a new boot id look like to the agent: kill -9, a new boot_id, and the version
// source now saying what the bootloader booted.
import assert from 'node:assert/strict';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventually } from '../packages/server/src/test-support/mqtt-device.ts';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import type { AgentFixture } from './support/agent-child.ts';
import { setUpAgentSuite } from './support/agent-flows.ts';
import { waitFor } from './support/upgrade-flows.ts';

const skip = (await skipReason()) ?? false;

describe('updraft-agent with the RAUC and SWUpdate hooks (stand-ins on PATH)', { skip }, () => {
  const suite = setUpAgentSuite('updraft-agent-ab');

  /** Waits for the agent to ask for a reboot, then kills it (-9) before anything restarted. */
  async function killAtReboot(f: AgentFixture, agent: ReturnType<AgentFixture['start']>) {
    const asked = join(f.dir, 'reboot-asked');
    await waitFor('the reboot command', async () => (existsSync(asked) ? true : undefined));
    await agent.line(/waiting for the reboot/);
    await agent.kill9();
    unlinkSync(asked);
  }
  /** The reboot it asked for: kill -9, what the bootloader booted (`boot`), and a new boot id. */
  async function rebootInto(f: AgentFixture, agent: ReturnType<AgentFixture['start']>, boot: () => void) {
    await killAtReboot(f, agent);
    boot();
    f.reboot();
  }
  const osRelease = (f: AgentFixture, version: string) =>
    writeFileSync(join(f.dir, 'os-release'), `NAME="Meter OS"\nVERSION_ID="${version}"\n`);
  /** A version file (1.0) read by a command, and the swupdate hook with `env`. */
  function swupdate(f: AgentFixture, env: Record<string, string>) {
    const versionFile = join(f.dir, 'sw-versions');
    writeFileSync(versionFile, '1.0\n');
    const module = { hook: 'swupdate', version: { command: `cat ${versionFile}` }, env };
    return { module, boot: (version: string) => () => writeFileSync(versionFile, `${version}\n`) };
  }
  const raucModule = (f: AgentFixture) => ({
    hook: 'rauc',
    version: { file: join(f.dir, 'os-release'), key: 'VERSION_ID' },
  });

  it('RAUC: installs into the other slot, reboots, checks the version and health, marks it good', async () => {
    const { device, plan, f } = await suite.flows.setup('rauc-ok');
    osRelease(f, '1.0');
    f.configure({ modules: { default: raucModule(f) }, healthCheck: 'true' });
    const first = f.start();
    await first.line(/2\.0 installed; active after a reboot/);
    // Only the agent restarted, not the machine (same boot id): it asks for the reboot again and
    // reports nothing meanwhile.
    await killAtReboot(f, first);
    const impatient = f.start();
    await impatient.line(/the reboot asked for earlier has not happened/);
    assert.notEqual((await suite.u.upgradeOf(plan.id, device.id)).status, 'failure');
    await rebootInto(f, impatient, () => osRelease(f, '2.0'));

    const second = f.start();
    await second.line(/2\.0 goes on at activating/);
    await second.line(/upgraded to 2\.0/);
    const calls = f.calls();
    assert.equal(calls.length, 2, calls.join('\n'));
    assert.match(calls[0]!, /^rauc install \/.*\/state\/partial-[0-9a-f]{64}\.bin$/);
    assert.equal(calls[1], 'rauc status mark-good booted');
    await suite.flows.until(plan.id, device.id, (x) => x.status === 'success');
    assert.equal(await suite.flows.reportedVersion(device.id), '2.0');
    await second.stop();
  });

  it('RAUC: an unhealthy new slot is marked bad, the agent reboots into the old one and reports it', async () => {
    const { device, plan, f } = await suite.flows.setup('rauc-unhealthy');
    osRelease(f, '1.0');
    f.configure({ modules: { default: raucModule(f) }, healthCheck: 'systemctl is-active meter.service' });
    f.standIn('systemctl', 3, 'inactive\n');
    const first = f.start();
    await rebootInto(f, first, () => osRelease(f, '2.0'));
    const second = f.start();
    await second.line(/2\.0 rolled back; active after a reboot/);
    await rebootInto(f, second, () => osRelease(f, '1.0'));
    const third = f.start();
    await third.line(/2\.0 goes on at rolled-back/);
    const failed = await third.line(/2\.0 failed:/);
    assert.match(
      failed,
      /HEALTH_CHECK_FAILED .*'systemctl is-active meter\.service' exit 3.*; rolled back to 1\.0/,
    );
    const rauc = f.calls().filter((c) => c.startsWith('rauc '));
    assert.match(rauc[0]!, /^rauc install /);
    assert.deepEqual(rauc.slice(1), ['rauc status mark-bad booted'], 'never marked good');
    const upgrade = await suite.flows.until(plan.id, device.id, (x) => suite.flows.reasonOf(x) !== undefined);
    assert.equal(suite.flows.reasonOf(upgrade), 'failed');
    assert.equal(await suite.flows.reportedVersion(device.id), '1.0');
    await third.stop();
  });

  it('RAUC with a plan’s health window: confirmed after the reboot, then marked good', async () => {
    const { device, plan, f } = await suite.flows.setup('rauc-window', 64 * 1024, [], {
      healthWindowSeconds: 600,
    });
    osRelease(f, '1.0');
    f.configure({ modules: { default: raucModule(f) }, healthCheck: 'true' });
    const first = f.start();
    await rebootInto(f, first, () => osRelease(f, '2.0'));
    const second = f.start();
    await second.line(/upgraded to 2\.0/);
    assert.deepEqual(
      f
        .calls()
        .filter((c) => c.startsWith('rauc '))
        .slice(1),
      ['rauc status mark-good booted'],
    );
    const upgrade = await suite.flows.until(plan.id, device.id, (x) => x['status'] === 'success');
    assert.equal(upgrade['status'], 'success');
    await second.stop();
  });

  it('RAUC with a plan’s health window: an unhealthy new slot is rolled back and the server records rolled_back', async () => {
    const { device, plan, f } = await suite.flows.setup('rauc-window-bad', 64 * 1024, [], {
      healthWindowSeconds: 600,
    });
    osRelease(f, '1.0');
    f.configure({ modules: { default: raucModule(f) }, healthCheck: 'systemctl is-active meter.service' });
    f.standIn('systemctl', 3, 'inactive\n');
    const first = f.start();
    await rebootInto(f, first, () => osRelease(f, '2.0'));
    const second = f.start();
    await second.line(/2\.0 rolled back; active after a reboot/);
    // Between the two: the server heard that 2.0 runs and waits for its health.
    const confirming = await suite.u.upgradeOf(plan.id, device.id);
    assert.equal(confirming['stage'], 'confirming');
    await rebootInto(f, second, () => osRelease(f, '1.0'));
    const third = f.start();
    await third.line(/2\.0 failed:/);
    const upgrade = await suite.flows.until(plan.id, device.id, (x) => suite.flows.reasonOf(x) !== undefined);
    assert.equal(suite.flows.reasonOf(upgrade), 'rolled_back');
    // The version it is back on comes in its own report, after the failure's (CI saw 2.0 still).
    await eventually(async () =>
      (await suite.flows.reportedVersion(device.id)) === '1.0' ? true : undefined,
    );
    await third.stop();
  });

  it('RAUC: a bundle refused for its signature is a check failure, nothing rebooted', async () => {
    const { device, plan, f } = await suite.flows.setup('rauc-refused');
    osRelease(f, '1.0');
    f.configure({ modules: { default: raucModule(f) } });
    f.standIn('rauc', 1, 'rauc: Failed to verify bundle signature: unable to get local issuer certificate\n');
    const agent = f.start();
    assert.match(await agent.line(/2\.0 failed:/), /CHECK_FAILED install hook exit 2/);
    const upgrade = await suite.flows.until(plan.id, device.id, (x) => suite.flows.reasonOf(x) !== undefined);
    assert.equal(suite.flows.reasonOf(upgrade), 'check_failed');
    assert.ok(!existsSync(join(f.dir, 'reboot-asked')));
    await agent.stop();
  });

  it('SWUpdate: swupdate -i with its arguments, reboot, commit through fw_setenv', async () => {
    const { device, plan, f } = await suite.flows.setup('swupdate-ok');
    const sw = swupdate(f, { SWUPDATE_ARGS: '-e stable,copy2' });
    f.configure({ modules: { default: sw.module } });
    const first = f.start();
    await rebootInto(f, first, sw.boot('2.0'));
    const second = f.start();
    await second.line(/upgraded to 2\.0/);
    const calls = f.calls();
    assert.match(calls[0]!, /^swupdate -v -e stable,copy2 -i \/.*\/partial-[0-9a-f]{64}\.bin$/);
    assert.deepEqual(calls.slice(1), ['fw_setenv upgrade_available 0', 'fw_setenv bootcount 0']);
    await suite.flows.until(plan.id, device.id, (x) => x.status === 'success');
    await second.stop();
  });

  it('SWUpdate: a failed health check runs SWUPDATE_ROLLBACK, reboots, and reports the old version', async () => {
    const { device, plan, f } = await suite.flows.setup('swupdate-rollback');
    const sw = swupdate(f, { SWUPDATE_ROLLBACK: 'fw_setenv boot_slot a' });
    f.configure({ modules: { default: sw.module }, healthCheck: 'exit 1' });
    const first = f.start();
    await rebootInto(f, first, sw.boot('2.0'));
    const second = f.start();
    await rebootInto(f, second, sw.boot('1.0'));
    const third = f.start();
    assert.match(await third.line(/2\.0 failed:/), /rolled back to 1\.0/);
    assert.deepEqual(f.calls().slice(1), ['fw_setenv boot_slot a']);
    await suite.flows.until(plan.id, device.id, (x) => suite.flows.reasonOf(x) !== undefined);
    assert.equal(await suite.flows.reportedVersion(device.id), '1.0');
    await third.stop();
  });
});
