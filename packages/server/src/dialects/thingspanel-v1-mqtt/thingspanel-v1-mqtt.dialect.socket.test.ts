// The ThingsPanel v1 MQTT dialect passes the device-dialect contract over the embedded broker:
// pushes on ota/devices/inform/{username} (its device_number), steps on ota/devices/progress.
// v1 has no version inform: after a reconnect the upgrade under way is pushed again when the
// device subscribes.
import { otaTopics } from '@updraft/protocol';
import { describeDeviceDialect } from '../../test-support/contracts/device-dialect.contract.ts';
import { thingsPanelDriver } from '../../test-support/contracts/thingspanel-driver.ts';
import { skipReason } from '../../test-support/test-database.ts';

const driver = thingsPanelDriver({
  name: 'thingspanel-v1-mqtt',
  pushTopic: otaTopics.pushV1,
  progressTopic: otaTopics.progressV1,
});

describeDeviceDialect(driver, (await skipReason()) ?? false);
