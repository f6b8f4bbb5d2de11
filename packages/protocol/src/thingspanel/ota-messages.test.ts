import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildUpgradePush, otaTopics, parseProgressReport, parseVersionInform } from './ota-messages.ts';

describe('ThingsPanel OTA messages', () => {
  it('reads a version inform, with module default when absent', () => {
    assert.deepEqual(parseVersionInform('{"id":"147258369","params":{"version":"v1.0.1","module":"MCU"}}'), {
      id: '147258369',
      version: 'v1.0.1',
      module: 'MCU',
    });
    assert.equal(
      (parseVersionInform('{"id":1,"params":{"version":"1.0"}}') as { module: string }).module,
      'default',
    );
  });

  it('refuses malformed informs with a reason', () => {
    for (const bad of [
      'not json',
      '[]',
      '{}',
      '{"params":{"version":""}}',
      '{"params":{"version":"v 1"}}',
      '{"params":{"version":"1","module":"a/b"}}',
    ]) {
      assert.ok('problem' in parseVersionInform(bad), bad);
    }
  });

  it("reads Updraft's refusal of a pushed offer, with no step", () => {
    assert.deepEqual(parseProgressReport('{"refused":true,"desc":"user busy","module":"MCU"}'), {
      step: 0,
      desc: 'user busy',
      module: 'MCU',
      refused: true,
    });
    for (const bad of ['{"refused":"yes"}', '{"refused":false,"step":0}', '{"refused":true,"step":50}']) {
      assert.ok('problem' in parseProgressReport(bad), bad);
    }
  });

  it('reads progress steps as strings or numbers and refuses out-of-range ones', () => {
    assert.deepEqual(parseProgressReport('{"step":"100","desc":"done","module":"MCU"}'), {
      step: 100,
      desc: 'done',
      module: 'MCU',
    });
    assert.equal((parseProgressReport('{"step":42.9}') as { step: number }).step, 42);
    assert.equal((parseProgressReport('{"step":"-3"}') as { step: number }).step, -3);
    for (const bad of [
      '{"step":"0"}',
      '{"step":101}',
      '{"step":-5}',
      '{"step":"abc"}',
      '{"step":true}',
      '{"desc":"x"}',
    ]) {
      assert.ok('problem' in parseProgressReport(bad), bad);
    }
    assert.equal(
      (parseProgressReport(`{"step":5,"desc":"${'x'.repeat(300)}"}`) as { desc: string }).desc.length,
      128,
    );
  });

  it('builds the push without module for the default module', () => {
    const push = buildUpgradePush({
      id: '1',
      version: '1.1',
      size: 10,
      url: 'http://h/x',
      signMethod: 'md5',
      sign: 'ab',
      module: 'default',
      extData: {},
    });
    assert.equal(push.params.signMethod, 'MD5');
    assert.equal('module' in push.params, false);
    assert.equal(otaTopics.pushV05('tok'), 'ota/device/inform/tok');
  });

  it("names v1's topics: the documented push, the typo one, the shared and per-device progress", () => {
    assert.equal(otaTopics.pushV1('pk.d'), 'ota/devices/inform/pk.d');
    assert.equal(otaTopics.pushV1Typo('pk.d'), 'ota/devices/infrom/pk.d');
    assert.equal(otaTopics.progressV1, 'ota/devices/progress');
    assert.equal(otaTopics.uplinkV1('pk.d'), 'ota/devices/progress/pk.d');
  });
});
