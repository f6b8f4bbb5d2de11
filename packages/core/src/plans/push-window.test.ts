import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  hourIn,
  hourInWindow,
  isInPushWindow,
  isValidTimeZone,
  nextWindowOpening,
  zonedTimeToEpoch,
} from './push-window.ts';
import { withSpecDefaults } from './stored-spec.ts';
import { validatePlanSpec } from './validate-plan-spec.ts';

const at = (iso: string) => Date.parse(iso);
const shanghai = 'Asia/Shanghai';

describe('push window', () => {
  it('knows IANA zones and refuses others', () => {
    assert.equal(isValidTimeZone('Asia/Shanghai'), true);
    assert.equal(isValidTimeZone('UTC'), true);
    assert.equal(isValidTimeZone('Mars/Olympus'), false);
    assert.equal(isValidTimeZone(''), false);
  });

  it("reads the hour on the zone's clocks", () => {
    assert.equal(hourIn(shanghai, at('2026-12-07T02:00:00Z')), 10);
    assert.equal(hourIn('America/New_York', at('2026-07-01T16:00:00Z')), 12);
  });

  it('includes the opening hour and excludes the closing one, across midnight too', () => {
    const day = { fromHour: 9, toHour: 17 };
    assert.deepEqual(
      [8, 9, 16, 17].map((h) => hourInWindow(day, h)),
      [false, true, true, false],
    );
    const night = { fromHour: 22, toHour: 6 };
    assert.deepEqual(
      [21, 22, 0, 5, 6].map((h) => hourInWindow(night, h)),
      [false, true, true, true, false],
    );
  });

  it('is always open without a window', () => {
    assert.equal(isInPushWindow({ timeZone: null, pushWindow: null }, 0), true);
    assert.equal(nextWindowOpening({ timeZone: null, pushWindow: null }, 0), null);
  });

  it('finds the next opening in the zone', () => {
    const timing = { timeZone: shanghai, pushWindow: { fromHour: 22, toHour: 2 } };
    assert.equal(isInPushWindow(timing, at('2026-12-07T02:00:00Z')), false);
    assert.equal(nextWindowOpening(timing, at('2026-12-07T02:00:00Z')), at('2026-12-07T14:00:00Z'));
    // A zone half an hour off UTC opens on the half hour.
    const kolkata = { timeZone: 'Asia/Kolkata', pushWindow: { fromHour: 9, toHour: 10 } };
    assert.equal(nextWindowOpening(kolkata, at('2026-12-07T02:00:00Z')), at('2026-12-07T03:30:00Z'));
  });

  it('turns a wall-clock time of the zone into an instant, daylight saving included', () => {
    assert.equal(zonedTimeToEpoch('2026-12-07T10:00', shanghai), at('2026-12-07T02:00:00Z'));
    assert.equal(zonedTimeToEpoch('2026-07-01T12:00:00', 'America/New_York'), at('2026-07-01T16:00:00Z'));
    assert.equal(zonedTimeToEpoch('2026-01-15T12:00', 'Europe/Berlin'), at('2026-01-15T11:00:00Z'));
    assert.equal(zonedTimeToEpoch('yesterday', shanghai), null);
  });
});

describe('plan timing in the spec', () => {
  const minimal = {
    name: 'p',
    productId: 'p1',
    moduleId: 'm1',
    firmware: { kind: 'full', packageId: 'f', targetVersion: '2.0' },
    target: { kind: 'all' },
  };
  const issues = (extra: Record<string, unknown>) => {
    const result = validatePlanSpec({ ...minimal, ...extra });
    return result.ok ? [] : result.issues.map((i) => `${i.path}:${i.code}`);
  };

  it('defaults to no zone, no window and pushing actively', () => {
    const result = validatePlanSpec(minimal);
    assert.ok(result.ok);
    assert.equal(result.spec.timeZone, null);
    assert.equal(result.spec.pushWindow, null);
    assert.equal(result.spec.pushActively, true);
  });

  it('takes a zone, a window and the switch', () => {
    const result = validatePlanSpec({
      ...minimal,
      timeZone: shanghai,
      pushWindow: { fromHour: 22, toHour: 6 },
      pushActively: false,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.spec.pushWindow, { fromHour: 22, toHour: 6 });
    assert.equal(result.spec.pushActively, false);
  });

  it('requires a zone with a window, an IANA zone, hours 0..23 that differ, a boolean switch', () => {
    assert.deepEqual(issues({ pushWindow: { fromHour: 1, toHour: 2 } }), ['timeZone:required']);
    assert.deepEqual(issues({ timeZone: 'Nowhere/Town' }), ['timeZone:invalid_value']);
    assert.deepEqual(issues({ timeZone: 'UTC', pushWindow: { fromHour: 3, toHour: 3 } }), [
      'pushWindow.toHour:invalid_value',
    ]);
    assert.deepEqual(issues({ timeZone: 'UTC', pushWindow: { fromHour: 3, toHour: 24 } }), [
      'pushWindow.toHour:out_of_range',
    ]);
    assert.deepEqual(issues({ timeZone: 'UTC', pushWindow: { fromHour: 3 } }), [
      'pushWindow.toHour:required',
    ]);
    assert.deepEqual(issues({ pushActively: 'yes' }), ['pushActively:invalid_type']);
  });

  it('reads a spec stored before these fields with their defaults', () => {
    const result = validatePlanSpec(minimal);
    assert.ok(result.ok);
    const {
      timeZone: _z,
      pushWindow: _w,
      pushActively: _a,
      rejectionPeriodSeconds: _r,
      ...old
    } = result.spec;
    assert.deepEqual(withSpecDefaults(old as typeof result.spec), result.spec);
  });
});
