// The ThingsPanel MQTT dialect (v0.5) passes the device-dialect contract over the embedded
// broker: pushes on ota/device/inform/{username}, steps on ota/device/progress.
import { otaTopics } from '@updraft/protocol';
import { describeDeviceDialect } from '../../test-support/contracts/device-dialect.contract.ts';
import { thingsPanelDriver } from '../../test-support/contracts/thingspanel-driver.ts';
import { skipReason } from '../../test-support/test-database.ts';

const driver = thingsPanelDriver({
  name: 'thingspanel-mqtt',
  pushTopic: otaTopics.pushV05,
  progressTopic: otaTopics.progress,
  // A ThingsPanel device states its version after it connects (§1.3): the upgrade under way is
  // pushed again (§1.7).
  async afterReconnect(device) {
    await device.publish(otaTopics.inform, { id: '1', params: { version: '1.0', module: 'default' } });
  },
});

describeDeviceDialect(driver, (await skipReason()) ?? false);
