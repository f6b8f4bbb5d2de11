// The device-dialect contract's driver for Quectel (QuecThing over MQTT, docs/quectel.md): a
// device written from protocols.md §3.2 (test-support/quectel-device.ts) asks for its plan with
// 0x0115, confirms it (0x0114 status 2), reads the firmware information (0x0113) and downloads
// its URLs; it reports 4 (download start) to accept, 5 with Updraft's percentage, 8, 9 and 11
// with the target as MODULE_VER for success, and 6 for a failed download.
import { quectelOtaStatus as status } from '@updraft/protocol';
import { connectQuectelDevice, type QuectelTestDevice } from '../quectel-device.ts';
import type { DeviceStep, DialectDriver, SeenOffer } from './device-dialect.contract.ts';

export function quectelDriver(options: {
  name: string;
  settings(): Record<string, unknown>;
  /** The broker the devices use; the app's own (embedded) when absent. */
  brokerUrl?: string;
}): DialectDriver {
  let url = '';
  return {
    name: options.name,
    settings: options.settings,
    async start(f) {
      const transport = await f.t.app.startMqtt();
      url = options.brokerUrl ?? transport.url;
    },
    async device(f, d) {
      const productKey = d.res.split('/')[1]!;
      // Signed passwords by the app's clock (the contract moves it past token lifetimes).
      const connect = () =>
        connectQuectelDevice(
          url,
          { productKey, deviceKey: d.name, secret: d.secret },
          { password: Math.floor(f.t.clock.now() / 1000) + 3600 },
        );
      let device: QuectelTestDevice = await connect();
      let component = 'default';
      const nextOffer = async (): Promise<SeenOffer> => {
        await device.request({ moduleVersion: '1.0' });
        const plan = await device.next('plan');
        component = plan.plan.components[0]!.componentNo;
        await device.event({ status: status.confirmed, message: 'SUBMITOTA', componentNo: component });
        const { info } = await device.next('firmware-info');
        const files = info.files ?? [
          { index: 1, url: info.url, size: info.size, md5: info.md5, name: info.name },
        ];
        return {
          version: info.targetVersion,
          size: info.size,
          url: info.url,
          files: files.map((file) => ({
            index: file.index,
            name: file.name ?? '',
            size: file.size,
            url: file.url,
          })),
        };
      };
      const publish = async (s: DeviceStep) => {
        const componentNo = component;
        if (s === 'accept') await device.event({ status: status.downloadStart, componentNo });
        else if (s === 'download_failed')
          await device.event({ status: status.downloadError, componentNo, message: 'no space' });
        else if (s === 'success') {
          await device.event({ status: status.downloaded, componentNo });
          await device.event({ status: status.updating, componentNo });
          await device.event({ status: status.updateSuccess, componentNo, moduleVersion: '2.0' });
        } else await device.event({ status: status.downloading, componentNo, percent: s.progress });
      };
      return {
        offer: nextOffer,
        send: publish,
        async refused(s) {
          await publish(s);
          const { error } = await device.next('error');
          return `${error.code}: ${error.message}`;
        },
        async download(offer) {
          const res = await fetch(offer.url);
          const body = Buffer.from(await res.arrayBuffer());
          return res.status === 200 || res.status === 206 ? body : 'refused';
        },
        async reconnect() {
          await device.close();
          device = await connect();
          return nextOffer();
        },
        close: () => device.close(),
      };
    },
  };
}
