// The Quectel MQTT dialect passes the device-dialect contract, over the embedded broker and over
// this machine's Mosquitto (Updraft joined as a client, devices on the same broker).
import { randomBytes } from 'node:crypto';
import { describeDeviceDialect } from '../../test-support/contracts/device-dialect.contract.ts';
import { quectelDriver } from '../../test-support/contracts/quectel-driver.ts';
import { brokerSkipReason, testBrokerUrl } from '../../test-support/test-broker.ts';
import { skipReason } from '../../test-support/test-database.ts';

const skip = (await skipReason()) ?? false;

describeDeviceDialect(
  quectelDriver({ name: 'quectel-mqtt', settings: () => ({ mqttPort: 0, mqttHost: '127.0.0.1' }) }),
  skip,
);

describeDeviceDialect(
  quectelDriver({
    name: 'quectel-mqtt on Mosquitto',
    brokerUrl: testBrokerUrl,
    settings: () => ({
      mqttUrl: testBrokerUrl,
      mqttAuthToken: 'broker-token',
      mqttShareGroup: `q${randomBytes(6).toString('hex')}`,
    }),
  }),
  skip || ((await brokerSkipReason()) ?? false),
);
