// Studio's task rules row by row: what differs from OneNET's legacy task states (the first step
// starts a task to be upgraded) and the task status numbers of `…/{tid}/check`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUpgradeState, type UpgradeState } from '@updraft/core';
import { eventFromOneNetCode } from '../onenet-http/result-codes.ts';
import { studioCodeRule, studioTaskStatus } from './task-rules.ts';

const state = (over: Partial<UpgradeState>): UpgradeState => ({
  ...createUpgradeState(0, { manual: false }),
  ...over,
});
const toBeUpgraded = state({ status: 'pushed' });
const downloading = state({ status: 'upgrading', stage: 'downloading', progress: 30 });
const installing = state({ status: 'upgrading', stage: 'downloaded', progress: 100 });
const retrying = state({ status: 'pending', nextAction: 'retry', lastFailureReason: 'check_failed' });

describe("OneNET Studio's code rule (one row each)", () => {
  const rows: [string, UpgradeState, number, ReturnType<typeof studioCodeRule>][] = [
    ['step 0 starts a task to be upgraded', toBeUpgraded, 0, 'engine'],
    ['step 40 starts a task to be upgraded', toBeUpgraded, 40, 'engine'],
    ['step 100 starts a task to be upgraded', toBeUpgraded, 100, 'engine'],
    ['101 in a task to be upgraded', toBeUpgraded, 101, 'engine'],
    ['a step while downloading', downloading, 55, 'engine'],
    ['a step once installing', installing, 50, 'invalid_state'],
    ['step 100 once installing restates it', installing, 100, 'repeat'],
    ['201 once installing', installing, 201, 'engine'],
    ['a step after a failed attempt that waits for its retry', retrying, 10, 'finished'],
    ['the same failure again while it waits for its retry', retrying, 205, 'repeat'],
  ];
  for (const [title, s, code, expected] of rows) {
    it(`${title}: ${expected}`, () => {
      assert.equal(studioCodeRule(s, code, eventFromOneNetCode(code)!), expected);
    });
  }
});

describe("OneNET Studio's task status numbers (one row each)", () => {
  const rows: [string, UpgradeState, number][] = [
    ['pending', state({ status: 'pending' }), 1],
    ['pushed', toBeUpgraded, 1],
    ['upgrading, downloading', downloading, 2],
    ['upgrading, a bare percentage', state({ status: 'upgrading', stage: null, progress: 30 }), 2],
    ['upgrading, downloaded', installing, 3],
    ['upgrading, installing', state({ status: 'upgrading', stage: 'installing' }), 3],
    ['success', state({ status: 'success' }), 4],
    ['failure', state({ status: 'failure', failureReason: 'check_failed' }), 5],
    ['failed, waiting for its retry', retrying, 5],
    ['cancelled', state({ status: 'cancelled' }), 6],
  ];
  for (const [title, s, expected] of rows) {
    it(`${title} is ${expected}`, () => assert.equal(studioTaskStatus(s), expected));
  }
});
