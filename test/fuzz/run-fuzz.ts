// One fuzz run over every target, each given its share of the time: the management API, the
// device HTTP API, MQTT packets, CoAP packets and LwM2M payloads, the delta and VCDIFF readers. Server memory is measured after a
// full collection before and after; it must not grow past a bound.
import { createDeviceFleet } from '../../packages/server/src/test-support/device-fleet.ts';
import { fuzzCoap } from './coap-packets.ts';
import { fuzzDeltaReaders } from './delta-readers.ts';
import { fuzzDeviceHttp } from './device-http.ts';
import { fuzzManagementApi } from './management-api.ts';
import { fuzzMqtt } from './mqtt-packets.ts';
import { FuzzReport, heapAfterGc } from './report.ts';

/** How much the heap may grow over a run (the app's caches fill; a leak per request does not stop). */
export const heapGrowthLimit = 96 * 1024 * 1024;

export async function runFuzz(totalMs: number, seed = Date.now() % 1_000_000): Promise<FuzzReport> {
  const report = new FuzzReport();
  report.count('seed', seed);
  const share = totalMs / 5;
  const fleet = await createDeviceFleet({
    count: 4,
    settings: { mqttPort: 0, mqttHost: '127.0.0.1', loginMaxPerAccount: 1000 },
  });
  const devices = await createDeviceFleet({ count: 4, settings: { mqttPort: 0, mqttHost: '127.0.0.1' } });
  const lwm2m = await createDeviceFleet({
    count: 4,
    firmwareBytes: 20_000,
    settings: { coapPort: 0, coapHost: '127.0.0.1' },
  });
  try {
    // Nothing writes in the background while refused requests are checked for changes.
    await fleet.t.app.scheduler.stop();
    await fleet.t.app.deltaRunner.stop();
    await lwm2m.t.app.deltaRunner.stop();
    const transport = await devices.t.app.startMqtt();
    const coap = await lwm2m.t.app.startCoap();
    const heapBefore = heapAfterGc();
    await fuzzManagementApi(fleet, share, report, seed);
    await fuzzDeviceHttp(devices, share, report, seed);
    await fuzzMqtt(devices, transport.url, transport.port!, share, report, seed);
    await fuzzCoap(lwm2m, coap.port, share, report, seed);
    await fuzzDeltaReaders(share, report, seed);
    const growth = heapAfterGc() - heapBefore;
    report.count('heap_growth_mib', Math.round(growth / 1024 / 1024));
    if (growth > heapGrowthLimit) report.find('memory', 'heap grew past the bound', `${growth} bytes`);
  } finally {
    await lwm2m.close();
    await devices.close();
    await fleet.close();
  }
  return report;
}
