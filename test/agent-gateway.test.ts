// A Linux gateway running the agent over MQTT against `updraft serve`: from two plans it upgrades
// itself (the script hook) and one of its sub-devices (a flashing hook of its own, as a serial or
// BLE flasher would be, the sub-device's version read by a command). Hooks never overlap.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { skipReason } from '../packages/server/src/test-support/test-database.ts';
import { agentFixture } from './support/agent-child.ts';
import { setUpAgentSuite } from './support/agent-flows.ts';
import { image } from './support/upgrade-flows.ts';

const skip = (await skipReason()) ?? false;

describe('updraft-agent on a gateway (MQTT): itself and a sub-device from plans', { skip }, () => {
  const suite = setUpAgentSuite('updraft-agent-gateway');

  it('upgrades the gateway through the script hook and the sensor through its flashing hook', async () => {
    const { u, flows, dir } = suite;
    const gateways = await u.product('agent-gw', 'gateway');
    const sensors = await u.product('agent-sensor', 'subdevice');
    const gateway = await u.register(gateways, 'gw-1');
    const sensor = await u.register(sensors, 's-1', { gatewayId: gateway.id, versions: { default: '1.0' } });
    const gatewayImage = image(96 * 1024, 5);
    const sensorImage = image(24 * 1024, 9);
    const gwPlan = await u.plan({
      name: 'gateway 2.0',
      productId: gateways.id,
      firmwarePackageId: (await u.upload(gateways.id, '2.0', gatewayImage)).id,
    });
    const sensorPlan = await u.plan({
      name: 'sensor 2.0',
      productId: sensors.id,
      firmwarePackageId: (await u.upload(sensors.id, '2.0', sensorImage)).id,
    });

    const f = agentFixture(join(dir, 'gw-1'), gateway, u.server.base, u.mqttUrl);
    const app = join(f.dir, 'gateway-app.bin');
    const appVersion = join(f.dir, 'gateway-app.version');
    writeFileSync(app, 'gateway 1.0');
    writeFileSync(appVersion, '1.0\n');
    const sensorVersion = join(f.dir, 'sensor.version');
    writeFileSync(sensorVersion, '1.0\n');
    // A flasher as a serial or BLE one would be: it writes the image to the sensor, which then
    // answers the version command with the new version.
    const flasher = flows.hook(
      f,
      'flash-sensor',
      `[ "$1" = install ] || exit 0
echo "flashing $UPDRAFT_DEVICE ($UPDRAFT_DEVICE_ID) to $UPDRAFT_VERSION"
sleep 0.3
cp "$UPDRAFT_FILE" "${join(f.dir, 'sensor-flash.bin')}"
echo "$UPDRAFT_VERSION" > "${sensorVersion}"`,
    );
    f.configure({
      transport: 'mqtt',
      modules: {
        default: {
          hook: 'script',
          version: { file: appVersion },
          env: { TARGET: app, VERSION_FILE: appVersion },
        },
      },
      subDevices: [
        {
          username: sensor.username,
          deviceId: sensor.id,
          modules: { default: { hook: flasher, version: { command: `cat ${sensorVersion}` } } },
        },
      ],
    });
    const agent = f.start();
    await flows.until(gwPlan.id, gateway.id, (x) => x.status === 'success');
    await flows.until(sensorPlan.id, sensor.id, (x) => x.status === 'success');
    assert.deepEqual(readFileSync(app), gatewayImage);
    assert.deepEqual(readFileSync(join(f.dir, 'sensor-flash.bin')), sensorImage);
    assert.match(agent.output(), new RegExp(`flashing ${sensor.username} \\(${sensor.id}\\) to 2\\.0`));
    assert.equal(await flows.reportedVersion(gateway.id), '2.0');
    assert.equal(await flows.reportedVersion(sensor.id), '2.0');
    // One hook at a time: each hook's start line is followed by its own end before another starts.
    const hookLines = agent
      .output()
      .split('\n')
      .filter((l) => / hook \w+: (\/|exit)/.test(l));
    for (let i = 0; i < hookLines.length; i += 2) {
      const [start, end] = [hookLines[i]!, hookLines[i + 1] ?? ''];
      assert.equal(start.split(': hook')[0], end.split(': hook')[0], `${start}\n${end}`);
      assert.match(end, /: exit 0$/);
    }
    assert.equal(hookLines.length, 8, 'install and commit of each, start and end');
    await agent.stop();
  });
});
