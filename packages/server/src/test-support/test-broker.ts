// The MQTT broker tests use beside the embedded one: this machine's Mosquitto (127.0.0.1:1883)
// or UPDRAFT_TEST_MQTT_URL. Without it tests skip with a line that says so, except under CI=true,
// where they fail.
import { connectAsync } from 'mqtt';

export const testBrokerUrl = process.env['UPDRAFT_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

/** Why tests that need the broker cannot run, or undefined when it answers. */
export async function brokerSkipReason(): Promise<string | undefined> {
  try {
    const probe = await connectAsync(testBrokerUrl, { reconnectPeriod: 0, connectTimeout: 3000 });
    await probe.endAsync(true);
    return undefined;
  } catch (error) {
    const reason = `no MQTT broker at ${testBrokerUrl} (${(error as Error).message})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}: CI needs Mosquitto`);
    console.log(`# skipping tests that need an external MQTT broker: ${reason}`);
    return reason;
  }
}
