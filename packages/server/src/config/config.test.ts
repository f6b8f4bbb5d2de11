import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, describeSettings, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has embedded defaults: SQLite in ./data, port 8080, MQTT 1883, CoAP 5683', () => {
    const config = loadConfig({}, {}, '/srv/updraft');
    assert.equal(config.dataDir, '/srv/updraft/data');
    assert.deepEqual(config.database, { kind: 'sqlite', path: '/srv/updraft/data/updraft.db' });
    assert.equal(config.httpPort, 8080);
    assert.equal(config.mqttPort, 1883);
    assert.equal(config.coapPort, 5683);
    assert.equal(config.firmwareMaxFileBytes, 100 * 1024 * 1024);
    assert.ok(config.firmwareExtensions.includes('.tar.gz'));
    assert.ok(Object.isFrozen(config));
  });

  it('reads UPDRAFT_* variables, including port 0 and PostgreSQL URLs', () => {
    const config = loadConfig({
      UPDRAFT_HTTP_PORT: '0',
      UPDRAFT_MQTT_PORT: '18830',
      UPDRAFT_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      UPDRAFT_FIRMWARE_EXTENSIONS: 'bin, HEX',
    });
    assert.equal(config.httpPort, 0);
    assert.equal(config.mqttPort, 18830);
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' });
    assert.deepEqual(config.firmwareExtensions, ['.bin', '.hex']);
  });

  it('serves OneNET Studio under /fuse-ota and /ota unless told other prefixes', () => {
    assert.deepEqual(loadConfig({}).onenetStudioPrefixes, ['/fuse-ota', '/ota']);
    const config = loadConfig({ UPDRAFT_ONENET_STUDIO_PREFIXES: '/iot/fuse-ota/, /fuse-ota' });
    assert.deepEqual(config.onenetStudioPrefixes, ['/iot/fuse-ota', '/fuse-ota']);
  });

  it('trusts no proxy unless told which (UPDRAFT_TRUST_PROXY)', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ UPDRAFT_TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ UPDRAFT_TRUST_PROXY: 'false' }).trustProxy, false);
    assert.deepEqual(
      loadConfig({ UPDRAFT_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy,
      ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback'],
    );
    for (const bad of ['nginx', '10.0.0.0/33', '10.0.0/8', '127.0.0.1,true', '::1/129']) {
      assert.throws(() => loadConfig({ UPDRAFT_TRUST_PROXY: bad }), /UPDRAFT_TRUST_PROXY/, bad);
    }
  });

  it('names the key of a bad value', () => {
    const bad: [Record<string, string>, string][] = [
      [{ UPDRAFT_HTTP_PORT: '80a' }, 'UPDRAFT_HTTP_PORT'],
      [{ UPDRAFT_HTTP_PORT: '70000' }, 'UPDRAFT_HTTP_PORT'],
      [{ UPDRAFT_MIGRATE: 'sometimes' }, 'UPDRAFT_MIGRATE'],
      [{ UPDRAFT_DATABASE_URL: 'mysql://x' }, 'UPDRAFT_DATABASE_URL'],
      [{ UPDRAFT_MQTT_URL: 'not a url' }, 'UPDRAFT_MQTT_URL'],
      [{ UPDRAFT_SECURE_COOKIES: 'perhaps' }, 'UPDRAFT_SECURE_COOKIES'],
      [{ UPDRAFT_HTPP_PORT: '1' }, 'UPDRAFT_HTPP_PORT'],
      [{ UPDRAFT_MQTT_URL: 'mqtt://broker:1883' }, 'UPDRAFT_MQTT_AUTH_TOKEN'],
      [{ UPDRAFT_SECRET: 'c2hvcnQ=' }, 'UPDRAFT_SECRET'],
      [{ UPDRAFT_HTTP_HEADERS_TIMEOUT_SECONDS: '700' }, 'UPDRAFT_HTTP_HEADERS_TIMEOUT_SECONDS'],
      [{ UPDRAFT_ONENET_STUDIO_PREFIXES: 'fuse-ota' }, 'UPDRAFT_ONENET_STUDIO_PREFIXES'],
      [{ UPDRAFT_ONENET_STUDIO_PREFIXES: '/api/fuse' }, 'UPDRAFT_ONENET_STUDIO_PREFIXES'],
      [{ UPDRAFT_ONENET_STUDIO_PREFIXES: '/a b' }, 'UPDRAFT_ONENET_STUDIO_PREFIXES'],
    ];
    for (const [env, key] of bad) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.key === key && error.message.includes(key),
        key,
      );
    }
  });

  it("leaves the CLI client commands' variables alone (a shell exports them beside the settings)", () => {
    const config = loadConfig({ UPDRAFT_API_KEY: 'upk_x', UPDRAFT_PASSWORD: 'p', UPDRAFT_BENCH_PG_URL: 'x' });
    assert.equal(config.httpPort, loadConfig({}).httpPort);
    assert.throws(
      () => loadConfig({ UPDRAFT_API_KEYS: 'x' }),
      /UPDRAFT_API_KEYS/,
      'a near miss is still refused',
    );
  });

  it('reads a JSON configuration file and refuses unknown keys in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-config-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ httpPort: 9090, logLevel: 'warn' }));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ httpPrt: 9090 }));
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    const config = loadConfig({ UPDRAFT_CONFIG: join(dir, 'good.json') });
    assert.equal(config.httpPort, 9090);
    assert.equal(loadConfig({ UPDRAFT_CONFIG: join(dir, 'good.json'), UPDRAFT_HTTP_PORT: '1' }).httpPort, 1);
    assert.throws(() => loadConfig({ UPDRAFT_CONFIG: join(dir, 'bad.json') }), /httpPrt/);
    assert.throws(() => loadConfig({ UPDRAFT_CONFIG: join(dir, 'broken.json') }), /UPDRAFT_CONFIG/);
  });

  it('reads the S3 store settings and refuses what cannot work with S3', () => {
    const s3 = {
      UPDRAFT_FIRMWARE_STORE: 's3',
      UPDRAFT_S3_BUCKET: 'firmware',
      UPDRAFT_S3_ENDPOINT: 'http://minio.local:9000/',
      UPDRAFT_S3_PREFIX: '/updraft/fw',
      UPDRAFT_S3_PATH_STYLE: 'true',
    };
    const config = loadConfig(s3);
    assert.equal(config.firmwareStore, 's3');
    assert.equal(config.s3Endpoint, 'http://minio.local:9000');
    assert.equal(config.s3Prefix, 'updraft/fw/');
    assert.equal(config.s3PathStyle, true);
    assert.equal(config.s3Region, null);
    assert.equal(loadConfig({}).s3Prefix, '');
    const refused: [Record<string, string>, string][] = [
      [{ ...s3, UPDRAFT_S3_BUCKET: '' }, 'UPDRAFT_S3_BUCKET'],
      [{ ...s3, UPDRAFT_DOWNLOAD_ACCEL: 'nginx' }, 'UPDRAFT_DOWNLOAD_ACCEL'],
      [{ ...s3, UPDRAFT_FIRMWARE_MAX_FILE_BYTES: String(6 * 1024 ** 3) }, 'UPDRAFT_FIRMWARE_MAX_FILE_BYTES'],
      [{ ...s3, UPDRAFT_FIRMWARE_STORE: 'gcs' }, 'UPDRAFT_FIRMWARE_STORE'],
    ];
    for (const [env, key] of refused) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => error instanceof ConfigError && error.key === key,
        key,
      );
    }
  });

  it('describes every setting for the README', () => {
    const table = describeSettings();
    for (const name of [
      'UPDRAFT_DATA_DIR',
      'UPDRAFT_HTTP_PORT',
      'UPDRAFT_DATABASE_URL',
      'UPDRAFT_MQTT_PORT',
      'UPDRAFT_MQTT_URL',
      'UPDRAFT_COAP_PORT',
    ]) {
      assert.ok(table.includes(name), name);
    }
  });
});
