import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectTcp, createServer } from 'node:net';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { bridgeMqtt5, connectLevel } from './mqtt5-bridge.ts';

const connect = (protocolVersion: 3 | 4 | 5) =>
  mqttPacket.generate(
    {
      cmd: 'connect',
      protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion,
      clientId: 'c'.repeat(200),
      clean: true,
      keepalive: 60,
    },
    { protocolVersion },
  );

describe('the protocol level of a new connection', () => {
  it('reads it from the CONNECT of each version, however the bytes arrive', () => {
    for (const version of [3, 4, 5] as const) {
      const bytes = connect(version);
      assert.equal(connectLevel(bytes), version);
      // Remaining length over 127: two bytes of it.
      assert.ok(bytes[1]! & 0x80);
      const levelAt = 1 + 2 + 2 + (version === 3 ? 6 : 4);
      for (let cut = 0; cut <= levelAt; cut++) assert.equal(connectLevel(bytes.subarray(0, cut)), 'more');
      assert.equal(connectLevel(bytes.subarray(0, levelAt + 1)), version);
    }
  });

  it('tells bytes that are no CONNECT', () => {
    assert.equal(connectLevel(Buffer.from([0x30, 0x02, 0, 0])), 'other');
    assert.equal(connectLevel(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])), 'other');
  });
});

describe('the MQTT 5 bridge', () => {
  it('refuses a CONNECT that MQTT 3.1.1 cannot carry (a password without a user name) with CONNACK 0x86', async () => {
    const server = createServer((socket) => {
      socket.pause();
      bridgeMqtt5(socket).resume();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const client = connectTcp(port, '127.0.0.1');
    try {
      const v5 = { protocolVersion: 5 } as const;
      const bytes = mqttPacket.generate(
        { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'c', clean: true, keepalive: 60 },
        v5,
      );
      // The password flag (0x40) and a password, without the user name flag: valid MQTT 5.
      const password = Buffer.from([0x00, 0x02, 0x70, 0x77]);
      const flagsAt = 2 + 6 + 1;
      const packet = Buffer.concat([bytes, password]);
      packet[1] = packet[1]! + password.length;
      packet[flagsAt] = packet[flagsAt]! | 0x40;
      const parser = mqttPacket.parser(v5);
      const answered = new Promise<mqttPacket.Packet>((resolve) => parser.once('packet', resolve));
      client.on('data', (chunk: Buffer) => parser.parse(chunk));
      client.write(packet);
      const answer = (await answered) as mqttPacket.IConnackPacket;
      assert.equal(answer.cmd, 'connack');
      assert.equal(answer.reasonCode, 0x86);
    } finally {
      client.destroy();
      server.close();
    }
  });
});
