// The agent's configuration: defaults, the ready-made hooks, a credentials file beside it, and a
// clear error naming the key for each kind of mistake.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AgentConfigError, loadConfig, parseConfig } from './config.ts';

const hooksDir = join(import.meta.dirname, '..', 'hooks');
const dir = mkdtempSync(join(tmpdir(), 'updraft-agent-config-'));
const file = join(dir, 'agent.json');
const credentials = { productKey: 'pk_gw', name: 'gw-1', secret: 's3cret' };
const minimal = {
  server: 'https://updraft.example.com/',
  credentials,
  modules: { default: { hook: 'script', version: '1.0' } },
};

function refuses(raw: unknown, key: string, message: RegExp) {
  assert.throws(
    () => parseConfig(raw, file, hooksDir),
    (error: unknown) =>
      error instanceof AgentConfigError &&
      error.code === 'CONFIG_INVALID' &&
      error.key === key &&
      message.test(error.message),
  );
}

describe('agent configuration', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fills in the defaults and resolves a ready-made hook', () => {
    const config = parseConfig(minimal, file, hooksDir);
    assert.equal(config.server, 'https://updraft.example.com');
    assert.equal(config.transport, 'http');
    assert.equal(config.stateDir, '/var/lib/updraft-agent');
    assert.equal(config.pollSeconds, 300);
    assert.equal(config.rebootCommand, 'systemctl reboot');
    assert.equal(config.bootIdFile, '/proc/sys/kernel/random/boot_id');
    assert.equal(config.modules['default']?.hook, join(hooksDir, 'script'));
    assert.deepEqual(config.modules['default']?.version, { kind: 'fixed', version: '1.0' });
    assert.equal(config.modules['default']?.healthCheck, null);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.modules));
  });

  it('reads the credentials from a file beside it, and the version from a file key or a command', () => {
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials));
    writeFileSync(
      file,
      JSON.stringify({
        ...minimal,
        credentials: 'credentials.json',
        healthCheck: 'systemctl is-system-running',
        modules: {
          rootfs: { hook: 'rauc', version: { file: '/etc/os-release', key: 'VERSION_ID' } },
          app: {
            hook: 'script',
            version: { command: 'app --version' },
            healthCheck: null,
            codes: { manufacturer: '101', model: '10101' },
          },
        },
      }),
    );
    const config = loadConfig(file, hooksDir);
    assert.deepEqual(config.credentials, credentials);
    assert.deepEqual(config.modules['rootfs']?.version, {
      kind: 'file',
      path: '/etc/os-release',
      key: 'VERSION_ID',
    });
    assert.equal(config.modules['rootfs']?.healthCheck, 'systemctl is-system-running');
    assert.deepEqual(config.modules['app']?.version, { kind: 'command', command: 'app --version' });
    assert.equal(config.modules['app']?.healthCheck, null, 'null turns the agent-wide check off');
    assert.deepEqual(config.modules['app']?.codes, { manufacturer: '101', model: '10101' });
    assert.equal(config.modules['rootfs']?.codes, null);
  });

  it('takes a gateway with sub-devices and no modules of its own', () => {
    const config = parseConfig(
      {
        ...minimal,
        transport: 'mqtt',
        mqttUrl: 'mqtts://updraft.example.com:8883',
        modules: undefined,
        subDevices: [{ username: 'pk_sensor.s-1', modules: { default: { hook: 'script', version: '1.0' } } }],
      },
      file,
      hooksDir,
    );
    assert.deepEqual(config.modules, {});
    assert.equal(config.subDevices[0]?.deviceId, null, 'MQTT names sub-devices by username');
  });

  it("takes the lwm2m transport with the server's CoAP URL", () => {
    const config = parseConfig(
      { ...minimal, transport: 'lwm2m', coapUrl: 'coap://updraft.example.com:5683' },
      file,
      hooksDir,
    );
    assert.equal(config.transport, 'lwm2m');
    assert.equal(config.coapUrl, 'coap://updraft.example.com:5683');
    assert.equal(config.mqttUrl, null);
  });

  it('names the key of each mistake', () => {
    refuses({ ...minimal, server: 'ftp://x' }, 'server', /scheme must be http: or https:/);
    refuses({ ...minimal, transport: 'coap' }, 'transport', /http or mqtt/);
    refuses({ ...minimal, transport: 'mqtt' }, 'mqttUrl', /needs it/);
    refuses({ ...minimal, transport: 'thingspanel-v1' }, 'mqttUrl', /needs it/);
    refuses({ ...minimal, transport: 'lwm2m' }, 'coapUrl', /needs it/);
    refuses({ ...minimal, transport: 'lwm2m', coapUrl: 'udp://x:5683' }, 'coapUrl', /scheme must be coap:/);
    refuses(
      {
        ...minimal,
        transport: 'lwm2m',
        coapUrl: 'coap://updraft.example.com:5683',
        subDevices: [{ username: 'pk_sensor.s-1', modules: { default: { hook: 'script', version: '1.0' } } }],
      },
      'subDevices[0]',
      /no sub-devices/,
    );
    refuses({ ...minimal, pollSecond: 5 }, 'pollSecond', /unknown key/);
    refuses({ ...minimal, pollSeconds: 0 }, 'pollSeconds', /at least 1/);
    refuses({ ...minimal, credentials: { productKey: 'pk' } }, 'credentials.name', /non-empty string/);
    refuses({ ...minimal, credentials: 'missing.json' }, 'credentials', /cannot read .*missing\.json/);
    refuses({ ...minimal, modules: {} }, 'modules', /at least one module/);
    refuses(
      { ...minimal, modules: { default: { hook: 'mender', version: '1' } } },
      'modules.default.hook',
      /absolute path/,
    );
    refuses(
      { ...minimal, modules: { default: { hook: '/nonexistent/flash', version: '1' } } },
      'modules.default.hook',
      /not an executable file/,
    );
    refuses(
      { ...minimal, modules: { default: { hook: 'script' } } },
      'modules.default.version',
      /must be a version/,
    );
    refuses(
      { ...minimal, modules: { default: { hook: 'script', version: '1', env: { TARGET: 1 } } } },
      'modules.default.env',
      /names to strings/,
    );
    refuses(
      { ...minimal, modules: { default: { hook: 'script', version: '1', codes: { manufacturer: '101' } } } },
      'modules.default.codes.model',
      /non-empty string/,
    );
    refuses(
      { ...minimal, subDevices: [{ username: 's-1', modules: minimal.modules }] },
      'subDevices[0].username',
      /\{productKey\}\.\{deviceName\}/,
    );
    refuses(
      { ...minimal, subDevices: [{ username: 'pk_sensor.s-1', modules: minimal.modules }] },
      'subDevices[0].deviceId',
      /HTTP transport names sub-devices by id/,
    );
  });

  it('takes a hook of the device maker that is executable, and refuses one that is not', () => {
    const flasher = join(dir, 'flash');
    writeFileSync(flasher, '#!/bin/sh\n');
    chmodSync(flasher, 0o644);
    const raw = { ...minimal, modules: { default: { hook: flasher, version: '1.0' } } };
    refuses(raw, 'modules.default.hook', /not an executable file/);
    chmodSync(flasher, 0o755);
    assert.equal(parseConfig(raw, file, hooksDir).modules['default']?.hook, flasher);
  });

  it('says where a file that is not JSON went wrong', () => {
    writeFileSync(file, '{"server": ');
    assert.throws(() => loadConfig(file, hooksDir), /agent\.json: is not JSON/);
  });
});
