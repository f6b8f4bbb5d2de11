// The device side of the crash campaign (campaign.ts), in a process of its own that is never
// killed: SDK devices over MQTT, one per login in the file argv[2] (broker argv[3], state folders
// under argv[4], server argv[5]). Devices whose index is 7 modulo 20 fail their install (a write
// failure). Tells the parent (IPC) when all are connected, and on request what each device knows
// (verdict.ts' DeviceTruth). A device that cannot start is reported to the parent, which fails the
// campaign with the reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDevice, type Device } from '@updraft/sdk';
import type { DeviceTruth } from './verdict.ts';

interface Login {
  productKey: string;
  name: string;
  secret: string;
}

const logins = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Login[];
const [mqttUrl, stateRoot, server] = [process.argv[3]!, process.argv[4]!, process.argv[5]!];
const failsByDesign = (index: number) => index % 20 === 7;
const truth: DeviceTruth[] = logins.map((login, index) => ({
  name: login.name,
  version: '1.0',
  installs: 0,
  failed: false,
  failsByDesign: failsByDesign(index),
}));
const devices = new Map<number, Device>();
let next = 0;

function causes(error: unknown): string {
  const chain: string[] = [];
  for (let e = error; e instanceof Error && chain.length < 5; e = (e as { cause?: unknown }).cause) {
    chain.push(e.message);
  }
  return chain.join(' <- ');
}

async function connectWorker(): Promise<void> {
  while (next < logins.length) {
    const index = next++;
    const login = logins[index]!;
    const known = truth[index]!;
    const device = createDevice({
      server,
      transport: 'mqtt',
      mqttUrl,
      credentials: login,
      stateDir: join(stateRoot, login.name),
      modules: {
        default: {
          version: '1.0',
          async install() {
            if (known.failsByDesign) throw new Error('flash write failed (campaign)');
            known.installs++;
          },
        },
      },
      onEvent(event) {
        if (event.type !== 'failed') return;
        known.failed = true;
        known.error ??= `${new Date().toISOString()} ${causes(event.error)}`;
      },
    });
    try {
      await device.start();
    } catch (error) {
      throw new Error(`device ${login.name} did not start: ${causes(error)}`);
    }
    devices.set(index, device);
  }
}

try {
  await Promise.all(Array.from({ length: 50 }, connectWorker));
} catch (error) {
  process.send?.({ type: 'error', message: (error as Error).message });
  process.exit(1);
}
process.send?.({ type: 'ready' });
process.on('message', async (message: { type: 'truth' | 'close' }) => {
  if (message.type === 'truth') {
    for (const [index, device] of devices) truth[index]!.version = device.versions()['default'] ?? '?';
    process.send?.({ type: 'truth', truth });
    return;
  }
  await Promise.all([...devices.values()].map((d) => d.stop().catch(() => {})));
  process.send?.({ type: 'closed' });
  setTimeout(() => process.exit(0), 100).unref();
});
