// One test per row of the Quectel status table (status-codes.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meaningOf } from './status-codes.ts';

describe('Quectel OTA statuses as canonical events', () => {
  it('0 NOPLAN and 1 REVICEPLAN change nothing', () => {
    assert.deepEqual(meaningOf({ status: 0 }), { kind: 'none' });
    assert.deepEqual(meaningOf({ status: 1 }), { kind: 'none' });
  });
  it('2 SUBMITOTA is accepted, and asks for the firmware information', () => {
    assert.deepEqual(meaningOf({ status: 2 }), { kind: 'confirm', event: { type: 'accepted' } });
  });
  it("3 REFUSEDOTA is a refusal (the plan's rejection period), with what the device said", () => {
    assert.deepEqual(meaningOf({ status: 3 }), { kind: 'event', event: { type: 'refused' } });
    assert.deepEqual(meaningOf({ status: 3, message: 'REFUSEDOTA' }), {
      kind: 'event',
      event: { type: 'refused' },
    });
    assert.deepEqual(meaningOf({ status: 3, message: 'REFUSEDOTA: the owner said no' }), {
      kind: 'event',
      event: { type: 'refused', reason: 'the owner said no' },
    });
    assert.deepEqual(meaningOf({ status: 3, message: 'busy' }), {
      kind: 'event',
      event: { type: 'refused', reason: 'busy' },
    });
  });
  it('keeps at most 128 characters of MESSAGE, control characters as spaces', () => {
    const refusal = meaningOf({ status: 3, message: `REFUSEDOTA: ${'x'.repeat(70_000)}` });
    assert.equal(
      refusal.kind === 'event' && refusal.event.type === 'refused' && refusal.event.reason?.length,
      128,
    );
    assert.deepEqual(meaningOf({ status: 3, message: 'battery\nlow' }), {
      kind: 'event',
      event: { type: 'refused', reason: 'battery low' },
    });
    const failure = meaningOf({ status: 12, message: 'y'.repeat(1000) });
    assert.equal(
      failure.kind === 'event' && failure.event.type === 'failed' && failure.event.detail,
      `Quectel status 12 UPDATEERROR: ${'y'.repeat(128)}`,
    );
  });
  it('4 DOWNLOADSTART is downloading 0 %', () => {
    assert.deepEqual(meaningOf({ status: 4 }), { kind: 'event', event: { type: 'downloading', percent: 0 } });
  });
  it("5 DOWNLOADING is downloading at Updraft's percentage (8005), below 100, 0 without one", () => {
    assert.deepEqual(meaningOf({ status: 5, percent: 40 }), {
      kind: 'event',
      event: { type: 'downloading', percent: 40 },
    });
    assert.deepEqual(meaningOf({ status: 5, percent: 100 }), {
      kind: 'event',
      event: { type: 'downloading', percent: 99 },
    });
    assert.deepEqual(meaningOf({ status: 5 }), { kind: 'event', event: { type: 'downloading', percent: 0 } });
  });
  it('6 DOWNLOADERROR fails the attempt as download_failed with the status and message', () => {
    assert.deepEqual(meaningOf({ status: 6, message: 'no space' }), {
      kind: 'event',
      event: {
        type: 'failed',
        reason: 'download_failed',
        detail: 'Quectel status 6 DOWNLOADERROR: no space',
      },
    });
  });
  it('8 DOWNLOADSUCCESS is downloaded', () => {
    assert.deepEqual(meaningOf({ status: 8 }), { kind: 'event', event: { type: 'downloaded' } });
  });
  it('9 UPDATING is installing', () => {
    assert.deepEqual(meaningOf({ status: 9 }), { kind: 'event', event: { type: 'installing' } });
  });
  it('11 UPDATESUCCESS is decided by the version it states', () => {
    assert.deepEqual(meaningOf({ status: 11 }), { kind: 'updated' });
  });
  it('12 UPDATEERROR fails with the status (the standard text is not repeated)', () => {
    assert.deepEqual(meaningOf({ status: 12, message: 'UPDATEERROR' }), {
      kind: 'event',
      event: { type: 'failed', reason: 'failed', detail: 'Quectel status 12 UPDATEERROR' },
    });
  });
  it('7, 10 and others are no OTA status', () => {
    for (const status of [7, 10, 13, -1]) assert.deepEqual(meaningOf({ status }), { kind: 'unknown' });
  });
});
