// The agent (packages/agent) as systemd runs it, a child process, against `updraft serve` (SQLite,
// or PostgreSQL in the PostgreSQL pass) over HTTP: a whole upgrade through the script hook, hooks
// that fail (exit codes mapped to failure reasons), a kill -9 mid-download and mid-install each
// resumed by the next start, and a health check that fails and rolls the file back.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import type { AgentFixture } from './support/agent-child.ts';
import { setUpAgentSuite } from './support/agent-flows.ts';
import { startThrottleProxy, type ThrottleProxy } from './support/throttle-proxy.ts';
import { image, waitFor } from './support/upgrade-flows.ts';

const skip = (await skipReason()) ?? false;

describe('updraft-agent against updraft serve (HTTP, script hook)', { skip }, () => {
  const suite = setUpAgentSuite('updraft-agent');
  let proxy: ThrottleProxy;
  before(async () => {
    proxy = await startThrottleProxy(suite.u.server.base);
  });
  after(async () => {
    await proxy?.close();
  });

  /** A device with a plan to 2.0, and the application file the script hook replaces. */
  async function setup(name: string, size = 64 * 1024) {
    const planned = await suite.flows.setup(name, size);
    const app = join(planned.f.dir, 'app.bin');
    const versionFile = join(planned.f.dir, 'app.version');
    writeFileSync(app, 'the 1.0 application');
    writeFileSync(versionFile, '1.0\n');
    const scriptModule = (extra: Record<string, unknown> = {}) => ({
      hook: 'script',
      version: { file: versionFile },
      env: { TARGET: app, SERVICE: 'app.service', VERSION_FILE: versionFile },
      ...extra,
    });
    return { ...planned, app, versionFile, scriptModule };
  }
  const until = (planId: number, deviceId: number, test: (upgrade: Record<string, unknown>) => boolean) =>
    suite.flows.until(planId, deviceId, test);
  const reasonOf = (upgrade: Record<string, unknown>) => suite.flows.reasonOf(upgrade);
  const reportedVersion = (deviceId: number) => suite.flows.reportedVersion(deviceId);
  const hook = (f: AgentFixture, name: string, body: string) => suite.flows.hook(f, name, body);

  it('installs through the script hook: the file replaced, the service restarted, healthy, Success', async () => {
    const { firmware, device, plan, f, app, versionFile, scriptModule } = await setup('script-ok');
    f.configure({ modules: { default: scriptModule() }, healthCheck: `test -s ${app}` });
    const agent = f.start();
    await agent.line(/upgraded to 2\.0/);
    await until(plan.id, device.id, (x) => x['status'] === 'success');
    assert.deepEqual(readFileSync(app), firmware);
    assert.equal(readFileSync(versionFile, 'utf8'), '2.0\n');
    assert.deepEqual(f.calls(), ['systemctl restart app.service']);
    assert.match(agent.output(), /health check: test -s/);
    assert.equal(await reportedVersion(device.id), '2.0');
    assert.equal(
      existsSync(join(f.stateDir, 'work')) && readdirSync(join(f.stateDir, 'work', device.username)).length,
      0,
    );
    assert.equal(await agent.stop(), 0, 'SIGTERM stops it cleanly');
  });

  it('maps a failing hook to the failure reason: exit 1 write failure, exit 2 check failure, with the hook stderr', async () => {
    for (const [exit, reason, code] of [
      [1, 'failed', 'WRITE_FAILED'], // OneNET has no write failure of its own: 206
      [2, 'check_failed', 'CHECK_FAILED'],
    ] as const) {
      const { device, plan, f } = await setup(`hook-exit-${exit}`);
      const failing = hook(f, 'flash', `echo "flash: no space left on device" >&2\nexit ${exit}`);
      f.configure({ modules: { default: { hook: failing, version: '1.0' } } });
      const agent = f.start();
      const line = await agent.line(/2\.0 failed:/);
      assert.match(line, new RegExp(`${code} install hook exit ${exit}: flash: no space left on device`));
      const upgrade = await until(
        plan.id,
        device.id,
        (x) => reasonOf(x) !== undefined && reasonOf(x) !== null,
      );
      assert.equal(reasonOf(upgrade), reason);
      await agent.stop();
    }
  });

  it('gives the hook every file of a three-file package in WORKDIR/files, the first as UPDRAFT_FILE', async () => {
    const more = [
      { name: 'app.bin_1', content: image(20_000, 7) },
      { name: 'app.bin_2', content: image(3_000, 8) },
    ];
    const { firmware, device, plan, f } = await suite.flows.setup('three-files', 50_000, more);
    const out = join(f.dir, 'installed');
    const installer = hook(
      f,
      'install-all',
      `[ "$1" = install ] || exit 0
mkdir -p "${out}" && cp "$2"/files/* "${out}/" && cmp "$UPDRAFT_FILE" "$2/files/app.bin"`,
    );
    f.configure({ modules: { default: { hook: installer, version: '1.0' } } });
    const agent = f.start();
    await agent.line(/upgraded to 2\.0/);
    assert.deepEqual(readdirSync(out).sort(), ['app.bin', 'app.bin_1', 'app.bin_2']);
    assert.deepEqual(readFileSync(join(out, 'app.bin')), firmware);
    for (const file of more) assert.deepEqual(readFileSync(join(out, file.name)), Buffer.from(file.content));
    await until(plan.id, device.id, (x) => x['status'] === 'success');
    await agent.stop();
  });

  it('resumes a download stopped by SIGTERM, then cut by kill -9, with Range from the bytes on disk', async () => {
    const size = 512 * 1024;
    const { firmware, device, plan, f, app, scriptModule } = await setup('kill-download', size);
    f.configure({ modules: { default: scriptModule() }, server: proxy.base });
    const onDisk = (bytes: number) =>
      waitFor(`${bytes} bytes on disk`, async () => {
        const name = existsSync(f.stateDir) && readdirSync(f.stateDir).find((n) => n.startsWith('partial-'));
        return name && statSync(join(f.stateDir, name)).size >= bytes ? name : undefined;
      });
    const phase = () =>
      JSON.parse(readFileSync(join(f.stateDir, 'state.json'), 'utf8')).pending.default?.phase;
    proxy.ranges.length = 0;
    // systemctl stop mid-download: it stops within its timeout and keeps what it has.
    proxy.holdAfter = 100 * 1024;
    const first = f.start();
    await onDisk(100 * 1024);
    assert.equal(await first.stop(), 0);
    assert.equal(phase(), 'downloading');
    // A power cut mid-download, 100 KiB later (the proxy holds each response after 100 KiB).
    const second = f.start();
    const partial = await onDisk(200 * 1024);
    await second.kill9();
    assert.equal(phase(), 'downloading');
    proxy.holdAfter = undefined;
    const third = f.start();
    await third.line(/2\.0 goes on at downloading/);
    await third.line(/upgraded to 2\.0/);
    assert.deepEqual(
      proxy.ranges,
      ['bytes=0-', `bytes=${100 * 1024}-`, `bytes=${200 * 1024}-`],
      'each start asked only for the rest',
    );
    assert.ok(!existsSync(join(f.stateDir, partial)), 'the partial file is gone');
    assert.deepEqual(readFileSync(app), firmware);
    await until(plan.id, device.id, (x) => x['status'] === 'success');
    await third.stop();
  });

  it('runs an install cut by kill -9 (agent and hook, as a power cut) again after the restart', async () => {
    const { firmware, device, plan, f } = await setup('kill-install');
    const target = join(f.dir, 'flashed.bin');
    // The first install hangs until it is killed; the second completes. Both are counted.
    const installer = hook(
      f,
      'flash',
      `echo "$1 $UPDRAFT_VERSION" >> "${f.dir}/hook.log"
[ "$1" = install ] || exit 0
if [ ! -e "${f.dir}/power-cut" ]; then echo $$ > "${f.dir}/hook.pid"; exec sleep 60; fi
cp "$UPDRAFT_FILE" "${target}"`,
    );
    f.configure({ modules: { default: { hook: installer, version: '1.0' } } });
    const first = f.start();
    const pid = await waitFor('the install hook runs', async () =>
      existsSync(join(f.dir, 'hook.pid')) ? Number(readFileSync(join(f.dir, 'hook.pid'), 'utf8')) : undefined,
    );
    await first.kill9();
    process.kill(pid, 'SIGKILL');
    writeFileSync(join(f.dir, 'power-cut'), '');
    assert.equal(
      JSON.parse(readFileSync(join(f.stateDir, 'state.json'), 'utf8')).pending.default.phase,
      'installing',
    );
    const second = f.start();
    await second.line(/2\.0 goes on at installing/);
    await second.line(/upgraded to 2\.0/);
    assert.deepEqual(readFileSync(target), firmware);
    assert.deepEqual(readFileSync(join(f.dir, 'hook.log'), 'utf8').trim().split('\n'), [
      'install 2.0',
      'install 2.0',
      'commit 2.0',
    ]);
    await until(plan.id, device.id, (x) => x['status'] === 'success');
    await second.stop();
  });

  it('rolls back when the health check fails: the old file and version are back, failure reported, 1.0 reported', async () => {
    const { device, plan, f, app, versionFile, scriptModule } = await setup('health-fails');
    f.configure({ modules: { default: scriptModule() }, healthCheck: `grep -q "1.0 application" ${app}` });
    const agent = f.start();
    const line = await agent.line(/2\.0 failed:/);
    assert.match(line, /HEALTH_CHECK_FAILED health check failed: 'grep -q .*' exit 1; rolled back to 1\.0/);
    assert.equal(readFileSync(app, 'utf8'), 'the 1.0 application');
    assert.equal(readFileSync(versionFile, 'utf8'), '1.0\n');
    assert.deepEqual(f.calls(), ['systemctl restart app.service', 'systemctl restart app.service']);
    const upgrade = await until(plan.id, device.id, (x) => reasonOf(x) !== undefined);
    assert.equal(reasonOf(upgrade), 'failed');
    assert.equal(await reportedVersion(device.id), '1.0');
    await agent.stop();
  });
});
