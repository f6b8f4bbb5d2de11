// A block lost in a push (RFC 7959 Block1 over RFC 7252 confirmable messages): a UDP relay
// between Updraft and the client drops the first copy of one block of the Package write; the
// server sends that block again (same message, after the ACK timeout) and goes on from there,
// not from block 0, and the client gets the whole package.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { createDeviceFleet, type DeviceFleet } from '../../test-support/device-fleet.ts';
import { type Lwm2mDevice, startLwm2mDevice } from '../../test-support/lwm2m-device.ts';
import { skipReason } from '../../test-support/test-database.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const coapPut = 0x03;

/** Forwards between one client and the server; drops the first copy of the `dropAt`th PUT. */
async function startRelay(serverPort: number, dropAt: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let client: RemoteInfo | undefined;
  const puts: number[] = [];
  let dropped: number | undefined;
  socket.on('message', (msg, from) => {
    if (from.port !== serverPort) {
      client = from;
      socket.send(msg, serverPort, '127.0.0.1');
      return;
    }
    if (!client) return;
    // RFC 7252 §3: byte 1 is the code, bytes 2-3 the message id.
    if (msg.length >= 4 && msg[1] === coapPut) {
      const id = msg.readUInt16BE(2);
      if (!puts.includes(id)) {
        puts.push(id);
        if (puts.length === dropAt) {
          dropped = id;
          return;
        }
      }
    }
    socket.send(msg, client.port, client.address);
  });
  return {
    port: () => (socket.address() as { port: number }).port,
    puts,
    dropped: () => dropped,
    close: () => socket.close(),
  };
}

describe('LwM2M push with a lost block', { skip: (await skipReason()) ?? false }, () => {
  let f: DeviceFleet;
  let device: Lwm2mDevice | undefined;
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  before(async () => {
    f = await createDeviceFleet({
      count: 1,
      firmwareBytes: 20_000,
      settings: { coapPort: 0, coapHost: '127.0.0.1' },
    });
    await f.t.admin.patch(`/api/v1/products/${f.productId}`, { protocols: ['lwm2m'] });
  });
  after(async () => {
    await device?.close();
    relay?.close();
    await f?.close();
  });

  it('sends the lost block again and goes on from it; the client gets the whole package', async () => {
    const { port } = await f.t.app.startCoap();
    relay = await startRelay(port, 6);
    const d = f.devices[0]!;
    device = await startLwm2mDevice({
      server: { address: '127.0.0.1', port: relay.port() },
      endpoint: `${f.productKey}.${d.name}`,
      secret: d.secret,
      version: '1.0',
      deliveryMethod: 1,
      installs: null,
      now: () => f.t.clock.now(),
    });
    await device.register();
    const written = await device.nextWrite((w) => w.path === '/5/0/0');
    assert.equal(sha256(written.payload), sha256(f.firmware));
    const blocks = Math.ceil(f.firmware.length / 1024);
    assert.notEqual(relay.dropped(), undefined, 'a block was dropped');
    // One message per block (the lost one was sent again as the same message), plus the
    // server's other PUTs (none before the package here).
    assert.equal(relay.puts.length, blocks, 'no block was sent as a new message twice: no restart');
  });
});
