import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqttPacket from 'mqtt-packet';
import { connectLevel } from './mqtt5-bridge.ts';

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
