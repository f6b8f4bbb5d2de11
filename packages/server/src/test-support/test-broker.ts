// The MQTT broker tests use beside the embedded one: this machine's Mosquitto (127.0.0.1:1883)
// or UPDRAFT_TEST_MQTT_URL. Without it tests skip with a line that says so, except under CI=true,
// where they fail.
import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';

export const testBrokerUrl = process.env['UPDRAFT_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** Why tests that need the broker cannot run, or undefined when it answers. */
export async function brokerSkipReason(): Promise<string | undefined> {
  try {
    const probe = await connectAsync(testBrokerUrl, { reconnectPeriod: 0, connectTimeout: 3000 }, false);
    await probe.endAsync(true);
    return undefined;
  } catch (error) {
    const reason = `no MQTT broker at ${testBrokerUrl} (${(error as Error).message})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}: CI needs Mosquitto`);
    console.log(`# skipping tests that need an external MQTT broker: ${reason}`);
    return reason;
  }
}

/**
 * The brokers a socket test runs its suite on: the embedded one (ports 0), then the test broker
 * with Updraft joined in a share group of its own (so no other test's instance takes its
 * messages). `skip`: the suite's own reason not to run (the database's), if any.
 */
export async function testBrokers(skip: string | false) {
  const brokerSkip = skip || ((await brokerSkipReason()) ?? false);
  return [
    {
      name: 'the embedded broker',
      settings: (): Record<string, unknown> => ({ mqttPort: 0, mqttHost: '127.0.0.1' }),
      brokerUrl: undefined as string | undefined,
      skip,
    },
    {
      name: 'Mosquitto',
      settings: (): Record<string, unknown> => ({
        mqttUrl: testBrokerUrl,
        mqttAuthToken: 'broker-token',
        mqttShareGroup: `q${randomBytes(6).toString('hex')}`,
      }),
      brokerUrl: testBrokerUrl as string | undefined,
      skip: brokerSkip,
    },
  ];
}
